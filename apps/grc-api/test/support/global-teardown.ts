import { Client } from 'pg';
import { adminQuery, serverUrl } from './test-database';

/** Drops the run's template and whatever copy of it is left (a worker killed before its file's teardown). */
export default async function globalTeardown(): Promise<void> {
  const template = process.env['GRC_TEST_TEMPLATE_DB'];
  if (!template || process.env['GRC_KEEP_TEST_DB'] === 'true') return;
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  let names: string[];
  try {
    names = (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_f%'`, [template])).rows.map(
      (r) => r.datname,
    );
  } finally {
    await c.end();
  }
  for (const name of names) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
}
