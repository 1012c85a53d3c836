import { join } from 'node:path';
// Jest runs global setup outside its module system, so the workspace's path aliases need registering here.
import { readFileSync } from 'node:fs';
import { register } from 'tsconfig-paths';
const root = join(__dirname, '../../../..');
register({ baseUrl: root, paths: JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths });

import { createDataSource } from '../../src/database/data-source';
import { loadTownPackFromFolder } from '../../src/modules/packs/pack-loader';
import { adminQuery, databaseUrlFor } from './test-database';

/**
 * The run's template database: created, migrated and loaded with the demo town once; each spec file
 * then gets its own copy (spec-environment.ts, CREATE DATABASE … TEMPLATE), dropped after the file.
 * The teardown drops the template and any copy a crashed worker left behind.
 */
export default async function globalSetup(): Promise<void> {
  const name = `grc_test_${process.pid}_${Date.now().toString(36)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = databaseUrlFor(name);
  process.env['GRC_TEST_TEMPLATE_DB'] = name;
  process.env['GRC_ROOT'] = join(__dirname, '../../../..');
  const ds = await createDataSource(url).initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    await loadTownPackFromFolder(ds, join(__dirname, '../../../../packs/demo-town'), { onlyIfEmpty: false, now: new Date() });
  } finally {
    // a template must have no session open while it is copied
    await ds.destroy();
  }
}
