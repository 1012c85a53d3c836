/**
 * What every `grc` command shares: where it writes (stdout for results, stderr for reasons), the quiet
 * framework logs (errors only unless --verbose), the configuration (checked when a command runs, so that
 * `--help` works with any environment), and the database / application it opens and always closes.
 */
import { INestApplicationContext, Logger, type LogLevel } from '@nestjs/common';
import type { Command } from 'commander';
import { DataSource } from 'typeorm';
import { GrcConfig, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { createApp } from '../http-app';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A refusal the command explains itself: its message goes to stderr, the process exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Set by `serve`: its listeners keep the process alive; every other command exits when it is done. */
export const cliState = { serving: false };

export interface CommandContext {
  io: CliIo;
  verbose: boolean;
  /** the configuration, read and checked now (a ConfigError names every invalid variable) */
  config(): GrcConfig;
}

/** Framework log levels of a command: only errors unless --verbose. */
export const cliLogLevels = (verbose: boolean): LogLevel[] => (verbose ? ['error', 'warn', 'log', 'debug'] : ['error']);

/** `server`: the framework logs at GRC_LOG_LEVEL (the `serve` command), not quietened. */
export function contextOf(command: Command, io: CliIo, opts: { server?: boolean } = {}): CommandContext {
  const verbose = command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
  if (!opts.server) Logger.overrideLogger(cliLogLevels(verbose));
  let config: GrcConfig | null = null;
  return { io, verbose, config: () => (config ??= loadConfig()) };
}

/** The schema owner's connection, for one piece of work. */
export async function withOwnerDataSource<T>(ctx: CommandContext, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await createDataSource(ctx.config().migrateDatabaseUrl).initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

/** The api role's services (no HTTP listener, no queue workers) for one piece of work, then closed. */
export async function withApp<T>(ctx: CommandContext, work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  // a one-off command (kubectl exec … sla-backfill) must not take the running server's metrics port
  const config = ctx.config();
  const app = await createApp({ ...config, role: 'api', metrics: { ...config.metrics, port: null } }, cliLogLevels(ctx.verbose));
  try {
    await app.init();
    return await work(app);
  } finally {
    await app.close();
  }
}
