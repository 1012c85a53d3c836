import { Command } from 'commander';
import { basename } from 'node:path';
import { ProblemException } from '../../common/problem';
import { importBanFile } from '../../modules/places/ban-importer';
import { PlacesRepository } from '../../modules/places/places.repository';
import { CliError, contextOf, withOwnerDataSource, type CliIo } from '../context';
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
        // an empty database has no commune to file the addresses under: say what to do, not a NOT NULL violation
        if (!(await new PlacesRepository(ds).importCommune()))
          throw new CliError(`${basename(file)} not imported: the database has no town yet — load its pack first (grc load-pack <folder>)`);
        const r = await importBanFile(ds, file).catch((e: unknown) => {
          // a refused file (encoding, columns, not CSV): its reason, as the admin screen words it
          if (e instanceof ProblemException) {
            const reasons = (e.errors ?? []).map((x) => x.message).join(' ') || e.message;
            throw new CliError(`${basename(file)} not imported (nothing was written): ${reasons}`);
          }
          throw e;
        });
        io.out(
          `BAN ${file}: ${r.lines} line(s), ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged, ${r.removed} removed, ` +
            `${r.rejected} rejected${r.rejections.length ? ` (first: line ${r.rejections[0]!.line} ${r.rejections[0]!.field})` : ''}; communes ${r.communes.join(', ')}`,
        );
      });
    });
}
