import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadConfig } from './config';
import {
  ConfigError,
  describeEnvironment,
  envAtImport,
  ENVIRONMENT,
  readEnvironment,
  unknownVariables,
  withEnvironmentSection,
} from './environment';

const ROOT = join(__dirname, '../../../..');

function* codeFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* codeFiles(p);
    else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(name)) yield p;
  }
}

/** Every variable a process reads: `process.env['X']`, `process.env.X`, `env['X']` / `env.X` on a ProcessEnv. */
/**
 * the operating system's own, handed to child processes, and npm's INIT_CWD (where `npm run grc` was typed:
 * scripts/grc.mjs runs the command there); bench/ has its own variables: bench/README.md
 */
const SYSTEM = new Set(['PATH', 'HOME', 'INIT_CWD']);

function variablesReadByTheCode(): Map<string, string> {
  const found = new Map<string, string>();
  const access = /\benv(?:\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]|\.([A-Z][A-Z0-9_]+)\b)/g;
  for (const top of ['apps', 'scripts', 'libs']) {
    for (const file of codeFiles(join(ROOT, top))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(access)) if (!SYSTEM.has(m[1] ?? m[2]!)) found.set(m[1] ?? m[2]!, relative(ROOT, file));
    }
  }
  return found;
}

describe('the configuration schema (one list of every environment variable)', () => {
  it('knows every variable the code reads (apps, scripts, libs): a new variable goes into the schema and the doc', () => {
    const known = new Set(Object.keys(ENVIRONMENT));
    const read = variablesReadByTheCode();
    // reads through readEnvironment() are type-checked against the schema; these are the direct ones (scripts, tests, bench)
    expect(read.size).toBeGreaterThan(20);
    const unknown = [...read].filter(([name]) => !known.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(unknown).toEqual([]);
  });

  it('docs/configuration.md carries exactly the generated reference (npm run grc -- config doc --write docs/configuration.md)', () => {
    const page = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    expect(page).toBe(withEnvironmentSection(page));
    for (const name of Object.keys(ENVIRONMENT)) expect(page).toContain(`\`${name}\``);
  });

  it('refuses invalid values naming every variable at fault, where the old code fell back to the default', () => {
    const attempt = () =>
      readEnvironment({ PORT: 'eighty', GRC_LOGIN_IP_FAILURES: '-3', GRC_SECURE_COOKIES: 'yes', REDIS_URL: 'localhost:6379' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (e) {
      const issues = (e as ConfigError).issues.map((i) => i.name);
      expect(issues).toEqual(['PORT', 'REDIS_URL', 'GRC_SECURE_COOKIES', 'GRC_LOGIN_IP_FAILURES']);
      expect((e as Error).message).toMatch(/PORT="eighty": must be a whole number from 0 to 65535/);
    }
    expect(() => loadConfig({ GRC_TRACKING_TTL_DAYS: '1.5' })).toThrow(/GRC_TRACKING_TTL_DAYS="1.5"/);
    expect(() => loadConfig({ GRC_RETENTION_BATCH: '0' })).toThrow(/GRC_RETENTION_BATCH="0": must be a whole number from 1 to 5000/);
  });

  it('names the variables of its prefixes that nothing reads (a typo keeps the default in force)', () => {
    expect(
      unknownVariables({
        GRC_QUEU_PREFIX: 'ville-b',
        GRC_QUEUE_PREFIX: 'ville-b',
        MAIL_FORM: 'x',
        SMTP_URL: 'smtp://h',
        PATH: '/bin',
        GRCX: '1',
      }),
    ).toEqual(['GRC_QUEU_PREFIX', 'MAIL_FORM']);
    expect(unknownVariables(Object.fromEntries(Object.keys(ENVIRONMENT).map((n) => [n, 'x'])))).toEqual([]);
  });

  it('envAtImport (constants and decorators read when a module is imported) never throws: grc --help works with any environment', () => {
    expect(envAtImport('GRC_MAX_UPLOAD_BYTES', { PORT: 'eighty', GRC_MAX_UPLOAD_BYTES: '2048' })).toBe(2048);
    expect(envAtImport('GRC_MAX_UPLOAD_BYTES', { GRC_MAX_UPLOAD_BYTES: 'lots' })).toBe(10485760);
    expect(envAtImport('GRC_TIMERS_RECONCILE_MS', {})).toBe(15000);
    // the command itself still refuses it
    expect(() => readEnvironment({ GRC_MAX_UPLOAD_BYTES: 'lots' })).toThrow(/GRC_MAX_UPLOAD_BYTES="lots"/);
  });

  it('applies the defaults and reads valid values', () => {
    const c = loadConfig({ PORT: '8080', GRC_QUEUE_PREFIX: 'ville-b', GRC_DB_ROLE: 'none', GRC_TRUST_PROXY: '1' });
    expect(c).toMatchObject({ port: 8080, queuePrefix: 'ville-b', dbRole: null, trustProxy: 1, role: 'all', trackingTtlDays: 90 });
    expect(loadConfig({}).loginThrottle).toEqual({
      account: { allowedFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600 },
      ipFailures: { points: 200, windowSeconds: 900 },
    });
  });

  it('masks secrets in `config check`: a URL keeps its host, never its password; a key shows nothing', () => {
    const rows = describeEnvironment({
      DATABASE_URL: 'postgres://grc:s3cr3t-pw@db.internal:5432/grc',
      GRC_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      SMTP_URL: 'smtp://mairie:mail-pw@smtp.example.org:587',
    });
    const value = (n: string) => rows.find((r) => r.name === n)?.value;
    expect(value('DATABASE_URL')).toBe('postgres://grc:****@db.internal:5432/grc');
    expect(value('SMTP_URL')).toBe('smtp://mairie:****@smtp.example.org:587');
    expect(value('GRC_SECRET_KEY')).toBe('****');
    expect(JSON.stringify(rows)).not.toMatch(/s3cr3t|mail-pw/);
  });
});
