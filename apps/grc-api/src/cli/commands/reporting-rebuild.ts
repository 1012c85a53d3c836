import type { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { forEachCommune } from '../../database/tenancy';
import { OpenDataService } from '../../modules/reporting/open-data.service';
import { ReportingFactsService } from '../../modules/reporting/reporting-facts.service';
import { contextOf, withApp, type CliIo } from '../context';

/**
 * The figures' rollup recomputed from every request, then the open data files — for every commune of the install,
 * each as its commune (row-level security: a connection sees one commune's figures; a pack may be another
 * commune's than the default one); a line saying what was done.
 */
export async function rebuildFigures(app: INestApplicationContext): Promise<string> {
  let n = 0;
  let rows = 0;
  let communes = 0;
  await forEachCommune(app.get(DataSource), async () => {
    n += await app.get(ReportingFactsService).rebuild();
    rows += (await app.get(OpenDataService).generate()).rows;
    communes++;
  });
  return `figures rebuilt: ${n} request(s) in ${communes} commune(s); open data: ${rows} row(s)`;
}

export function reportingRebuildCommand(io: CliIo): Command {
  return new Command('reporting-rebuild')
    .description("recompute the figures' rollup from every request of every commune (then the open data files), then exit")
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      io.out(await withApp(ctx, rebuildFigures));
    });
}
