/**
 * grc-api entry point. One build, several commands:
 *   node main.js [serve] [--migrate] [--demo <pack folder>]   run the role named by GRC_ROLE (api, worker or all)
 *   node main.js migrate                                      apply pending migrations and exit
 *   node main.js load-pack <pack folder>                      load a town pack into an empty database (skips a loaded one) and exit
 *   node main.js reporting-refresh                            fold the requests changed since the last refresh into the figures' rollup and exit
 *   node main.js reporting-rebuild                            recompute the figures' rollup from every request (then open data) and exit
 *   node main.js sla-backfill                                 start the SLA clocks of open tickets that have none (imported history) and exit
 */
import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { GrcConfig, loadConfig } from './config/config';
import { createDataSource } from './database/data-source';
import { createApp } from './http-app';
import { loadTownPackFromFolder } from './modules/packs/pack-loader';
import { SlaEngine } from './modules/sla/sla.engine';
import { OpenDataService } from './modules/reporting/open-data.service';
import { ReportingFactsService } from './modules/reporting/reporting-facts.service';

const log = new Logger('grc');

async function migrate(databaseUrl: string): Promise<void> {
  const ds = await createDataSource(databaseUrl).initialize();
  try {
    const done = await ds.runMigrations({ transaction: 'each' });
    log.log(done.length ? `applied ${done.length} migration(s): ${done.map((m) => m.name).join(', ')}` : 'schema up to date');
    // compose: the owner gives the app's role (created by the migrations, NOLOGIN) a login of its own
    const password = process.env['GRC_APP_DB_PASSWORD'];
    const role = loadConfig().dbRole;
    if (password && role) {
      const [{ sql }] = await ds.query(`SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', $1::text, $2::text) AS sql`, [
        role,
        password,
      ]);
      await ds.query(sql);
      log.log(`role ${role} may log in (GRC_APP_DB_PASSWORD)`);
    }
  } finally {
    await ds.destroy();
  }
}

async function loadPack(databaseUrl: string, folder: string, onlyIfEmpty: boolean): Promise<boolean> {
  const ds = await createDataSource(databaseUrl).initialize();
  try {
    const result = await loadTownPackFromFolder(ds, folder, { onlyIfEmpty, now: new Date() });
    log.log(result.loaded ? `town pack loaded from ${folder}: ${result.summary}` : `town pack not loaded: ${result.summary}`);
    return result.loaded;
  } finally {
    await ds.destroy();
  }
}

/** SLA clocks for the open tickets a pack (or an import) brought without any. */
async function backfillSla(app: INestApplicationContext): Promise<void> {
  const examined = await app.get(SlaEngine).backfill();
  log.log(`SLA clocks backfilled: ${examined} open ticket(s) examined`);
}

/** The figures' rollup recomputed from every request (after a pack's history, or on demand), then the open data files. */
async function rebuildFigures(app: INestApplicationContext): Promise<void> {
  const n = await app.get(ReportingFactsService).rebuild();
  const files = await app.get(OpenDataService).generate();
  log.log(`figures rebuilt: ${n} request(s); open data: ${files.rows} row(s) over ${files.months} month(s)`);
}

/** Runs one piece of work with the api role's services (no HTTP listener, no queue workers), then closes it. */
async function withApp(config: GrcConfig, work: (app: INestApplicationContext) => Promise<void>): Promise<void> {
  const app = await createApp(config);
  try {
    await app.init();
    await work(app);
  } finally {
    await app.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const config = loadConfig();
  const [command = 'serve', ...rest] = argv[0]?.startsWith('--') ? ['serve', ...argv] : argv;
  const flag = (name: string) => rest.indexOf(name);
  switch (command) {
    case 'migrate':
      return migrate(config.migrateDatabaseUrl);
    case 'load-pack': {
      if (!rest[0]) throw new Error('usage: main.js load-pack <pack folder>');
      await migrate(config.migrateDatabaseUrl);
      // safe to re-run (compose runs it on every start in demo mode): a configured town is left alone
      if (await loadPack(config.migrateDatabaseUrl, rest[0], true))
        await withApp({ ...config, role: 'api' }, async (app) => {
          await backfillSla(app);
          await rebuildFigures(app);
        });
      return;
    }
    case 'sla-backfill':
      return withApp({ ...config, role: 'api' }, backfillSla);
    case 'reporting-refresh':
      return withApp({ ...config, role: 'api' }, async (app) => {
        const t0 = performance.now();
        const n = await app.get(ReportingFactsService).drain();
        log.log(`figures refreshed: ${n} request(s) in ${Math.round(performance.now() - t0)} ms`);
      });
    case 'reporting-rebuild':
      return withApp({ ...config, role: 'api' }, rebuildFigures);
    case 'serve': {
      if (flag('--migrate') >= 0) await migrate(config.migrateDatabaseUrl);
      const demo = flag('--demo');
      let loaded = false;
      if (demo >= 0) {
        const folder = rest[demo + 1];
        if (!folder) throw new Error('--demo needs a pack folder');
        loaded = await loadPack(config.migrateDatabaseUrl, folder, true);
      }
      const app = await createApp(config);
      if (loaded) {
        await app.init();
        await backfillSla(app);
        await rebuildFigures(app);
      }
      if (config.role === 'worker') {
        await app.init();
        log.log('worker started');
        return;
      }
      await app.listen(config.port, process.env['HOST'] ?? '0.0.0.0');
      log.log(`GRC (${config.role}) listening on http://localhost:${config.port}`);
      return;
    }
    default:
      throw new Error(`unknown command "${command}" (serve, migrate, load-pack, sla-backfill, reporting-refresh, reporting-rebuild)`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  log.error(e instanceof Error ? e.message : String(e), e instanceof Error ? e.stack : undefined);
  process.exit(1);
});
