#!/usr/bin/env node
// Workflow actions through the API with PostgreSQL, against a RUNNING app loaded with the demo town:
//   node bench/workflows-api.mjs [--url=http://127.0.0.1:3000] [--tickets=200] [--concurrency=8]
// Each ticket (category « Déclaration préalable », circuit reponse-sensible-urbanisme) goes through
// submit_draft (agent) → approve (head of urbanisme) → approve (élu, any-of step with the DGS) → reply sent:
// three POST /api/v1/tickets/:id/workflow/actions, each one a ticket transaction (row lock, version check,
// engine, timeline events, audit row, durable timers, notifications). Tickets are created before the clock
// starts; `concurrency` tickets advance in parallel. Reports actions/s and latency percentiles.
// Every run creates real tickets: run it against a demo or bench database only.

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['url', 'tickets', 'concurrency'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const BASE = String(args.url ?? process.env.GRC_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const TICKETS = Number(args.tickets ?? 200);
const CONCURRENCY = Number(args.concurrency ?? 8);
const PASSWORD = process.env.GRC_DEMO_PASSWORD ?? 'Demo-GRC-2026!'; // packs/demo-town (demo only)
const PEOPLE = { agent: 'emma.clarke@saint-aubin.fr', head: 'olivier.chevalier@saint-aubin.fr', elu: 'bernard.lucas@saint-aubin.fr' };

async function session(email) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
    body: JSON.stringify({ email, password: PASSWORD }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`login ${email} failed (${res.status})`);
  const cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
  return { Cookie: cookie, 'X-Requested-With': 'grc', 'Content-Type': 'application/json' };
}

async function call(headers, method, path, body) {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const h = { agent: await session(PEOPLE.agent), head: await session(PEOPLE.head), elu: await session(PEOPLE.elu) };
  const categories = (await call(h.agent, 'GET', '/categories')).body;
  const category = categories.find((c) => c.code === 'declaration-prealable');
  if (!category) throw new Error('category declaration-prealable missing: load packs/demo-town');

  process.stdout.write(`creating ${TICKETS} tickets… `);
  const tickets = [];
  for (let i = 0; i < TICKETS; i++) {
    const r = await call(h.agent, 'POST', '/tickets', {
      channel: 'counter',
      categoryId: category.id,
      subject: `Banc d'essai circuits ${i}`,
      description: 'Déclaration préalable (bench des circuits de validation).',
    });
    if (r.status !== 201) throw new Error(`ticket creation: ${r.status} ${JSON.stringify(r.body)}`);
    tickets.push({ id: r.body.id, version: r.body.version });
  }
  process.stdout.write('done\n');

  const steps = [
    (t) => [h.agent, { type: 'submit_draft', text: `Votre déclaration ${t.id} est complète.` }],
    () => [h.head, { type: 'approve' }],
    () => [h.elu, { type: 'approve', comment: 'Signé' }],
  ];
  const latencies = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < tickets.length) {
      const t = tickets[next++];
      for (const s of steps) {
        const [headers, body] = s(t);
        const t0 = performance.now();
        const r = await call(headers, 'POST', `/tickets/${t.id}/workflow/actions`, { ...body, version: t.version });
        latencies.push(performance.now() - t0);
        if (r.status !== 201) {
          failures++;
          process.stderr.write(`${r.status} ${JSON.stringify(r.body).slice(0, 200)}\n`);
          break;
        }
        t.version = r.body.ticketVersion;
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const result = {
    bench: 'workflows-api',
    url: BASE,
    tickets: TICKETS,
    concurrency: CONCURRENCY,
    actions: latencies.length,
    failures,
    seconds: Number(seconds.toFixed(2)),
    actionsPerSecond: Number((latencies.length / seconds).toFixed(1)),
    latencyMs: {
      p50: Number(percentile(sorted, 50).toFixed(1)),
      p95: Number(percentile(sorted, 95).toFixed(1)),
      p99: Number(percentile(sorted, 99).toFixed(1)),
      max: Number(sorted.at(-1).toFixed(1)),
    },
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (failures) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
