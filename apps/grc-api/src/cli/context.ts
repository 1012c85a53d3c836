/**
 * What every `grc` command shares: where it writes (stdout for results, stderr for reasons), the quiet
 * framework logs (errors only unless --verbose), the configuration (checked when a command runs, so that
 * `--help` works with any environment), and the database / application it opens and always closes.
 */
import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
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

/**
 * The pack folder a command was given, checked before anything opens: a folder that is not there, or that holds
 * none of a pack's files (a typo, the repository root, a path relative to another directory), is a refusal that
 * says where it looked.
 */
export function packFolder(folder: string): string {
  const where = resolve(folder);
  const from = folder === where ? '' : ` (relative to ${process.cwd()}, where the command runs)`;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(where);
  } catch (e) {
    // EACCES (a folder above it the user may not enter) is worded by explainFailure, not taken for a missing folder
    if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR')
      throw new CliError(`${folder}: no such folder${from}`);
    throw e;
  }
  if (!stat.isDirectory()) throw new CliError(`${folder}: not a folder — give the pack's folder, the one holding town.yaml${from}`);
  if (!readdirSync(where).some((n) => /^(town|departments|categories)\.ya?ml$/i.test(n)))
    throw new CliError(
      `${folder}: not a town pack — none of town.yaml, departments.yaml, categories.yaml is there${from}. ` +
        'Start one from packs/starter-town (docs/packs.md, "Bring your own town")',
    );
  return folder;
}

/** Who this process runs as, for a refusal about file permissions (`uid 1000 (node)` in the Docker image). */
function userOf(): string {
  try {
    const u = userInfo();
    return `uid ${u.uid} (${u.username})`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** The database a failure is about, as the command line's environment names it (host, port, user, name). */
function databaseOf(): { host: string; port: string; user: string; name: string } | null {
  const url = process.env['GRC_MIGRATE_DATABASE_URL'] || process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/grc';
  try {
    const u = new URL(url);
    return {
      host: u.hostname || '127.0.0.1',
      port: u.port || '5432',
      user: decodeURIComponent(u.username) || 'postgres',
      name: decodeURIComponent(u.pathname.slice(1)),
    };
  } catch {
    return null;
  }
}

/**
 * What a town's IT team can do about the usual failures of a first install, instead of a driver's stack trace:
 * the database not created yet, PostgreSQL or Redis not running at the configured address, a refused login.
 * Null for anything else (printed as it is).
 */
export function explainFailure(e: unknown): string | null {
  if (!e || typeof e !== 'object') return null;
  const err = e as { code?: unknown; message?: unknown; address?: unknown; port?: unknown; hostname?: unknown; path?: unknown };
  const message = typeof err.message === 'string' ? err.message : '';
  if (err.code === 'EACCES' && typeof err.path === 'string')
    return (
      `cannot read ${err.path}: permission denied — the user running grc (${userOf()}) must be able to read the pack's ` +
      'folders and files: `chmod -R a+rX <folder>` (docs/packs.md, "With Docker")'
    );
  const db = databaseOf();
  if (err.code === '3D000' && db)
    return (
      `${message}: create it first, as a PostgreSQL superuser — \`createdb -h ${db.host} -p ${db.port} -U postgres ${db.name}\`` +
      ` or \`CREATE DATABASE ${db.name};\` (then \`grc migrate\` creates the schema; docs/install.md)`
    );
  if ((err.code === '28P01' || err.code === '28000') && db)
    return `PostgreSQL refused the login of "${db.user}" at ${db.host}:${db.port}: ${message} — check the user and password of GRC_MIGRATE_DATABASE_URL / DATABASE_URL (URL-encode special characters)`;
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    const port = typeof err.port === 'number' ? String(err.port) : '';
    const what =
      port === '6379'
        ? 'Redis (REDIS_URL)'
        : port === '5432' || port === db?.port
          ? 'PostgreSQL (DATABASE_URL, GRC_MIGRATE_DATABASE_URL)'
          : 'the server';
    const at =
      typeof err.address === 'string' ? `${err.address}${port ? `:${port}` : ''}` : typeof err.hostname === 'string' ? err.hostname : '';
    return `cannot reach ${what}${at ? ` at ${at}` : ''} (${String(err.code)}): is it running there? \`grc config check\` shows the addresses in use`;
  }
  return null;
}
