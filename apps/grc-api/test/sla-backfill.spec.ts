import { SlaEngine } from '../src/modules/sla/sla.engine';
import { startTestApp, type TestContext } from './support/test-app';

describe("SLA backfill: a town pack's open tickets get their clocks", () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('starts clocks from the creation date, records past escalations as missed (never acted upon), marks breaches, and is idempotent', async () => {
    const before = await ctx.db.query(
      `SELECT t.id, t.priority, t.assignee_id FROM tickets t
       WHERE t.status IN ('new', 'open', 'waiting_citizen') AND NOT EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = t.id)`,
    );
    expect(before.length).toBeGreaterThan(0);
    const events = async () => Number((await ctx.db.query(`SELECT count(*) AS n FROM ticket_events WHERE kind LIKE 'sla_%'`))[0].n);
    const eventsBefore = await events();

    await ctx.app.get(SlaEngine).backfill(50);

    const ids = before.map((t: { id: string }) => t.id);
    const [{ clocked }] = await ctx.db.query(`SELECT count(DISTINCT ticket_id)::int AS clocked FROM ticket_sla WHERE ticket_id = ANY($1)`, [
      ids,
    ]);
    expect(clocked).toBeGreaterThan(0);
    // nothing past was acted upon: no pending timer is overdue, priorities and assignees unchanged
    const [{ overdue }] = await ctx.db.query(
      `SELECT count(*)::int AS overdue FROM timers WHERE ticket_id = ANY($1) AND state = 'pending' AND due_at <= now()`,
      [ids],
    );
    expect(overdue).toBe(0);
    const after = await ctx.db.query(`SELECT id, priority, assignee_id FROM tickets WHERE id = ANY($1) ORDER BY id`, [ids]);
    const byId = new Map(before.map((t: { id: string }) => [t.id, t]));
    for (const t of after) expect(t).toEqual(byId.get(t.id));
    // a deadline already passed is a breach, visible to the inbox
    const [{ wrong }] = await ctx.db.query(
      `SELECT count(*)::int AS wrong FROM ticket_sla s JOIN tickets t ON t.id = s.ticket_id
       WHERE s.ticket_id = ANY($1) AND s.deadline < now() AND NOT (s.breached AND t.sla_breached)`,
      [ids],
    );
    expect(wrong).toBe(0);
    expect(await events()).toBe(eventsBefore);

    const [{ n: clocks }] = await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_sla`);
    await ctx.app.get(SlaEngine).backfill(50);
    expect((await ctx.db.query(`SELECT count(*)::int AS n FROM ticket_sla`))[0].n).toBe(clocks);
  });
});
