#!/usr/bin/env node
// E-mail intake throughput: a real Dovecot mailbox of N messages (default 10,000) read by the IMAP
// intake (imapflow + mailparser), each message a ticket (transaction: mail_imported, citizen, ticket,
// timeline, audit, acknowledgement in the outbox). Prints messages/s and the time per message (p50/p99/max).
//   node bench/mail-intake.mjs [--messages=10000] [--batch=100]
// Needs PostgreSQL and Redis on 127.0.0.1 and Debian's dovecot-imapd (run as root, like .ci/run).
// A throwaway database is created and dropped; everything listens on 127.0.0.1.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2]];
  }),
);
const N = Number(args.messages ?? 10_000);
const BATCH = Number(args.batch ?? 100);

// the API's TypeScript, loaded through ts-node with the workspace's path aliases
process.env.TS_NODE_PROJECT = join(ROOT, 'apps/grc-api/tsconfig.spec.json');
process.env.TS_NODE_TRANSPILE_ONLY = 'true';
const require = createRequire(import.meta.url);
require('ts-node/register');
const setup = require(join(ROOT, 'apps/grc-api/test/support/global-setup.ts')).default;
const teardown = require(join(ROOT, 'apps/grc-api/test/support/global-teardown.ts')).default;
const { startTestApp } = require(join(ROOT, 'apps/grc-api/test/support/test-app.ts'));
const { startDovecot } = require(join(ROOT, 'apps/grc-api/test/support/dovecot.ts'));
const { MailIntakePoller } = require(join(ROOT, 'apps/grc-api/src/modules/mail/intake.poller.ts'));
const { ImapFlow } = require('imapflow');

const message = (i) =>
  [
    `From: Habitant ${i} <habitant${i % 2000}@citoyens.example>`,
    'To: mairie@saint-aubin.test',
    `Subject: Signalement ${i} : lampadaire éteint`,
    `Message-ID: <bench-${i}-${Date.now()}@citoyens.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Bonjour,\nle lampadaire devant le ${i} rue des Lilas est éteint depuis hier soir.\nMerci de votre intervention.\n`,
    '',
  ].join('\r\n');

process.env.GRC_ROOT = ROOT;
await setup();
const dovecot = await startDovecot();
let ctx;
try {
  ctx = await startTestApp({ MAIL_FROM: 'Mairie <mairie@saint-aubin.test>', MAIL_INTAKE_TICK_MS: '0', GRC_LOG_LEVEL: 'error' });
  const imap = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
  await imap.connect();
  const t0 = Date.now();
  for (let i = 0; i < N; i += 50)
    await Promise.all(Array.from({ length: Math.min(50, N - i) }, (_, k) => imap.append('INBOX', message(i + k))));
  console.log(`filled the mailbox with ${N} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await imap.logout();
  const [cat] = await ctx.db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
  const [box] = await ctx.db.query(
    `INSERT INTO mail_mailboxes (name, host, port, secure, username, password, category_id) VALUES ('bench', $1, $2, false, $3, $4, $5) RETURNING id`,
    [dovecot.host, dovecot.port, dovecot.user, dovecot.password, cat.id],
  );
  const started = new Date();
  const start = process.hrtime.bigint();
  const r = await ctx.app.get(MailIntakePoller).poll(box.id, { batchSize: BATCH });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw new Error(r.error);
  const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets WHERE channel = 'email' AND created_at >= $1`, [started]);
  const [{ o }] = await ctx.db.query(`SELECT count(*)::int AS o FROM mail_outbox WHERE kind = 'acknowledgement'`);
  // time per message: the gap between consecutive tickets (each message is one transaction, in turn;
  // the first message of a batch also carries the batch's IMAP fetch and parsing)
  const gaps = (
    await ctx.db.query(
      `SELECT extract(epoch FROM created_at - lag(created_at) OVER (ORDER BY created_at)) * 1000 AS ms FROM tickets WHERE channel = 'email' AND created_at >= $1`,
      [started],
    )
  )
    .map((x) => Number(x.ms))
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b);
  const pct = (q) => Number(gaps[Math.min(gaps.length - 1, Math.ceil((q / 100) * gaps.length) - 1)].toFixed(1));
  console.log(
    JSON.stringify(
      {
        benchmark: 'mail-intake',
        messages: N,
        tickets: n,
        acknowledgementsQueued: o,
        seconds: Number(seconds.toFixed(2)),
        messagesPerSecond: Number((r.seen / seconds).toFixed(1)),
        perMessageMs: { p50: pct(50), p99: pct(99), max: pct(100) },
        outcomes: r.outcomes,
        cpus: (await import('node:os')).cpus().length,
      },
      null,
      2,
    ),
  );
} finally {
  await ctx?.close();
  await dovecot.stop();
  await teardown();
}
process.exit(0);
