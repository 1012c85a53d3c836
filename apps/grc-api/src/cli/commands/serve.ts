import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { forEachCommune } from '../../database/tenancy';
import { readEnvironment } from '../../config/environment';
import { createApp } from '../../http-app';
import { SlaEngine } from '../../modules/sla/sla.engine';
import { rebuildFigures } from './reporting-rebuild';
import { loadTownPackFromFolder } from '../../modules/packs/pack-loader';
import { cliState, contextOf, withOwnerDataSource, type CliIo } from '../context';
import { runMigrations } from './migrate';
import { announceListening, clusterPrimary, runClusterPrimary } from '../cluster';

export function serveCommand(io: CliIo): Command {
  return new Command('serve')
    .description('run the role named by GRC_ROLE: api (REST API + console), worker (background jobs) or all (default command)')
    .option('--migrate', 'apply pending migrations first')
    .option(
      '--demo <folder>',
      'load this pack first when its commune has no department yet (quick start, tests); repeatable: the packs in order (a métropole, then its communes)',
      (folder: string, folders: string[]) => [...folders, folder],
      [] as string[],
    )
    .action(async (opts: { migrate?: boolean; demo: string[] }, cmd: Command) => {
      const ctx = contextOf(cmd, io, { server: true });
      cliState.serving = true;
      const config = ctx.config();
      const log = new Logger('grc');
      let loaded = false;
      // GRC_API_WORKERS > 1: this primary migrates and loads the pack once, then forks the processes (cli/cluster.ts);
      // they run this same command, so they skip what the primary did
      if ((opts.migrate || opts.demo.length) && !cluster.isWorker) {
        await withOwnerDataSource(ctx, async (ds) => {
          if (opts.migrate) await runMigrations(ds, ctx);
          for (const folder of opts.demo) {
            const result = await loadTownPackFromFolder(ds, folder, { onlyIfEmpty: true, now: new Date() });
            loaded ||= result.loaded;
            io.out(
              result.loaded ? `town pack loaded from ${folder}: ${result.summary}` : `town pack ${folder} not loaded: ${result.summary}`,
            );
          }
        });
      }
      if (clusterPrimary(config)) {
        if (loaded) {
          // the pack's clocks and figures once, in an app of its own that stops before the processes start
          const setup = await createApp({ ...config, metrics: { ...config.metrics, port: null } });
          await setup.init();
          await forEachCommune(setup.get(DataSource), () =>
            setup
              .get(SlaEngine)
              .backfill()
              .then(() => undefined),
          );
          log.log(await rebuildFigures(setup));
          await setup.close();
        }
        await runClusterPrimary(config, readEnvironment().HOST);
        return;
      }
      const app = await createApp(config);
      if (loaded) {
        await app.init();
        await forEachCommune(app.get(DataSource), () =>
          app
            .get(SlaEngine)
            .backfill()
            .then(() => undefined),
        );
        log.log(await rebuildFigures(app));
      }
      if (config.role === 'worker') {
        await app.init();
        log.log('worker started');
        return;
      }
      await app.listen(config.port, readEnvironment().HOST);
      announceListening();
      log.log(`GRC (${config.role}) listening on http://localhost:${config.port}`);
    });
}
