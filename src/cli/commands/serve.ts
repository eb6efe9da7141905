// `escapement serve`: dashboard and API on one port, over the embedded store or PostgreSQL.
import type { Command } from 'commander';
import { buildApp, DEFAULT_PORT } from '../../server/app.ts';
import { warmOverview } from '../../server/warm.ts';
import { countRecords } from '../../store/records.ts';
import { addStoreOptions, openWorkspace, UserError } from '../common.ts';

interface ServeFlags {
  db?: string;
  config?: string;
  port: string;
  host: string;
  logLevel: string;
}

export function registerServe(program: Command): void {
  addStoreOptions(program.command('serve'))
    .description('serve the dashboard and the API')
    .option('--port <port>', 'port to listen on', process.env.PORT ?? String(DEFAULT_PORT))
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '127.0.0.1')
    .option('--log-level <level>', 'request log level: fatal, error, warn, info, debug', process.env.LOG_LEVEL ?? 'info')
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port: expected a port number, got ${flags.port}`, 2);
      const workspace = await openWorkspace(flags);
      const app = await buildApp({ store: workspace.store, config: workspace.config }, { logger: { level: flags.logLevel } });
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        app.log.info({ signal }, 'shutting down');
        await app.close();
        await workspace.store.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      try {
        await app.listen({ port, host: flags.host });
      } catch (error) {
        await workspace.store.close();
        throw new UserError(`cannot listen on ${flags.host}:${port}: ${(error as Error).message}`);
      }
      const counts = await countRecords(workspace.store.db);
      const url = `http://${flags.host === '127.0.0.1' || flags.host === '0.0.0.0' ? 'localhost' : flags.host}:${port}`;
      process.stderr.write(`Escapement is running on ${url} (store: ${workspace.store.location})\n`);
      if (Object.values(counts).every((n) => n === 0)) {
        process.stderr.write('The database is empty: open the dashboard to load the demo, or run `npx escapement demo`, or `npx escapement import FILE…`.\n');
      } else {
        warmOverview({ store: workspace.store, config: workspace.config }, app.log).catch((error: unknown) => app.log.warn({ err: error }, 'could not compute the overview ahead'));
      }
    });
}
