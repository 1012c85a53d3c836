import { Command } from 'commander';
import { exportPack, importPack } from '../../modules/packs/pack-transfer';
import { SlaEngine } from '../../modules/sla/sla.engine';
import { contextOf, withApp, withOwnerDataSource, type CliIo } from '../context';
import { runMigrations } from './migrate';
import { rebuildFigures } from './reporting-rebuild';

/** `export-pack <folder>`: the running town's configuration written as a town pack (the loader's format). */
export function exportPackCommand(io: CliIo): Command {
  return new Command('export-pack')
    .description("write the running town's whole configuration as a town pack into <folder> (the format load-pack reads), then exit")
    .argument('<folder>', 'where the pack is written (created if missing)')
    .action(async (folder: string, _opts, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      const written = await withOwnerDataSource(ctx, (ds) => exportPack(ds, folder));
      io.out(`town pack exported to ${folder}: ${written.length} file(s)`);
    });
}

/** `import-pack <folder> [--dry-run]`: an empty instance loads it; a running one applies the differences, all or nothing. */
export function importPackCommand(io: CliIo): Command {
  return new Command('import-pack')
    .description(
      'import a town pack: into an empty database it loads; into a running town it applies the differences (all or nothing), then exit',
    )
    .argument('<folder>', 'the pack folder')
    .option('--dry-run', 'list the differences, write nothing')
    .action(async (folder: string, opts: { dryRun?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      const dryRun = !!opts.dryRun;
      const r = await withOwnerDataSource(ctx, async (ds) => {
        if (!dryRun) await runMigrations(ds, ctx);
        return importPack(ds, folder, { dryRun });
      });
      for (const c of r.changes) io.out(`${c.action} ${c.kind} ${c.key}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
      io.out(
        `${r.changes.length} change(s) ${r.applied ? 'applied' : dryRun ? 'previewed (dry run: nothing written)' : '(nothing to apply)'}`,
      );
      if (r.applied && r.mode === 'load') {
        const lines = await withApp(ctx, async (app) => [
          `SLA clocks: ${await app.get(SlaEngine).backfill()} open ticket(s) examined`,
          await rebuildFigures(app),
        ]);
        for (const line of lines) io.out(line);
      }
    });
}
