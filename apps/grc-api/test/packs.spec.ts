import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { generateDemoTickets, parseTownPack, OPEN_STATUSES } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import { loadTownPackFromFolder, readPackFolder } from '../src/modules/packs/pack-loader';
import { adminQuery, databaseUrlFor } from './support/test-database';

const PACK = join(__dirname, '../../../packs/demo-town');

/** The demo pack as parsed (counts to compare with). */
async function demoPack() {
  const parsed = parseTownPack(await readPackFolder(PACK));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.pack;
}

describe('town pack loader', () => {
  describe('on the run database (loaded by the global setup)', () => {
    let db: DataSource;
    beforeAll(async () => {
      db = await createDataSource(process.env['DATABASE_URL']!).initialize();
    });
    afterAll(() => db.destroy());

    const count = async (sql: string, params: unknown[] = []) => Number((await db.query(sql, params))[0].n);

    it('loaded every reference row of the pack and the generated demo', async () => {
      const pack = await demoPack();
      const demo = generateDemoTickets(pack, new Date());
      // other spec files add their own rows to the shared database: count the pack's by their codes and e-mails
      const deptCodes = pack.departments.map((x) => x.code);
      const catCodes = pack.categories.map((x) => x.code);
      const emails = pack.agents.map((x) => x.email);
      expect(await count(`SELECT count(*) n FROM departments WHERE code = ANY($1)`, [deptCodes])).toBe(pack.departments.length);
      expect(await count(`SELECT count(*) n FROM categories WHERE code = ANY($1)`, [catCodes])).toBe(pack.categories.length);
      expect(
        await count(`SELECT count(*) n FROM routing_rules r JOIN categories c ON c.id = r.category_id WHERE c.code = ANY($1)`, [catCodes]),
      ).toBe(pack.routing.length);
      expect(await count(`SELECT count(*) n FROM agents WHERE email = ANY($1)`, [emails])).toBe(pack.agents.length);
      expect(
        await count(`SELECT count(*) n FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.email = ANY($1)`, [emails]),
      ).toBe(pack.agents.reduce((s, a) => s + new Set(a.departments).size, 0));
      // other specs may have created tickets meanwhile: the demo ones all carry a timeline starting with `created`
      expect(await count(`SELECT count(*) n FROM tickets`)).toBeGreaterThanOrEqual(demo.tickets.length);
      expect(demo.tickets.length).toBeGreaterThan(100);
      const [town] = await db.query(`SELECT code, reference_prefix FROM town_settings`);
      expect(town).toEqual({ code: pack.town.code, reference_prefix: pack.town.referencePrefix });
      const [audit] = await db.query(`SELECT actor_id, changes FROM audit_events WHERE action = 'pack.load'`);
      expect(audit.actor_id).toBeNull();
      expect(audit.changes.tickets.after).toBe(demo.tickets.length);
    });

    it('keeps each ticket consistent with its timeline', async () => {
      const prefix = (await db.query(`SELECT reference_prefix p FROM town_settings`))[0].p;
      const rows: Array<Record<string, unknown>> = await db.query(`
        SELECT t.reference, t.status, t.created_at, t.updated_at, t.resolved_at, t.closed_at, t.assignee_id, t.priority,
          (SELECT kind FROM ticket_events e WHERE e.ticket_id = t.id ORDER BY at, id LIMIT 1) AS first_kind,
          (SELECT min(at) FROM ticket_events e WHERE e.ticket_id = t.id) AS first_at,
          (SELECT max(at) FROM ticket_events e WHERE e.ticket_id = t.id) AS last_at,
          (SELECT data->>'to' FROM ticket_events e WHERE e.ticket_id = t.id AND kind = 'status_changed' ORDER BY at DESC, id DESC LIMIT 1) AS last_status
        FROM tickets t
        -- the demo's tickets: those other spec files create come after the load and are audited one by one
        -- (a spec may backdate one of its own, e.g. to test the expiry of tracking links)
        WHERE t.created_at <= (SELECT min(at) FROM audit_events WHERE action = 'pack.load')
          AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.action = 'ticket.create' AND a.entity_id = t.id::text)`);
      expect(rows.length).toBeGreaterThan(100);
      for (const r of rows) {
        expect(r['reference']).toMatch(new RegExp(`^${prefix}-\\d{4}-\\d{6,}$`));
        expect(r['first_kind']).toBe('created');
        expect(new Date(r['first_at'] as string).getTime()).toBe(new Date(r['created_at'] as string).getTime());
        expect(new Date(r['updated_at'] as string).getTime()).toBe(new Date(r['last_at'] as string).getTime());
        expect(r['last_status'] ?? 'new').toBe(r['status']);
        expect(r['resolved_at'] === null).toBe(!(r['status'] === 'resolved' || (r['status'] === 'closed' && r['resolved_at'] !== null)));
        expect(r['closed_at'] === null).toBe(r['status'] !== 'closed');
        if (r['status'] !== 'new') expect(r['assignee_id']).not.toBeNull();
        expect(r['priority']).toEqual(expect.any(Number));
      }
      // citizens are stored as the citizens module stores them: phones in E.164
      const [phones] = await db.query(
        `SELECT count(*) FILTER (WHERE phone !~ '^\\+[1-9][0-9]{6,14}$')::int AS bad, count(phone)::int AS n FROM citizens`,
      );
      expect(phones.n).toBeGreaterThan(0);
      expect(phones.bad).toBe(0);
      // assignments and transfers name agents and departments by id, as the tickets module writes them
      const [bad] = await db.query(`
        SELECT count(*) FILTER (WHERE kind = 'assigned' AND e.data->>'to' IS NOT NULL -- an unassignment (e.g. an SLA escalation, other specs) names nobody
                 AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id::text = e.data->>'to')) AS assigned,
               count(*) FILTER (WHERE kind = 'transferred' AND NOT EXISTS (SELECT 1 FROM departments d WHERE d.id::text = e.data->>'toDepartment')) AS transferred
        FROM ticket_events e`);
      expect(bad).toEqual({ assigned: '0', transferred: '0' });
    });

    it('skips a database that already has departments when asked to (onlyIfEmpty)', async () => {
      const before = await count(`SELECT count(*) n FROM tickets`);
      await expect(loadTownPackFromFolder(db, PACK, { onlyIfEmpty: true, now: new Date() })).resolves.toMatchObject({ loaded: false });
      await expect(loadTownPackFromFolder(db, PACK, { onlyIfEmpty: false, now: new Date() })).rejects.toThrow(/empty database/);
      expect(await count(`SELECT count(*) n FROM tickets`)).toBe(before);
    });
  });

  describe('on a fresh database', () => {
    const name = `grc_test_pack_${process.pid}_${Date.now().toString(36)}`;
    let db: DataSource;
    beforeAll(async () => {
      await adminQuery(`CREATE DATABASE ${name}`);
      db = await createDataSource(databaseUrlFor(name)).initialize();
      await db.runMigrations({ transaction: 'each' });
    });
    afterAll(async () => {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });

    it('refuses an invalid pack with every error (file, path, message) and writes nothing', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'grc-pack-'));
      writeFileSync(
        join(folder, 'town.yaml'),
        'formatVersion: 1\nname: X\ncode: x\ntimezone: Mars/Olympus\nlocale: fr\nreferencePrefix: GRC\n',
      );
      writeFileSync(
        join(folder, 'departments.yaml'),
        '- code: a\n  name: A\n  kind: service\n  parent: zzz\n- code: b\n  name: B\n  kind: direction\n',
      );
      writeFileSync(join(folder, 'categories.yaml'), '- code: c\n  nameFr: C\n  nameEn: C\n  department: nowhere\n');
      writeFileSync(
        join(folder, 'agents.yaml'),
        '- email: x@example.org\n  displayName: X\n  role: agent\n  departments: [b]\n  colour: red\n',
      );
      const err: Error = await loadTownPackFromFolder(db, folder, { onlyIfEmpty: true, now: new Date() }).then(
        () => {
          throw new Error('loaded');
        },
        (e) => e,
      );
      expect(err.message).toMatch(/town\.yaml.*timezone/);
      expect(err.message).toMatch(/departments\.yaml:\d+ \[0\.parent\]: .*zzz/);
      expect(err.message).toMatch(/categories\.yaml:\d+ \[0\.department\]: .*nowhere/);
      expect(err.message).toMatch(/agents\.yaml:\d+ \[0\.colour\]: unknown field/);
      expect(Number((await db.query(`SELECT count(*) n FROM departments`))[0].n)).toBe(0);
    });

    it('loads the demo pack in one go', async () => {
      // timing is measured by bench/, never asserted here (~0.9 s on a quiet machine)
      const result = await loadTownPackFromFolder(db, PACK, { onlyIfEmpty: true, now: new Date() });
      expect(result.loaded).toBe(true);
      expect(result.summary).toMatch(/\d+ tickets/);
      const [{ n }] = await db.query(`SELECT count(*)::int n FROM tickets`);
      expect(n).toBe(generateDemoTickets(await demoPack(), new Date()).tickets.length);
    });

    it('filled the inbox counters read model in the same transaction', async () => {
      const sql = (table: string) =>
        table === 'tickets'
          ? `SELECT department_id, status, count(*)::int total, (count(*) FILTER (WHERE assignee_id IS NULL))::int unassigned
           FROM tickets WHERE status = ANY($1::text[]) GROUP BY 1, 2 ORDER BY 1, 2`
          : `SELECT department_id, status, total, unassigned FROM inbox_counters WHERE $1::text[] IS NOT NULL ORDER BY 1, 2`;
      const expected = await db.query(sql('tickets'), [OPEN_STATUSES]);
      expect(expected.length).toBeGreaterThan(0);
      expect(await db.query(sql('inbox_counters'), [OPEN_STATUSES])).toEqual(expected);
    });
  });
});
