import { Command } from 'commander';
import { importBanFile } from '../../modules/places/ban-importer';
import { contextOf, withOwnerDataSource, type CliIo } from '../context';
import { runMigrations } from './migrate';

/** `import-ban <file>`: the town's addresses from a Base Adresse Nationale file; idempotent, updates in place (docs/places.md). */
export function importBanCommand(io: CliIo): Command {
  return new Command('import-ban')
    .description('import a Base Adresse Nationale file (adresses-<département>.csv) into the address search, then exit')
    .argument('<file>', 'the BAN CSV file (official `;`-separated format)')
    .action(async (file: string, _opts, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      await withOwnerDataSource(ctx, async (ds) => {
        await runMigrations(ds, ctx);
        const r = await importBanFile(ds, file);
        io.out(
          `BAN ${file}: ${r.lines} line(s), ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged, ${r.removed} removed, ` +
            `${r.rejected} rejected${r.rejections.length ? ` (first: line ${r.rejections[0]!.line} ${r.rejections[0]!.field})` : ''}; communes ${r.communes.join(', ')}`,
        );
      });
    });
}
