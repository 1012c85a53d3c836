import { adminQuery } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const name = process.env['GRC_TEST_DB'];
  if (name && process.env['GRC_KEEP_TEST_DB'] !== 'true') await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
