import type { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { OpenDataService } from '../../modules/reporting/open-data.service';
import { ReportingFactsService } from '../../modules/reporting/reporting-facts.service';
import { contextOf, withApp, type CliIo } from '../context';

/** The figures' rollup recomputed from every request, then the open data files; a line saying what was done. */
export async function rebuildFigures(app: INestApplicationContext): Promise<string> {
  const facts = app.get(ReportingFactsService);
  const r = await facts.rebuild();
  const size = await facts.cubeSize();
  const files = await app.get(OpenDataService).generate();
  return (
    `figures rebuilt: ${r.requests} request(s) (facts ${r.factsMs} ms, cube ${r.cubeMs} ms: ${size.cells} cell(s), ` +
    `${size.durations} histogram row(s)); open data: ${files.rows} row(s) over ${files.months} month(s)`
  );
}

/** The monthly cube alone rebuilt from the facts as they are (set-based SQL, one transaction). */
export async function rebuildCube(app: INestApplicationContext): Promise<string> {
  const facts = app.get(ReportingFactsService);
  const t0 = performance.now();
  const n = await facts.rebuildCube();
  const ms = Math.round(performance.now() - t0);
  const size = await facts.cubeSize();
  return `figures' cube rebuilt from ${n} request(s)' facts in ${ms} ms: ${size.cells} cell(s), ${size.durations} histogram row(s)`;
}

export function reportingRebuildCommand(io: CliIo): Command {
  return new Command('reporting-rebuild')
    .description("recompute the figures' rollup from every request (then the open data files), then exit")
    .option('--cube-only', 'rebuild only the monthly cube from the per-request facts as they are (set-based), not the facts')
    .action(async (opts: { cubeOnly?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      io.out(await withApp(ctx, opts.cubeOnly ? rebuildCube : rebuildFigures));
    });
}
