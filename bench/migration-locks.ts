// The upgrade check at scale (issue 15: "migrations never lock a 10 M-row table for more than seconds"): each migration
// since a release replayed alone on a big kept database — its `down()` then its `up()` in ONE transaction that is
// rolled back, so the database is left as it was — with every statement of `up()` timed and the locks the transaction
// holds on the big tables read from pg_locks after each statement (a lock is held until the end of the transaction:
// in `grc migrate`, one transaction per migration, `transaction: 'each'`). A lock on a big table that blocks writes
// (Share, ShareRowExclusive, Exclusive, AccessExclusive) first seen after statement i is held for the time of
// statements i … last of `up()`: that is the figure printed. Migrations with `transaction = false` (CREATE INDEX
// CONCURRENTLY: ShareUpdateExclusive, writes go on) are listed, not replayed, unless --concurrent (then dropped and
// built again for real, outside a transaction, with their duration). A migration whose `down()` cannot run on this
// database (later migrations depend on it, or its data forbids it) is reported as such, its statements listed.
//
//   TS_NODE_PROJECT=bench/migration-locks.tsconfig.json npx ts-node --transpile-only -r tsconfig-paths/register \
//     bench/migration-locks.ts --db=grc_bench10m [--since=1763800000950] [--only=1763800001090,…] [--concurrent]
import { DataSource, type QueryRunner } from 'typeorm';
import { loadavg } from 'node:os';
import { MIGRATIONS } from '../apps/grc-api/src/database/migrations';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? 'true'];
  }),
) as Record<string, string>;
const known = ['db', 'since', 'only', 'concurrent', 'big'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown flag --${k} (${known.join(', ')})`);
const DB = args['db'] ?? 'grc_bench10m';
/** the last migration of the previous release (v0.1.0: test/fixtures/grc-0.1.0.sql.gz): the ones after it are replayed */
const SINCE = Number(args['since'] ?? 1763800000950);
const ONLY = args['only'] ? new Set(args['only'].split(',').map(Number)) : null;
/** a table counts as big from this many rows (estimated, pg_class.reltuples) */
const BIG = Number(args['big'] ?? 1_000_000);
const PG_BASE = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432';
const WRITE_BLOCKING = new Set(['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']);
const stamp = (name: string) => Number(/\d{13}$/.exec(name)?.[0]);

interface Step {
  sql: string;
  ms: number;
  /** big table → mode, newly held after this statement */
  took: Array<[string, string]>;
}

async function locksOf(q: QueryRunner, big: ReadonlySet<string>): Promise<Set<string>> {
  const rows: Array<{ rel: string; mode: string }> = await q.query(
    `SELECT c.relname AS rel, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
     WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation'`,
  );
  return new Set(rows.filter((r) => big.has(r.rel)).map((r) => `${r.rel}\t${r.mode}`));
}

/** The statements a migration's up() issues, captured by a runner that runs nothing (SELECTs answer one row with an id). */
async function captured(m: { up(q: QueryRunner): Promise<unknown> }): Promise<string[]> {
  const out: string[] = [];
  const fake = {
    query: async (sql: string) => {
      out.push(sql.replace(/\s+/g, ' ').trim());
      return /^\s*(SELECT|WITH)/i.test(sql) ? [{ id: '00000000-0000-4000-8000-000000000000' }] : [];
    },
  } as unknown as QueryRunner;
  await m.up(fake).catch(() => undefined);
  return out;
}

/**
 * What a statement costs a big table under its lock: catalog only (milliseconds, whatever the rows: a column with a
 * constant default, a NOT VALID constraint, row-level security, a policy, a trigger, a default) or not.
 */
