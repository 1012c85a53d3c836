/**
 * grc-api entry point. One build, several commands:
 *   node main.js [serve] [--migrate] [--demo <pack folder>]   run the role named by GRC_ROLE (api, worker or all)
 *   node main.js migrate                                      apply pending migrations and exit
 *   node main.js load-pack <pack folder>                      load a town pack into an empty database (skips a loaded one) and exit
 *   node main.js export-pack <folder>                         write the running town's configuration as a town pack into the folder and exit
 *   node main.js import-pack <folder> [--dry-run]             import a pack into this instance (empty: load it; running: apply the differences, all or nothing) and exit
 *   node main.js sla-backfill                                 start the SLA clocks of open tickets that have none (imported history) and exit
 */
import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { GrcConfig, loadConfig } from './config/config';
import { createDataSource } from './database/data-source';
import { createApp } from './http-app';
import { loadTownPackFromFolder } from './modules/packs/pack-loader';
import { exportPack, importPack } from './modules/packs/pack-transfer';
import { SlaEngine } from './modules/sla/sla.engine';

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
      if (await loadPack(config.migrateDatabaseUrl, rest[0], true)) await withApp({ ...config, role: 'api' }, backfillSla);
      return;
    }
    case 'export-pack': {
      if (!rest[0]) throw new Error('usage: main.js export-pack <folder>');
      const ds = await createDataSource(config.migrateDatabaseUrl).initialize();
      try {
        const written = await exportPack(ds, rest[0]);
        log.log(`town pack exported to ${rest[0]}: ${written.length} file(s)`);
      } finally {
        await ds.destroy();
      }
      return;
    }
    case 'import-pack': {
      const folder = rest.find((a) => !a.startsWith('--'));
      if (!folder) throw new Error('usage: main.js import-pack <folder> [--dry-run]');
      const dryRun = flag('--dry-run') >= 0;
      if (!dryRun) await migrate(config.migrateDatabaseUrl);
      const ds = await createDataSource(config.migrateDatabaseUrl).initialize();
      let loaded = false;
      try {
        const r = await importPack(ds, folder, { dryRun });
        for (const c of r.changes) log.log(`${c.action} ${c.kind} ${c.key}${c.fields ? ` (${c.fields.join(', ')})` : ''}`);
        log.log(
          `${r.changes.length} change(s) ${r.applied ? 'applied' : dryRun ? 'previewed (dry run: nothing written)' : '(nothing to apply)'}`,
        );
        loaded = r.applied && r.mode === 'load';
      } finally {
        await ds.destroy();
      }
      if (loaded) await withApp({ ...config, role: 'api' }, backfillSla);
      return;
    }
    case 'sla-backfill':
      return withApp({ ...config, role: 'api' }, backfillSla);
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
      throw new Error(`unknown command "${command}" (serve, migrate, load-pack, export-pack, import-pack, sla-backfill)`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  log.error(e instanceof Error ? e.message : String(e), e instanceof Error ? e.stack : undefined);
  process.exit(1);
});
