// The `escapement` command line.
import { Command, CommanderError } from 'commander';
import { VERSION } from '../server/app.ts';
import { UserError } from './common.ts';
import { registerImport } from './commands/import.ts';
import { registerCost } from './commands/cost.ts';
import { registerAttribution } from './commands/attribution.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerIngest } from './commands/ingest.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerDemo } from './commands/demo.ts';
import { registerMetrics } from './commands/metrics.ts';
import { registerReport } from './commands/report.ts';
import { registerServe } from './commands/serve.ts';
import { registerPipeline } from './commands/pipeline.ts';
import { registerProblems } from './commands/problems.ts';

export function buildProgram(): Command {
  const program = new Command('escapement')
    .description('Every production problem, the release that let it through, and what it cost.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Root options only before the command, so `escapement deploy --version 2.4.1` reaches deploy.
    .enablePositionalOptions();
  registerServe(program);
  registerPipeline(program);
  registerProblems(program);
  registerImport(program);
  registerCost(program);
  registerAttribution(program);
  registerDeploy(program);
  registerIngest(program);
  registerGenerate(program);
  registerDemo(program);
  registerMetrics(program);
  registerReport(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof UserError) {
      process.stderr.write(`escapement: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    throw error;
  }
}

