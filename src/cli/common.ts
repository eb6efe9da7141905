// What every command shares: opening the workspace (config + store), printing, and failing clearly.
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Config } from '../domain/config.ts';
import { parsePeriod, type Period, PeriodError } from '../domain/periods.ts';
import { loadConfig, ConfigError } from '../config/load.ts';
import { openStore, type Store, storeOptionsFromEnv } from '../store/connection.ts';
import { syncConfiguredServices } from '../store/workspace.ts';

export interface StoreFlags {
  db?: string;
  config?: string;
}

export interface Workspace {
  store: Store;
  config: Config;
  configPath: string | null;
}

/** A failure the user can act on: printed without a stack trace, exit code 1 (2 for bad usage). */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function addStoreOptions(command: Command): Command {
  return command
    .option('--db <path>', 'SQLite database file (default: $ESCAPEMENT_DB or ./escapement.db; DATABASE_URL selects PostgreSQL)')
    .option('--config <file>', 'configuration file (default: ./escapement.config.yaml or .json if present)');
}

export function addReadOptions(command: Command): Command {
  return addStoreOptions(command)
    .option('--json', 'print machine-readable JSON')
    .option('--period <period>', 'e.g. 2025-Q4, 2025-11, last-90d, sprint:<name>, 2025-01-01..2025-03-31, all');
}

export async function openWorkspace(flags: StoreFlags): Promise<Workspace> {
  let loaded;
  try {
    loaded = loadConfig(flags.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message);
    throw error;
  }
  let store: Store;
  try {
    store = await openStore(storeOptionsFromEnv(flags));
  } catch (error) {
    throw new UserError(`cannot open the database: ${(error as Error).message}`);
  }
  await syncConfiguredServices(store.db, loaded.config);
  return { store, config: loaded.config, configPath: loaded.path };
}

export async function withWorkspace<T>(flags: StoreFlags, run: (workspace: Workspace) => Promise<T>): Promise<T> {
  const workspace = await openWorkspace(flags);
  try {
    return await run(workspace);
  } finally {
    await workspace.store.close();
  }
}

export function resolvePeriod(text: string | undefined, config: Config, fallback = 'all'): Period {
  try {
    return parsePeriod(text ?? fallback, { sprints: config.sprints });
  } catch (error) {
    if (error instanceof PeriodError) throw new UserError(`--period: ${error.message}`, 2);
    throw error;
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Who a decision from the command line is recorded under: --actor, else $ESCAPEMENT_ACTOR, else the login name. */
export function actorOf(flags: { actor?: string }): string {
  return flags.actor ?? process.env.ESCAPEMENT_ACTOR ?? userInfo().username;
}
