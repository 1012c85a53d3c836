#!/usr/bin/env node
// Open311 POST requests throughput: 8 clients creating service requests against a RUNNING app.
//   node bench/open311-post.mjs [--url=http://127.0.0.1:3000] [--duration=10] [--connections=8] [--format=json|xml]
// The API key comes from OPEN311_API_KEY; without it one is created through the console API as the demo
// admin (GRC_ADMIN_EMAIL / GRC_ADMIN_PASSWORD, demo pack defaults) and revoked at the end.
// Every request creates a real ticket (channel open311): run it against a demo or bench database only.
import autocannon from 'autocannon';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? true];
  }),
);
const known = ['url', 'duration', 'connections', 'format'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const BASE = String(args.url ?? process.env.GRC_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const DURATION = Number(args.duration ?? 10);
const CONNECTIONS = Number(args.connections ?? 8);
const FORMAT = args.format === 'xml' ? 'xml' : 'json';
const ADMIN = process.env.GRC_ADMIN_EMAIL ?? 'admin@saint-aubin.fr';
const PASSWORD = process.env.GRC_ADMIN_PASSWORD ?? 'Demo-GRC-2026!'; // packs/demo-town (demo only)

async function adminSession() {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
    body: JSON.stringify({ email: ADMIN, password: PASSWORD }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`admin login failed (${res.status}); set OPEN311_API_KEY instead`);
  const cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? '']).map((c) => c.split(';')[0]).join('; ');
  return { Cookie: cookie, 'X-Requested-With': 'grc', 'Content-Type': 'application/json' };
}

async function main() {
  let key = process.env.OPEN311_API_KEY;
  let cleanup = async () => {};
  if (!key) {
    const headers = await adminSession();
    const res = await fetch(`${BASE}/api/v1/open311-keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `bench ${new Date().toISOString()}` }),
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 201) throw new Error(`could not create an API key (${res.status} ${await res.text()})`);
    const created = await res.json();
    key = created.key;
    cleanup = async () => {
      await fetch(`${BASE}/api/v1/open311-keys/${created.id}`, { method: 'DELETE', headers, signal: AbortSignal.timeout(10_000) });
    };
  }
  const services = await (await fetch(`${BASE}/open311/v2/services.json`, { signal: AbortSignal.timeout(10_000) })).json();
  const definitions = await Promise.all(
    services.map(async (s) =>
      (
        await fetch(`${BASE}/open311/v2/services/${encodeURIComponent(s.service_code)}.json`, { signal: AbortSignal.timeout(10_000) })
      ).json(),
    ),
  );
  // services whose required attributes we can fill (first value of each list, a text otherwise)
  const usable = definitions.map((d) => ({
    code: d.service_code,
    attributes: d.attributes
      .filter((a) => a.required && a.variable)
      .map((a) => [a.code, a.values?.[0]?.key ?? (a.datatype === 'number' ? '1' : 'bench')]),
  }));
  let n = 0;
  const body = () => {
    const s = usable[n++ % usable.length];
    const p = new URLSearchParams({
      api_key: key,
      service_code: s.code,
      lat: (47.38 + Math.random() * 0.03).toFixed(6),
      long: (0.67 + Math.random() * 0.04).toFixed(6),
      address_string: `${1 + (n % 120)} rue du Banc d'essai`,
      description: `Signalement de test n° ${n} (bench Open311)`,
      email: `bench-open311-${n % 500}@example.org`,
      first_name: 'Banc',
      last_name: `Essai ${n % 500}`,
    });
    for (const [code, value] of s.attributes) p.set(`attribute[${code}]`, value);
    return p.toString();
  };
  console.log(`POST ${BASE}/open311/v2/requests.${FORMAT}: ${CONNECTIONS} clients, ${DURATION} s, ${usable.length} services`);
  try {
    const result = await autocannon({
      url: `${BASE}/open311/v2/requests.${FORMAT}`,
      connections: CONNECTIONS,
      duration: DURATION,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          setupRequest: (req) => ({ ...req, body: body() }),
        },
      ],
    });
    console.log(
      `requests/s: ${result.requests.average.toFixed(1)} (total ${result.requests.total}), latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(`2xx: ${result['2xx']}, non-2xx: ${result.non2xx}, errors: ${result.errors}, timeouts: ${result.timeouts}`);
    if (result.non2xx || result.errors) process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
