import { Client } from 'pg';
import { ADMIN } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

/** The app runs as grc_app, which owns nothing and cannot rewrite its audit trail; a trigger guards it for everyone. */
describe('audit trail is append-only for the application', () => {
  let ctx: TestContext;
  let auditId: string;
  let owner: Client;

  beforeAll(async () => {
    ctx = await startTestApp();
    await ctx.loginAs(ADMIN); // writes an auth.login audit row through the app
    [{ id: auditId }] = await ctx.db.query(`SELECT id FROM audit_events WHERE action = 'auth.login' ORDER BY id DESC LIMIT 1`);
    owner = new Client({ connectionString: process.env['DATABASE_URL'] });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await ctx.close();
  });

  it('connects as grc_app, neither superuser nor owner of any table', async () => {
    const [me] = await ctx.db.query(
      `SELECT current_user AS role, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
    );
    expect(me).toEqual({ role: 'grc_app', superuser: false });
    const owned = await ctx.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`);
    expect(owned).toEqual([]);
  });

  it('cannot update, delete, truncate or un-trigger an audit row', async () => {
    const attempts = [
      `UPDATE audit_events SET actor_label = 'quelqu''un d''autre' WHERE id = ${auditId}`,
      `DELETE FROM audit_events WHERE id = ${auditId}`,
      `TRUNCATE audit_events`,
      `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`,
      `DROP TRIGGER audit_events_append_only ON audit_events`,
    ];
    for (const sql of attempts) {
      await expect(ctx.db.query(sql)).rejects.toMatchObject({ code: '42501' }); // insufficient_privilege
    }
    const [row] = await ctx.db.query(`SELECT actor_label, action FROM audit_events WHERE id = $1`, [auditId]);
    expect(row).toEqual({ actor_label: ADMIN, action: 'auth.login' });
  });

  it('refuses UPDATE and DELETE even to the owner (trigger), but lets everyone append', async () => {
    await expect(owner.query(`UPDATE audit_events SET actor_label = 'x' WHERE id = $1`, [auditId])).rejects.toThrow(
      'audit_events is append-only: UPDATE refused',
    );
    await expect(owner.query(`DELETE FROM audit_events WHERE id = $1`, [auditId])).rejects.toThrow(
      'audit_events is append-only: DELETE refused',
    );
    const [{ count }] = await ctx.db.query(`SELECT count(*)::int AS count FROM audit_events WHERE id = $1`, [auditId]);
    expect(count).toBe(1);
  });
});

/** The one exception (migration 1763800000840): grc_audit_redact rewrites changes' values and clears ip, nothing else. */
describe('audit trail: the anonymisation’s redaction exception', () => {
  let ctx: TestContext;
  let owner: Client;
  let id: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    await ctx.db.query(
      `INSERT INTO audit_events (actor_label, action, entity_type, entity_id, changes, ip)
       VALUES ('citoyen (formulaire public)', 'citizen.create', 'citizen', 'c-1', '{"email": {"before": null, "after": "a@b.fr"}}', '203.0.113.9')`,
    );
    [{ id }] = await ctx.db.query(`SELECT id::text FROM audit_events WHERE entity_id = 'c-1'`);
    owner = new Client({ connectionString: process.env['DATABASE_URL'] });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await ctx.close();
  });

  it('lets the app redact the values and the ip of given rows through the function, and audits it', async () => {
    const [r] = await ctx.db.query(`SELECT grc_audit_redact('system:retention', $1::bigint[], $2::jsonb[], $3::boolean[]) AS n`, [
      [id],
      [JSON.stringify({ email: { before: null, after: 'changed' } })],
      [true],
    ]);
    expect(r.n).toBe(1);
    const [row] = await ctx.db.query(`SELECT changes, ip, actor_label, action FROM audit_events WHERE id = $1`, [id]);
    expect(row).toEqual({
      changes: { email: { before: null, after: 'changed' } },
      ip: null,
      actor_label: 'citoyen (formulaire public)',
      action: 'citizen.create',
    });
    const [logged] = await ctx.db.query(
      `SELECT actor_label, changes FROM audit_events WHERE action = 'audit.redact' ORDER BY id DESC LIMIT 1`,
    );
    expect(logged).toEqual({
      actor_label: 'system:retention',
      changes: { rows: { before: null, after: 1 }, lastId: { before: null, after: Number(id) } },
    });
  });

  it('refuses a rewrite that drops or adds keys, and any other column, even through the flag by hand', async () => {
    await expect(
      ctx.db.query(`SELECT grc_audit_redact('x', $1::bigint[], $2::jsonb[], $3::boolean[])`, [[id], ['{}'], [false]]),
    ).rejects.toThrow('audit_events is append-only: UPDATE refused');
    // the app cannot use the flag itself: it has no UPDATE privilege
    await expect(
      ctx.db.transaction(async (m) => {
        await m.query(`SELECT set_config('grc.audit_redaction', 'on', true)`);
        await m.query(`UPDATE audit_events SET changes = '{"email": 1}' WHERE id = $1`, [id]);
      }),
    ).rejects.toMatchObject({ code: '42501' });
    // the owner with the flag may still not touch another column
    await owner.query('BEGIN');
    await owner.query(`SELECT set_config('grc.audit_redaction', 'on', true)`);
    await expect(owner.query(`UPDATE audit_events SET actor_label = 'x' WHERE id = $1`, [id])).rejects.toThrow('append-only');
    await owner.query('ROLLBACK');
  });
});