function classify(sql: string): string {
  if (/CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)/i.test(sql)) return 'INDEX BUILD (Share lock: writes wait for the whole build)';
  if (/VALIDATE CONSTRAINT/i.test(sql)) return 'validation scan (ShareUpdateExclusive: writes go on)';
  if (/^\s*(UPDATE|DELETE|INSERT)/i.test(sql)) return 'data change (row locks for the statement)';
  if (/ALTER COLUMN \S+ (SET DATA )?TYPE/i.test(sql)) return 'TABLE REWRITE (AccessExclusive)';
  if (/ADD COLUMN .* DEFAULT\s+(?!.*\()/i.test(sql) || /ADD COLUMN [^(]*$/i.test(sql)) return 'catalog only (column, constant default)';
  if (/ADD COLUMN/i.test(sql)) return 'ADD COLUMN with a volatile default: TABLE REWRITE';
  if (
    /NOT VALID|ROW LEVEL SECURITY|CREATE POLICY|DROP POLICY|CREATE TRIGGER|DROP TRIGGER|SET DEFAULT|DROP DEFAULT|DROP CONSTRAINT|DROP INDEX/i.test(
      sql,
    )
  )
    return 'catalog only';
  return 'other';
}

async function main(): Promise<void> {
  const ds = await new DataSource({ type: 'postgres', url: `${PG_BASE}/${DB}`, extra: { max: 2, options: '-c jit=off' } }).initialize();
  const bigRows: Array<{ relname: string; n: number }> = await ds.query(
    `SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND reltuples >= $1
     ORDER BY reltuples DESC`,
    [BIG],
  );
  const big = new Set(bigRows.map((r) => r.relname));
  console.log(
    `database ${DB}: big tables (≥ ${BIG.toLocaleString('en')} rows) ${bigRows.map((r) => `${r.relname} ${Number(r.n).toLocaleString('en')}`).join(', ')}`,
  );
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  const summary: Array<{ name: string; verdict: string; upMs: number; longestMs: number; lock: string }> = [];
  for (const M of MIGRATIONS) {
    const m = new M();
    const name = m.name ?? M.name;
    const ts = stamp(name);
    if (!(ts > SINCE) || (ONLY && !ONLY.has(ts))) continue;
    const q = ds.createQueryRunner();
    const steps: Step[] = [];
    let recording = false;
    let held = new Set<string>();
    const query = q.query.bind(q);
    // every statement of up(): its time, and the big tables' locks it added
    q.query = (async (sql: string, params?: unknown[]) => {
      if (!recording) return query(sql, params);
      const t0 = performance.now();
      const out = await query(sql, params);
      const ms = performance.now() - t0;
      recording = false;
      const now = await locksOf(q, big);
      recording = true;
      const took = [...now].filter((x) => !held.has(x)).map((x) => x.split('\t') as [string, string]);
      held = now;
      steps.push({ sql: sql.replace(/\s+/g, ' ').trim().slice(0, 140), ms, took });
      return out;
    }) as QueryRunner['query'];
    try {
      if ((m as { transaction?: boolean }).transaction === false) {
        if (args['concurrent'] !== 'true') {
          summary.push({
            name,
            verdict: 'not replayed (CONCURRENTLY, writes go on; --concurrent to time it)',
            upMs: 0,
            longestMs: 0,
            lock: '',
          });
          continue;
        }
        await m.down(q);
        const t0 = performance.now();
        recording = true;
        await m.up(q);
        recording = false;
        const upMs = performance.now() - t0;
        const blocking = steps.flatMap((s) => s.took).filter(([, mode]) => WRITE_BLOCKING.has(mode));
        summary.push({
          name,
          verdict: blocking.length
            ? 'BLOCKS WRITES'
            : 'CONCURRENTLY (ShareUpdateExclusive, writes go on), dropped and built again for real: up = its build time',
          upMs,
          longestMs: 0,
          lock: blocking.map((b) => b.join(' ')).join(', '),
        });
        continue;
      }
      await q.startTransaction();
      try {
        await m.down(q);
        held = await locksOf(q, big);
        const before = [...held].filter((x) => WRITE_BLOCKING.has(x.split('\t')[1]));
        const t0 = performance.now();
        recording = true;
        await m.up(q);
        recording = false;
        const upMs = performance.now() - t0;
        // a write-blocking lock first taken at statement i is held from there to the end of up()
        let longestMs = 0;
        let lock = '';
        for (let i = 0; i < steps.length; i++) {
          for (const [rel, mode] of steps[i].took) {
            if (!WRITE_BLOCKING.has(mode)) continue;
            const ms = steps.slice(i).reduce((n, s) => n + s.ms, 0);
            if (ms > longestMs) {
              longestMs = ms;
              lock = `${rel} ${mode} from « ${steps[i].sql.slice(0, 70)} »`;
            }
          }
        }
        const note = before.length
          ? ` (down() already held ${before.map((x) => x.replace('\t', ' ')).join(', ')}: up()'s own locks on them are not seen)`
          : '';
        summary.push({ name, verdict: `replayed${note}`, upMs, longestMs, lock });
        for (const s of steps.filter((x) => x.ms > 200)) console.log(`  ${name}: ${s.ms.toFixed(0)} ms  ${s.sql}`);
      } finally {
        recording = false;
        await q.rollbackTransaction().catch(() => undefined);
      }
    } catch (e) {
      recording = false;
      // not replayable here: its up()'s statements captured (not run) and those on a big table classified
      const onBig = (await captured(m)).filter((x) =>
        [...big].some((t) => new RegExp(`\\b(ON|TABLE|INTO|UPDATE|FROM) ${t}\\b`, 'i').test(x)),
      );
      const kinds = onBig.map((x) => `${classify(x)}: ${x.slice(0, 90)}`);
      for (const k of kinds) console.log(`  ${name} (not run): ${k}`);
      const heavy = onBig.filter((x) => !classify(x).startsWith('catalog only'));
      summary.push({
        name,
        verdict:
          `not replayable alone (${(e as Error).message.split('\n')[0].slice(0, 80)}); ${onBig.length} statement(s) on big tables, ` +
          (heavy.length ? `${heavy.length} NOT catalog-only: read them` : 'all catalog-only (AccessExclusive for milliseconds)'),
        upMs: 0,
        longestMs: 0,
        lock: '',
      });
    } finally {
      await q.release();
      const last = summary[summary.length - 1];
      console.log(
        `${last.name}: up ${last.upMs.toFixed(0)} ms, longest write-blocking lock on a big table ${last.longestMs.toFixed(0)} ms ${last.lock} — ${last.verdict}`,
      );
    }
  }
  const worst = summary.reduce((a, b) => (b.longestMs > a.longestMs ? b : a), summary[0]);
  console.log(
    `\n${summary.length} migration(s) after ${SINCE}; longest write-blocking lock on a big table: ${worst ? `${worst.longestMs.toFixed(0)} ms, ${worst.name} (${worst.lock || 'none'})` : 'none'}`,
  );
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}`,
  );
  await ds.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
