import type { INestApplication } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/config';
import { createApp } from '../../src/http-app';

/** The demo pack's password for every demo account (packs/demo-town/agents.yaml). */
export const DEMO_PASSWORD = process.env['GRC_DEMO_PASSWORD'] ?? 'Demo-GRC-2026!';

export interface TestContext {
  app: INestApplication;
  /** base URL of the running server */
  url: string;
  db: DataSource;
  /** an anonymous client */
  http: ReturnType<typeof request.agent>;
  /** a client logged in as this demo account, sending the CSRF header */
  loginAs(email: string, password?: string): Promise<ReturnType<typeof request.agent>>;
  /** the same, logged in once per context and reused (specs that act as many people in turn) */
  as(email: string): Promise<ReturnType<typeof request.agent>>;
  close(): Promise<void>;
}

/** Boots the whole product (role all: API and worker) on a random port against the run's database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestContext> {
  // The app reads its configuration from the environment while it is built; restore it afterwards
  // so that one spec's settings never leak into the next.
  const saved = { ...process.env };
  Object.assign(process.env, {
    GRC_DATA_DIR: mkdtempSync(join(tmpdir(), 'grc-data-')),
    GRC_LOGIN_ACCOUNT_FAILURES: '1000',
    GRC_LOGIN_IP_FAILURES: '100000',
    GRC_LOG_LEVEL: 'warn',
    // the retention job's first run at start-up would anonymise the demo's old requests in the background
    // while a spec compares tables (fuzz: "no table changed"); retention.spec runs it explicitly
    GRC_RETENTION_EVERY_MINUTES: '0',
    // the same for the figures' refresh and the open data (reporting.spec drains and generates explicitly)
    GRC_REPORTING_REFRESH_SECONDS: '0',
    GRC_OPEN_DATA_EVERY_HOURS: '0',
    ...env,
  });
  let app: INestApplication;
  try {
    app = await createApp({ ...loadConfig(), port: 0 });
  } finally {
    process.env = saved;
  }
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const address = server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const db = app.get(DataSource);
  const loginAs = async (email: string, password = DEMO_PASSWORD) => {
    const agent = request.agent(server).set('X-Requested-With', 'grc');
    const res = await agent.post('/api/v1/auth/login').send({ email, password });
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return agent;
  };
  const clients = new Map<string, Promise<ReturnType<typeof request.agent>>>();
  return {
    app,
    url,
    db,
    http: request.agent(server),
    loginAs,
    as(email: string) {
      if (!clients.has(email)) clients.set(email, loginAs(email));
      return clients.get(email)!;
    },
    close: () => app.close(),
  };
}
