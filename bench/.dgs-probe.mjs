import { spawn } from 'node:child_process';
const env = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/grc_bench10m', REDIS_URL: 'redis://127.0.0.1:6379', PORT: '3979', HOST: '127.0.0.1', GRC_ROLE: 'all', GRC_ROOT: process.cwd(), GRC_QUEUE_PREFIX: 'grc-probe', GRC_LOGIN_IP_FAILURES: '100000', GRC_REPORTING_REFRESH_SECONDS: '0', GRC_OPEN_DATA_EVERY_HOURS: '0', GRC_RETENTION_EVERY_MINUTES: '0', NODE_ENV: 'production', GRC_DATA_DIR: process.cwd() + '/bench/.data' };
const child = spawn(process.execPath, ['dist/apps/grc-api/main.js', 'serve'], { env, stdio: 'ignore' });
const B = 'http://127.0.0.1:3979';
for (let i = 0; i < 120; i++) { if (await fetch(B + '/api/v1/health').then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 500)); }
const login = await fetch(B + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-requested-with': 'grc' }, body: JSON.stringify({ email: 'helene.marchand@saint-aubin.fr', password: 'Demo-GRC-2026!' }) });
const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('grc_session='));
for (const q of process.argv.slice(2)) {
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await fetch(B + '/api/v1/reporting/dashboard?' + q, { headers: { cookie, 'x-requested-with': 'grc' } });
    await r.text();
    console.log(q, r.status, Math.round(performance.now() - t0), 'ms');
  }
}
child.kill('SIGTERM');
