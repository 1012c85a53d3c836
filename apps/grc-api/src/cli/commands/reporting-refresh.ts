import { Command } from 'commander';
import { ReportingFactsService } from '../../modules/reporting/reporting-facts.service';
import { contextOf, withApp, type CliIo } from '../context';

/** Folds the requests changed since the last refresh (report_dirty) into the figures' rollup; bench/reporting.mjs times it. */
export function reportingRefreshCommand(io: CliIo): Command {
  return new Command('reporting-refresh')
    .description("fold the requests changed since the last refresh into the figures' rollup, then exit")
    .action(async (_opts, cmd: Command) => {
      const ctx = contextOf(cmd, io);
      const { n, ms } = await withApp(ctx, async (app) => {
        const t0 = performance.now();
        const folded = await app.get(ReportingFactsService).drain();
        return { n: folded, ms: Math.round(performance.now() - t0) };
      });
      io.out(`figures refreshed: ${n} request(s) in ${ms} ms`);
    });
}
