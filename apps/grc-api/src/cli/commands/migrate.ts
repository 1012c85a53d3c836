import { Command } from 'commander';
import type { DataSource } from 'typeorm';
import { readEnvironment } from '../../config/environment';
import { keepPlannerStatistics } from '../../database/planner-statistics';
import { ensureIndexableUnderRls, leakproofStatements } from '../../database/rls-indexable';
import { contextOf, withOwnerDataSource, type CliIo, type CommandContext } from '../context';

/** Applies the pending migrations (as the schema owner); with GRC_APP_DB_PASSWORD, gives the app's role its login. */
export async function runMigrations(ds: DataSource, ctx: CommandContext): Promise<void> {
  const done = await ds.runMigrations({ transaction: 'each' });
  ctx.io.out(done.length ? `applied ${done.length} migration(s): ${done.map((m) => m.name).join(', ')}` : 'schema up to date');
  // every run, not only the migration's: a pg_dump/restore does not carry the flag of built-in functions
  const missing = await ensureIndexableUnderRls(ds);
  if (missing.length)
    ctx.io.err(
      `warning: ${missing.length} function(s) are not LEAKPROOF, so searches scan their tables under row-level security` +
        ` (docs/install.md, "Row-level security"). As a superuser, in this database:\n  ${leakproofStatements().join('\n  ')}`,
    );
  // every run too: the tables created since (and an upgraded install's reference tables) get their statistics
  await keepPlannerStatistics(ds);
  // compose: the owner gives the app's role (created by the migrations, NOLOGIN) a login of its own
  const password = readEnvironment().GRC_APP_DB_PASSWORD;
  const role = ctx.config().dbRole;
  if (password && role) {
    const [{ sql }] = await ds.query(`SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text) AS sql`, [role, password]);
    await ds.query(sql);
    ctx.io.out(`role ${role} may log in (GRC_APP_DB_PASSWORD)`);
  }
}

export const migrate = (ctx: CommandContext): Promise<void> => withOwnerDataSource(ctx, (ds) => runMigrations(ds, ctx));

export function migrateCommand(io: CliIo): Command {
  return new Command('migrate')
    .description(
      'create or upgrade the database schema (as GRC_MIGRATE_DATABASE_URL, else DATABASE_URL), then exit. The database itself must exist: createdb <name>, or CREATE DATABASE',
    )
    .action(async (_opts, cmd: Command) => migrate(contextOf(cmd, io)));
}
