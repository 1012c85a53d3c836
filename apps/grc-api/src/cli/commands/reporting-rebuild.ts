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
  const facts = app.get(ReportingFactsService);
  let requests = 0;
  let batches = 0;
  let factsMs = 0;
  let cubeMs = 0;
  let cells = 0;
  let durations = 0;
  let rows = 0;
  let months = 0;
  let communes = 0;
  await forEachCommune(app.get(DataSource), async () => {
    const r = await facts.rebuild();
    requests += r.requests;
    batches += r.batches;
    factsMs += r.factsMs;
    cubeMs += r.cubeMs;
    const size = await facts.cubeSize();
    cells += size.cells;
    durations += size.durations;
    const files = await app.get(OpenDataService).generate();
    rows += files.rows;
    months = Math.max(months, files.months);
    communes++;
  });
  return (
    `figures rebuilt: ${requests} request(s) in ${communes} commune(s) (facts ${factsMs} ms in ${batches} batch(es), cube ${cubeMs} ms: ${cells} cell(s), ` +
    `${durations} histogram row(s)); open data: ${rows} row(s) over ${months} month(s)`
  );
}

/** The monthly cube alone rebuilt from the facts as they are (set-based SQL, one transaction per commune). */
export async function rebuildCube(app: INestApplicationContext): Promise<string> {
  const facts = app.get(ReportingFactsService);
  const t0 = performance.now();
  let n = 0;
  let cells = 0;
  let durations = 0;
  await forEachCommune(app.get(DataSource), async () => {
    n += await facts.rebuildCube();
    const size = await facts.cubeSize();
    cells += size.cells;
    durations += size.durations;
  });
  const ms = Math.round(performance.now() - t0);
  return `figures' cube rebuilt from ${n} request(s)' facts in ${ms} ms: ${cells} cell(s), ${durations} histogram row(s)`;
}

/** The open data files alone regenerated from the rollup as it is, every commune; the time and the process's peak memory. */
export async function regenerateOpenData(app: INestApplicationContext): Promise<string> {
  const t0 = performance.now();
  let rows = 0;
  let communes = 0;
  await forEachCommune(app.get(DataSource), async () => {
    rows += (await app.get(OpenDataService).generate()).rows;
    communes++;
  });
  const ms = Math.round(performance.now() - t0);
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  return `open data regenerated: ${rows} row(s) in ${communes} commune(s) in ${ms} ms, peak RSS ${peak} MB`;
}

export function reportingRebuildCommand(io: CliIo): Command {
  return new Command('reporting-rebuild')
    .description("recompute the figures' rollup from every request of every commune (then the open data files), then exit")
    .option('--cube-only', 'rebuild only the monthly cube from the per-request facts as they are (set-based), not the facts')
    .option('--open-data-only', 'regenerate only the public open data files from the rollup as it is')
    .action(async (opts: { cubeOnly?: boolean; openDataOnly?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      io.out(await withApp(ctx, opts.openDataOnly ? regenerateOpenData : opts.cubeOnly ? rebuildCube : rebuildFigures));
    });
}
