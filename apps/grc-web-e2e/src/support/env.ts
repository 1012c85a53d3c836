import { Client } from 'pg';

/** What the global setup hands to the specs (environment variables survive into the test workers). */
export const E2E_ENV = {
  baseUrl: 'GRC_E2E_BASE_URL',
  databaseUrl: 'GRC_E2E_DATABASE_URL',
  wsEndpoint: 'GRC_E2E_WS_ENDPOINT',
} as const;

export function e2eEnv(name: keyof typeof E2E_ENV): string {
  const value = process.env[E2E_ENV[name]];
  if (!value) throw new Error(`${E2E_ENV[name]} is not set: run the specs through the grc-web-e2e global setup`);
  return value;
}

/** The machine's PostgreSQL server (trust auth), unless E2E_PG_URL names another. */
export const pgServerUrl = () => process.env['E2E_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const databaseUrlFor = (name: string) => {
  const u = new URL(pgServerUrl());
  u.pathname = `/${name}`;
  return u.toString();
};

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE). */
export async function pgAdmin(sql: string): Promise<void> {
  const c = new Client({ connectionString: pgServerUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** One query on the run's database (demo data look-ups, a scenario's set-up). */
export async function dbQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: e2eEnv('databaseUrl') });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}
