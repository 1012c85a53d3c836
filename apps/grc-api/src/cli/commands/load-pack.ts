import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { forEachCommune } from '../../database/tenancy';
import { SlaEngine } from '../../modules/sla/sla.engine';
import { rebuildFigures } from './reporting-rebuild';
import type { PackError } from '@grc/domain';
import { loadTownPackFromFolder, PackInvalidError, formatPackErrors } from '../../modules/packs/pack-loader';
import { validatePackFolder } from '../../modules/packs/pack-validation';
import { CliError, contextOf, packFolder, withApp, withOwnerDataSource, type CliIo } from '../context';
import { runMigrations } from './migrate';

export function loadPackCommand(io: CliIo): Command {
  return new Command('load-pack')
    .description(
      "check a town pack, migrate, then load it into an EMPTY database (one transaction: all or nothing). The database must exist (createdb); a town already there: import-pack applies a pack's differences",
    )
    .argument('<folder>', 'the pack folder (relative to where you run the command)')
    .option('--dry-run', 'check everything and write it in a transaction that is rolled back: prints what would be loaded')
    .option('--if-empty', 'a database that already has a town is not an error (exit 0): for a start script that runs it every time')
    .action(async (folder: string, opts: { dryRun?: boolean; ifEmpty?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      packFolder(folder);
      // an invalid pack is refused before the database is opened: not even the migrations run for it
      const invalid = (errors: readonly PackError[]): never => {
        io.err(`${folder}: ${errors.length} error(s)\n${formatPackErrors(errors)}`);
        throw new CliError(`town pack ${folder} not loaded: it is invalid (nothing was written)`);
      };
      const checked = await validatePackFolder(folder);
      if (checked.errors.length) invalid(checked.errors);
      const result = await withOwnerDataSource(ctx, async (ds) => {
        if (!opts.dryRun) await runMigrations(ds, ctx);
        else if (await ds.showMigrations())
          throw new CliError(
            'the database schema is not up to date: run `grc migrate` first (a dry run writes nothing, not even migrations)',
          );
        try {
          return await loadTownPackFromFolder(ds, folder, { onlyIfEmpty: true, now: new Date(), dryRun: opts.dryRun === true });
        } catch (e) {
          if (e instanceof PackInvalidError) invalid(e.errors);
          throw e;
        }
      });
      if (!result.counts) {
        const reason =
          `town pack ${folder} not loaded: the database already has a town (departments exist); a pack loads into an empty database` +
          ` (to apply a pack's changes to this town: grc import-pack --dry-run ${folder}, then without --dry-run)`;
        if (opts.ifEmpty) return io.err(`${reason} — left as it is (--if-empty)`);
        throw new CliError(reason);
      }
      if (opts.dryRun) return io.out(`dry run, nothing written — ${folder} would load: ${result.summary}`);
      io.out(`town pack loaded from ${folder}: ${result.summary}`);
      // SLA clocks for the open tickets the pack brought (demo history)
      // then the figures' rollup of the requests it brought
      const lines = await withApp(ctx, async (app) => {
        // the pack's commune (not necessarily the default one): every commune's open requests, each as its commune
        let examined = 0;
        await forEachCommune(app.get(DataSource), async () => {
          examined += await app.get(SlaEngine).backfill();
        });
        return [`SLA clocks: ${examined} open ticket(s) examined`, await rebuildFigures(app)];
      });
      for (const line of lines) io.out(line);
    });
}
