import { Client } from 'pg';

/** The server the tests use: the machine's PostgreSQL unless TEST_PG_URL names another. */
export const serverUrl = () => process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const databaseUrlFor = (name: string) => {
  const u = new URL(serverUrl());
  u.pathname = `/${name}`;
  return u.toString();
};

export async function adminQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
