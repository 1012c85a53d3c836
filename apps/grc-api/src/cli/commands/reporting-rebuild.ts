import type { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { OpenDataService } from '../../modules/reporting/open-data.service';
import { ReportingFactsService } from '../../modules/reporting/reporting-facts.service';
import { contextOf, withApp, type CliIo } from '../context';

/** The figures' rollup recomputed from every request, then the open data files; a line saying what was done. */
export async function rebuildFigures(app: INestApplicationContext): Promise<string> {
  const n = await app.get(ReportingFactsService).rebuild();
  const files = await app.get(OpenDataService).generate();
  return `figures rebuilt: ${n} request(s); open data: ${files.rows} row(s) over ${files.months} month(s)`;
}

export function reportingRebuildCommand(io: CliIo): Command {
  return new Command('reporting-rebuild')
    .description("recompute the figures' rollup from every request (then the open data files), then exit")
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      io.out(await withApp(ctx, rebuildFigures));
    });
}
