import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { DURATION_PRECISION, MINUTES_PER_DAY, monthPeriod, monthsEndingAt, periodInstants } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import { FactsReference1763800004030 } from '../src/database/migrations/1763800004030-facts-reference';
import { OpenDataService } from '../src/modules/reporting/open-data.service';
import { ReportingFactsService } from '../src/modules/reporting/reporting-facts.service';
import { ReportingRepository } from '../src/modules/reporting/reporting.repository';
import { ADMIN, DGS, ELU, URBA_HEAD, VOIRIE_AGENT, VOIRIE_HEAD, ids } from './support/demo';
import { pdfText } from './support/pdf-text';
import { startTestApp, type TestContext } from './support/test-app';

/** local Paris time in November (UTC+1) */
const paris = (s: string) => new Date(`${s}:00+01:00`).toISOString();
type Client = Awaited<ReturnType<TestContext['loginAs']>>;
/** a median or p90 from the duration histograms: within the stated precision of the exact value (minutes, or days) */
const near = (value: number | null | undefined, exact: number, unit: 'minutes' | 'days' = 'minutes') => {
  expect(value).not.toBeNull();
  const slack = exact * DURATION_PRECISION + (unit === 'days' ? 1 / MINUTES_PER_DAY : 1);
  expect(Math.abs((value as number) - exact)).toBeLessThanOrEqual(slack);
};
const binary = (req: ReturnType<Client['get']>) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/**
 * The figures on the real database: the rollup follows ticket changes (marks in the change's transaction,
 * the worker's fold) and a rebuild gives the same rows; a hand-built week of requests (a public holiday,
 * a wait for the citizen, a reopening, a transfer, a duplicate, a circuit, SLA outcomes) gives known
 * answers for a head and the DGS; exports carry their filters; the open data validates and suppresses.
 */
describe('reporting', () => {
  let ctx: TestContext;
  let facts: ReportingFactsService;
  let openData: OpenDataService;
  let category: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    facts = ctx.app.get(ReportingFactsService);
    openData = ctx.app.get(OpenDataService);
    category = await (await ids(ctx.db)).category('nid-de-poule');
    // the demo's history came in by the pack (no change, no mark): the rebuild folds it
    await facts.rebuild();
  });
  afterAll(() => ctx.close());

  const create = async (subject: string) => {
    const agent = await ctx.as(VOIRIE_AGENT);
    const t = (
      await agent
        .post('/api/v1/tickets')
        .send({ channel: 'phone', categoryId: category, subject, description: `${subject} (figures)` })
        .expect(201)
    ).body;
    return t as { id: string; version: number; departmentId: string };
  };
  const factsOf = async (id: string) => (await ctx.db.query(`SELECT * FROM report_ticket_facts WHERE ticket_id = $1`, [id]))[0];

  it('follows ticket changes incrementally (rows first), and a rebuild gives the same rollup', async () => {
    const agent = await ctx.as(VOIRIE_AGENT);
    const t = await create('Trou rue Nationale');
    expect(await facts.pending()).toBeGreaterThan(0); // marked in the creation's transaction
    await facts.drain();
    expect(await factsOf(t.id)).toEqual(expect.objectContaining({ status: 'new', first_response_at: null, resolved_at: null }));

    let v = (
      await agent
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ kind: 'reply', body: 'Nous intervenons.', version: t.version })
        .expect(201)
    ).body.version;
    v = (await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'resolved', version: v }).expect(201)).body.version;
    await facts.drain();
    const resolved = await factsOf(t.id);
    expect(resolved.first_response_at).not.toBeNull();
    expect(resolved.resolved_at).not.toBeNull();
    v = (await agent.post(`/api/v1/tickets/${t.id}/status`).send({ status: 'open', version: v }).expect(201)).body.version;
    const eclairage = await (await ids(ctx.db)).department('eclairage');
    await agent.post(`/api/v1/tickets/${t.id}/transfer`).send({ departmentId: eclairage, reason: 'Éclairage', version: v }).expect(201);
    await facts.drain();
    expect(await factsOf(t.id)).toEqual(expect.objectContaining({ reopen_count: 1, resolved_at: null, department_id: eclairage }));
    expect(await facts.pending()).toBe(0);

    const incremental = await facts.snapshot();
    await facts.rebuild();
    expect(await facts.snapshot()).toEqual(incremental);
  });

  it('rebuilds by batches of ids over several lanes (keyset, a range emptied per batch): the same rollup whatever the batch', async () => {
    await facts.drain();
    const incremental = await facts.snapshot();
    expect(incremental.length).toBeGreaterThan(20);
    // a row gone wrong is recomputed, not kept: each batch empties its range of ids before writing it
    const [wrong] = await ctx.db.query(
      `UPDATE report_ticket_facts SET reopen_count = 99 WHERE ticket_id = (SELECT ticket_id FROM report_ticket_facts ORDER BY ticket_id LIMIT 1) RETURNING ticket_id`,
    );
    expect(wrong).toBeDefined();
    const r = await facts.rebuild(7, 3);
    expect(r.requests).toBe(incremental.length);
    expect(r.batches).toBeGreaterThanOrEqual(Math.ceil(incremental.length / 7));
    expect(await facts.snapshot()).toEqual(incremental);
    expect(await facts.pending()).toBe(0);
  });

  it('keeps the monthly cube with the facts through every change, a deleted request included: a cube built from scratch is the same', async () => {
    const agent = await ctx.as(VOIRIE_AGENT);
    expect((await facts.cubeSnapshot()).cells.length).toBeGreaterThan(0); // built by the rebuild, from the demo's history
    const [a, b, c] = [await create('Cube A'), await create('Cube B'), await create('Cube C')];
    await facts.drain();
    // A answered, resolved, reopened
    let va = (await agent.post(`/api/v1/tickets/${a.id}/messages`).send({ kind: 'reply', body: 'Vu.', version: a.version }).expect(201))
      .body.version;
    va = (await agent.post(`/api/v1/tickets/${a.id}/status`).send({ status: 'resolved', version: va }).expect(201)).body.version;
    await facts.drain();
    await agent.post(`/api/v1/tickets/${a.id}/status`).send({ status: 'open', version: va }).expect(201);
    // B transferred to éclairage, then deleted (retention: its facts cascade away, no refresh sees it)
    const id = await ids(ctx.db);
    await agent
      .post(`/api/v1/tickets/${b.id}/transfer`)
      .send({ departmentId: await id.department('eclairage'), reason: 'Éclairage', version: b.version })
      .expect(201);
    // C recategorised and made urgent, then resolved
    const other = await id.category('trottoir-degrade');
    const vc = (await agent.patch(`/api/v1/tickets/${c.id}`).send({ categoryId: other, priority: 'high', version: c.version }).expect(200))
      .body.version;
    await agent.post(`/api/v1/tickets/${c.id}/status`).send({ status: 'resolved', version: vc }).expect(201);
    await facts.drain();
    expect(await factsOf(c.id)).toEqual(expect.objectContaining({ priority: expect.any(Number), resolved_at: expect.any(Date) }));
    await ctx.db.query(`DELETE FROM tickets WHERE id = $1`, [b.id]);
    expect(await factsOf(b.id)).toBeUndefined();

    const incremental = await facts.cubeSnapshot();
    expect(incremental.durations.length).toBeGreaterThan(0);
    await facts.rebuildCube();
    expect(await facts.cubeSnapshot()).toEqual(incremental);
    await facts.rebuild();
    expect(await facts.cubeSnapshot()).toEqual(incremental);
  });

  it('carries each request’s reference in its facts, filled on upgrade by 1763800004030 without rewriting a cell of the cube', async () => {
    const cells = () => ctx.db.query(`SELECT xmin::text AS version, * FROM report_cube ORDER BY 2, 3, 4, 5, 6, 7, 8`);
    const unreferenced = async () =>
      (
        await ctx.db.query(`SELECT count(*)::int AS n FROM report_ticket_facts f JOIN tickets t ON t.id = f.ticket_id
           WHERE f.reference IS DISTINCT FROM t.reference`)
      )[0].n;
    expect((await ctx.db.query(`SELECT count(*)::int AS n FROM report_ticket_facts`))[0].n).toBeGreaterThan(100);
    expect(await unreferenced()).toBe(0); // the refresh and the rebuild write it
    const before = await cells();
    expect(before.length).toBeGreaterThan(0);
    // facts as the release before left them: no reference (a change the cube's fold does not read moves no cell)
    await ctx.db.query(`UPDATE report_ticket_facts SET reference = NULL`);
    expect(await unreferenced()).toBeGreaterThan(100);
    const owner = await createDataSource(process.env['DATABASE_URL']!).initialize();
    const runner = owner.createQueryRunner();
    try {
      await new FactsReference1763800004030().up(runner);
    } finally {
      await runner.release();
      await owner.destroy();
    }
    expect(await unreferenced()).toBe(0);
    expect(await cells()).toEqual(before);
  });

  describe('a hand-built week with known answers (8–14 November 2024, 11 November a holiday, services techniques’ hours)', () => {
    const period = { from: '2024-11-08', to: '2024-11-14' };
    const seeded: Record<string, string> = {};

    /** the request's story, written as the timeline would have it (test seeding: dates in the past) */
    const seed = async (
      id: string,
      createdAt: string,
      status: string,
      events: Array<[string, string, Record<string, unknown>]>,
      resolvedAt: string | null = null,
    ) => {
      await ctx.db.query(
        `DELETE FROM ticket_events WHERE ticket_id = $1 AND kind IN ('reply', 'status_changed', 'workflow_started', 'workflow_step', 'workflow_finished', 'sla_escalated')`,
        [id],
      );
      await ctx.db.query(`UPDATE ticket_events SET at = $2 WHERE ticket_id = $1`, [id, createdAt]);
      await ctx.db.query(`UPDATE tickets SET created_at = $2, status = $3, resolved_at = $4, closed_at = NULL WHERE id = $1`, [
        id,
        createdAt,
        status,
        resolvedAt,
      ]);
      for (const [kind, at, data] of events)
        await ctx.db.query(`INSERT INTO ticket_events (ticket_id, kind, at, body, data) VALUES ($1, $2, $3, NULL, $4)`, [
          id,
          kind,
          at,
          data,
        ]);
    };
    /** the resolution clock's outcome (stopped at `at`, breached or not) */
    const resolutionClock = async (id: string, at: string, breached: boolean) => {
      const r = await ctx.db.query(
        `UPDATE ticket_sla SET status = 'stopped', breached = $3,
           events = jsonb_build_array(events->0, jsonb_build_object('type', 'stopped', 'at', $2::text, 'reason', 'met'))
         WHERE ticket_id = $1 AND target = 'resolution' RETURNING target`,
        [id, at, breached],
      );
      expect(r[0]).toHaveLength(1); // the demo's policy gives nids-de-poule a resolution target
    };

    beforeAll(async () => {
      const agent = await ctx.as(VOIRIE_AGENT);
      for (const k of ['A', 'B', 'C', 'D', 'E']) seeded[k] = (await create(`Demande ${k}`)).id;
      const d = (await agent.get(`/api/v1/tickets/${seeded['D']}`).expect(200)).body;
      const eclairage = await (await ids(ctx.db)).department('eclairage');
      await agent
        .post(`/api/v1/tickets/${seeded['D']}/transfer`)
        .send({ departmentId: eclairage, reason: 'Candélabre', version: d.version })
        .expect(201);

      const st = (from: string, to: string) => ({ from, to });
      // A: Fri 14:00, answered Tue 08:30 (over the weekend and the 11th), resolved Tue 10:30
      await seed(
        seeded['A'],
        paris('2024-11-08T14:00'),
        'resolved',
        [
          ['reply', paris('2024-11-12T08:30'), {}],
          ['status_changed', paris('2024-11-12T10:30'), st('new', 'resolved')],
        ],
        paris('2024-11-12T10:30'),
      );
      // B: Tue 09:00, answered 10:00, waits for the citizen 11:00 → Thu 09:00, resolved Thu 11:00
      await seed(
        seeded['B'],
        paris('2024-11-12T09:00'),
        'resolved',
        [
          ['reply', paris('2024-11-12T10:00'), {}],
          ['status_changed', paris('2024-11-12T10:00'), st('new', 'open')],
          ['status_changed', paris('2024-11-12T11:00'), st('open', 'waiting_citizen')],
          ['status_changed', paris('2024-11-14T09:00'), st('waiting_citizen', 'open')],
          ['status_changed', paris('2024-11-14T11:00'), st('open', 'resolved')],
        ],
        paris('2024-11-14T11:00'),
      );
      // C: Wed 08:00, a circuit's draft step 08:10–08:40, resolved 09:00, reopened Thu 08:00, resolved again 10:00
      await seed(
        seeded['C'],
        paris('2024-11-13T08:00'),
        'resolved',
        [
          ['workflow_started', paris('2024-11-13T08:10'), { definitionCode: 'courrier-elu', step: null, to: 'draft' }],
          ['workflow_step', paris('2024-11-13T08:40'), { definitionCode: 'courrier-elu', step: 'draft', to: 'end' }],
          ['workflow_finished', paris('2024-11-13T08:40'), { definitionCode: 'courrier-elu' }],
          ['status_changed', paris('2024-11-13T09:00'), st('new', 'resolved')],
          ['status_changed', paris('2024-11-14T08:00'), st('resolved', 'open')],
          ['status_changed', paris('2024-11-14T10:00'), st('open', 'resolved')],
        ],
        paris('2024-11-14T10:00'),
      );
      // D: Thu 08:00, transferred to éclairage public, still open
      await seed(seeded['D'], paris('2024-11-14T08:00'), 'open', []);
      // E: Thu 10:00, open, a duplicate of A
      await seed(seeded['E'], paris('2024-11-14T10:00'), 'new', []);
      await ctx.db.query(`UPDATE tickets SET master_ticket_id = $2, linked_from_status = 'new' WHERE id = $1`, [seeded['E'], seeded['A']]);
      await resolutionClock(seeded['A'], paris('2024-11-12T10:30'), false);
      await resolutionClock(seeded['B'], paris('2024-11-14T11:00'), true);
      await resolutionClock(seeded['C'], paris('2024-11-14T10:00'), false);
      await facts.rebuild();
    });

    /** the dashboards asked with the cube, then again with the facts alone (no cube state), then the cube built again */
    const cubeAndFacts = async (queries: Array<[Client, Record<string, string>]>) => {
      const ask = () => Promise.all(queries.map(([c, q]) => c.get('/api/v1/reporting/dashboard').query(q).expect(200)));
      const fromCube = (await ask()).map((r) => r.body);
      await ctx.db.query(`DELETE FROM report_cube_state`); // without it the dashboards read the facts alone
      const fromFacts = (await ask()).map((r) => r.body);
      expect(await facts.ensureCube()).toBeGreaterThan(0);
      return { fromCube, fromFacts };
    };
    const figure = (body: { figures: Array<{ code: string; value: number | null }> }, code: string) =>
      body.figures.find((f) => f.code === code)?.value;

    it('gives the voirie head their department’s figures (the transferred request is éclairage’s)', async () => {
      const head = await ctx.as(VOIRIE_HEAD);
      const body = (
        await head
          .get('/api/v1/reporting/dashboard')
          .query({ ...period, by: 'channel' })
          .expect(200)
      ).body;
      const f = (code: string) => figure(body, code);
      expect(f('received')).toBe(4);
      expect(f('resolved')).toBe(3);
      expect(f('closed')).toBe(0);
      expect(f('backlog')).toBe(1);
      // A 120 (Fri 14–15, Tue 07:30–08:30) and B 60
      // medians and p90 from the duration histograms: within 4.5 % (+ 1 minute) of the exact percentile_cont
      near(f('first_response_business_median'), 90);
      near(f('first_response_business_p90'), 114);
      near(f('first_response_days_median'), (90.5 / 24 + 1 / 24) / 2, 'days'); // A 90.5 h, B 1 h
      // A 240, B 240 (the wait left out), C 570 (Wed 08–12, 13–16, Thu 07:30–10)
      near(f('resolution_business_median'), 240);
      near(f('resolution_business_p90'), 504);
      near(f('resolution_days_median'), 26 / 24, 'days'); // B 4 h, C 26 h, A 92.5 h
      expect(f('sla_resolution_met_rate')).toBeCloseTo(2 / 3, 6);
      expect(f('sla_breaches')).toBe(1);
      expect(f('reopen_rate')).toBeCloseTo(1 / 3, 6);
      expect(f('circuit_share')).toBeCloseTo(1 / 4, 6);
      expect(f('duplicates_ratio')).toBeCloseTo(1 / 4, 6);
      expect(body.previous).toEqual({ from: '2024-11-01', to: '2024-11-07' });
      expect(body.figures.find((x: { code: string }) => x.code === 'received')).toEqual(
        expect.objectContaining({ previous: 0, change: null, drilldown: { createdFrom: '2024-11-08', createdTo: '2024-11-14' } }),
      );
      expect(body.figures.find((x: { code: string }) => x.code === 'backlog').drilldown).toEqual({
        status: 'new,open,waiting_citizen',
        createdTo: '2024-11-14',
      });
      expect(body.ageProfile).toEqual([
        { code: 'd0_7', count: 1 },
        { code: 'd7_30', count: 0 },
        { code: 'd30_90', count: 0 },
        { code: 'd90_plus', count: 0 },
      ]);
      expect(body.steps).toEqual([
        expect.objectContaining({ definitionCode: 'courrier-elu', step: 'draft', count: 1, meanBusinessMinutes: 30 }),
      ]);
      expect(body.breakdown.rows).toEqual([
        expect.objectContaining({
          key: 'phone',
          values: expect.objectContaining({ received: 4 }),
          drilldown: expect.objectContaining({ channel: 'phone' }),
        }),
      ]);
      expect(body.scope.whole).toBe(false);
    });

    it('gives the DGS every department side by side, the hierarchy rolled up', async () => {
      const dgs = await ctx.as(DGS);
      const body = (
        await dgs
          .get('/api/v1/reporting/dashboard')
          .query({ ...period, by: 'department' })
          .expect(200)
      ).body;
      expect(figure(body, 'received')).toBe(5);
      expect(figure(body, 'backlog')).toBe(2);
      expect(body.scope.whole).toBe(true); // the head of the root department: the whole town
      const rows = new Map<string, { values: Record<string, number>; parentKey: string | null }>(
        body.breakdown.rows.map((r: { key: string }) => [r.key, r]),
      );
      const id = await ids(ctx.db);
      const [voirie, eclairage, dst, dgsDept] = await Promise.all(['voirie', 'eclairage', 'dst', 'dgs'].map((c) => id.department(c)));
      expect(rows.get(voirie)?.values['received']).toBe(4);
      expect(rows.get(voirie)?.parentKey).toBe(dst);
      expect(rows.get(eclairage)?.values['received']).toBe(1);
      // the technical services' direction rolls up voirie and éclairage; the town's root everything
      expect(rows.get(dst)?.values['received']).toBe(5);
      expect(rows.get(dgsDept)?.values['received']).toBe(5);
      expect(body.breakdown.rows.find((r: { parentKey: string | null }) => r.parentKey === null).drilldown.departmentId).toBeDefined();

      // the period's figures with a breakdown are its rows added up (read once): the same as without one, to the percentile
      const values = (b: { figures: Array<{ code: string; value: number | null; previous: number | null }> }) =>
        b.figures.map((f) => [f.code, f.value, f.previous]);
      const alone = (await dgs.get('/api/v1/reporting/dashboard').query(period).expect(200)).body;
      expect(figure(alone, 'resolution_business_median')).not.toBeNull();
      for (const by of ['department', 'channel', 'category', 'area', 'priority', 'agent'])
        expect([
          by,
          values(
            (
              await dgs
                .get('/api/v1/reporting/dashboard')
                .query({ ...period, by })
                .expect(200)
            ).body,
          ),
        ]).toEqual([by, values(alone)]);
    });

    it('profiles the backlog by age at the period’s end: the bounded ages counted, the oldest the rest of the backlog', async () => {
      // E (voirie, received 14 November, still open) is 47 days old on 31 December and 137 on 31 March; D is éclairage's
      const head = await ctx.as(VOIRIE_HEAD);
      const profile = async (from: string, to: string) => {
        const body = (await head.get('/api/v1/reporting/dashboard').query({ from, to }).expect(200)).body;
        return {
          backlog: figure(body, 'backlog'),
          ages: Object.fromEntries(body.ageProfile.map((a: { code: string; count: number }) => [a.code, a.count])),
        };
      };
      expect(await profile('2024-12-01', '2024-12-31')).toEqual({ backlog: 1, ages: { d0_7: 0, d7_30: 0, d30_90: 1, d90_plus: 0 } });
      expect(await profile('2025-03-01', '2025-03-31')).toEqual({ backlog: 1, ages: { d0_7: 0, d7_30: 0, d30_90: 0, d90_plus: 1 } });
      // E is 6.6 days old at the end of the 20th, 7.6 at the end of the 21st; A, resolved on the 12th, was open at the end of the 10th
      expect((await profile('2024-11-14', '2024-11-20')).ages).toEqual({ d0_7: 1, d7_30: 0, d30_90: 0, d90_plus: 0 });
      expect((await profile('2024-11-14', '2024-11-21')).ages).toEqual({ d0_7: 0, d7_30: 1, d30_90: 0, d90_plus: 0 });
      expect((await profile('2024-11-04', '2024-11-10')).ages).toEqual({ d0_7: 1, d7_30: 0, d30_90: 0, d90_plus: 0 });
      const dgs = await ctx.as(DGS);
      const town = async (from: string, to: string) =>
        Object.fromEntries(
          (await dgs.get('/api/v1/reporting/dashboard').query({ from, to }).expect(200)).body.ageProfile.map(
            (a: { code: string; count: number }) => [a.code, a.count],
          ),
        );
      expect((await town('2025-03-01', '2025-03-31'))['d90_plus']).toBe(2);
      // the town's (read by date, not by department): D and E a week old, A open at the end of the 10th
      expect(await town('2024-11-14', '2024-11-21')).toEqual({ d0_7: 0, d7_30: 2, d30_90: 0, d90_plus: 0 });
      expect(await town('2024-11-04', '2024-11-10')).toEqual({ d0_7: 1, d7_30: 0, d30_90: 0, d90_plus: 0 });
    });

    it('reads whole months from the cube and the partial days at both ends from the facts: the same figures as the facts alone give', async () => {
      const [dgs, head] = [await ctx.as(DGS), await ctx.as(VOIRIE_HEAD)];
      expect((await ctx.db.query(`SELECT count(*)::int AS n FROM report_cube WHERE month = '2024-11-01'`))[0].n).toBeGreaterThan(0);
      const queries: Array<[Client, Record<string, string>]> = [
        [dgs, { from: '2024-11-01', to: '2024-11-30', by: 'department' }], // one whole month
        [dgs, { from: '2024-01-01', to: '2024-12-31', by: 'category' }], // a year
        [head, { from: '2024-10-15', to: '2024-12-10', by: 'channel' }], // partial days at both ends
        [dgs, { from: '2024-11-05', to: '2025-02-03', by: 'area' }],
        [dgs, { from: '2024-06-01', to: '2024-11-30', by: 'priority', channel: 'phone' }], // durations over two dimensions: the facts'
        [dgs, { from: '2024-09-01', to: '2024-11-30', by: 'channel', channel: 'phone,web' }], // the channel's histograms, filtered
        [head, { from: '2024-01-01', to: '2024-11-30', by: 'department', priority: 'normal,high' }],
      ];
      const { fromCube, fromFacts } = await cubeAndFacts(queries);
      expect(fromCube).toEqual(fromFacts);
      expect(figure(fromCube[0], 'received')).toBe(5);
      expect(figure(fromCube[0], 'backlog')).toBe(figure(fromFacts[0], 'backlog'));
    });

    it('reads a month the period covers in part as the cube’s whole month less the days outside it when those are fewer: the facts’ figures again', async () => {
      // F: received Tue 26, answered and resolved Fri 29 November — in the days a period to the 27th leaves out
      const f = await create('Demande F');
      await seed(
        f.id,
        paris('2024-11-26T09:00'),
        'resolved',
        [
          ['reply', paris('2024-11-29T09:00'), {}],
          ['status_changed', paris('2024-11-29T10:00'), { from: 'new', to: 'resolved' }],
        ],
        paris('2024-11-29T10:00'),
      );
      await resolutionClock(f.id, paris('2024-11-29T10:00'), false);
      await facts.rebuild();
      try {
        const [dgs, head] = [await ctx.as(DGS), await ctx.as(VOIRIE_HEAD)];
        const queries: Array<[Client, Record<string, string>]> = [
          // November less the 1st–9th (A received on the 8th) and the 28th–30th (F resolved on the 29th); the backlog
          // at the 27th's end as December's start less the 28th–30th's moves
          [dgs, { from: '2024-11-10', to: '2024-11-27', by: 'department' }],
          [head, { from: '2024-11-10', to: '2024-11-27', by: 'channel' }],
          // October less its first four days, November less its last two
          [dgs, { from: '2024-10-05', to: '2024-11-28', by: 'category' }],
          // a few days of November: the facts alone
          [dgs, { from: '2024-11-27', to: '2024-12-31' }],
        ];
        const { fromCube, fromFacts } = await cubeAndFacts(queries);
        expect(fromCube).toEqual(fromFacts);
        // received B–F (A on the 8th); resolved A, B, C (F on the 29th); open at the 27th's end D, E, F
        expect(figure(fromCube[0], 'received')).toBe(5);
        expect(figure(fromCube[0], 'resolved')).toBe(3);
        expect(figure(fromCube[0], 'backlog')).toBe(3);
      } finally {
        await ctx.db.query(`DELETE FROM tickets WHERE id = $1`, [f.id]);
      }
    });

    it('scopes: an élu sees only their delegation, another department answers 404, an agent 403; per-agent figures for a head’s own agents', async () => {
      const elu = await ctx.as(ELU);
      expect(figure((await elu.get('/api/v1/reporting/dashboard').query(period).expect(200)).body, 'received')).toBe(0);
      const head = await ctx.as(VOIRIE_HEAD);
      const eclairage = await (await ids(ctx.db)).department('eclairage');
      await head
        .get('/api/v1/reporting/dashboard')
        .query({ ...period, departmentId: eclairage })
        .expect(404);
      await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/reporting/dashboard').query(period).expect(403);
      await elu
        .get('/api/v1/reporting/dashboard')
        .query({ ...period, by: 'agent' })
        .expect(403);
      const agents = (
        await head
          .get('/api/v1/reporting/dashboard')
          .query({ ...period, by: 'agent' })
          .expect(200)
      ).body.breakdown.rows;
      expect(agents.every((r: { key: string }) => r.key !== '')).toBe(true);
      const urba = await ctx.as(URBA_HEAD);
      expect(figure((await urba.get('/api/v1/reporting/dashboard').query(period).expect(200)).body, 'received')).toBe(0);
    });

    it('refuses a bad period with the field at fault', async () => {
      const head = await ctx.as(VOIRIE_HEAD);
      const r = (await head.get('/api/v1/reporting/dashboard').query({ from: '2024-11-14', to: '2024-11-01' }).expect(400)).body;
      expect(r.errors).toEqual([expect.objectContaining({ field: 'to', code: 'period.reversed' })]);
      await head.get('/api/v1/reporting/dashboard').query({ from: '2024-02-30' }).expect(400);
      await head.get('/api/v1/reporting/dashboard').query({ by: 'weather' }).expect(400);
    });

    it('exports CSV and XLSX with the period and filters in the header, and the monthly PDF report', async () => {
      const head = await ctx.as(VOIRIE_HEAD);
      const csv = await head
        .get('/api/v1/reporting/export')
        .query({ ...period, format: 'csv', by: 'channel', channel: 'phone' })
        .expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines: string[][] = parse(csv.text.replace(/^\uFEFF/, ''), { delimiter: ';', relax_column_count: true });
      expect(lines).toEqual(
        expect.arrayContaining([
          ['periode_debut', '2024-11-08'],
          ['periode_fin', '2024-11-14'],
          ['filtre_channel', 'phone'],
          ['filtre_by', 'channel'],
        ]),
      );
      const header = lines.findIndex((l) => l[0] === 'cle');
      expect(lines[header + 1].slice(0, 4)).toEqual(['phone', '', '', '4']);

      const requests = await head
        .get('/api/v1/reporting/export')
        .set('Accept-Encoding', 'gzip')
        .query({ ...period, format: 'csv', kind: 'requests' })
        .expect(200);
      // compressed (at the fastest level: http-app.ts), as every answer worth it
      expect(requests.headers['content-encoding']).toBe('gzip');
      const rows: string[][] = parse(requests.text.replace(/^\uFEFF/, ''), { delimiter: ';', relax_column_count: true });
      expect(rows.filter((l) => /^GRC|^[A-Z]{2,6}-/.test(l[0] ?? ''))).toHaveLength(4);
      expect(rows.find((l) => l[0] === 'reference')?.slice(0, 4)).toEqual(['reference', 'department', 'category', 'channel']);
      const requestsXlsx = await binary(head.get('/api/v1/reporting/export').query({ ...period, format: 'xlsx', kind: 'requests' })).expect(
        200,
      );
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(requestsXlsx.body as unknown as ArrayBuffer);
      const sheet = (book.getWorksheet('indicateurs')?.getSheetValues() ?? []).filter(Boolean).map((r) => (r as unknown[]).slice(1));
      expect(sheet.filter((r) => /^GRC|^[A-Z]{2,6}-/.test(String(r[0] ?? '')))).toHaveLength(4);

      // the CSV's lines are PostgreSQL's: the same file as the rows csv-stringify writes (the XLSX's source), with a
      // text that needs quoting and a fact written before the facts held the reference (read from the request)
      const repo = ctx.app.get(ReportingRepository);
      const [start, end] = [new Date(paris('2024-11-08T00:00')), new Date(paris('2024-11-15T00:00'))];
      const scope = { departmentIds: [await (await ids(ctx.db)).department('voirie')] };
      const refs = rows.filter((l) => /^GRC|^[A-Z]{2,6}-/.test(l[0] ?? '')).map((l) => l[0]!);
      const [quoted, unreferenced] = (await ctx.db.query(
        `SELECT f.ticket_id, f.area FROM report_ticket_facts f JOIN tickets t ON t.id = f.ticket_id
           WHERE t.reference = ANY($1) ORDER BY t.reference LIMIT 2`,
        [refs],
      )) as Array<{ ticket_id: string; area: string | null }>;
      await ctx.db.query(`UPDATE report_ticket_facts SET area = 'Quartier "Nord"; est' WHERE ticket_id = $1`, [quoted!.ticket_id]);
      await ctx.db.query(`UPDATE report_ticket_facts SET reference = NULL WHERE ticket_id = $1`, [unreferenced!.ticket_id]);
      const written = (
        await head
          .get('/api/v1/reporting/export')
          .query({ ...period, format: 'csv', kind: 'requests' })
          .expect(200)
      ).text;
      const fromRows: string[] = [];
      for await (const r of await repo.requests(scope, start, end, { as: 'rows' }))
        fromRows.push(
          stringify(
            [Object.values(r).map((v) => (v instanceof Date ? v.toISOString() : typeof v === 'number' ? Number(v.toFixed(2)) : v))],
            {
              delimiter: ';',
              cast: { boolean: (b) => String(b) },
            },
          ),
        );
      expect(fromRows).toHaveLength(4);
      expect(fromRows.join('').includes('"Quartier ""Nord""; est"')).toBe(true);
      expect(written.endsWith(fromRows.join(''))).toBe(true);
      expect(
        parse(written.replace(/^\uFEFF/, ''), { delimiter: ';', relax_column_count: true })
          .filter((l: string[]) => refs.includes(l[0]!))
          .map((l: string[]) => l[0]),
      ).toEqual(refs);
      await ctx.db.query(
        `UPDATE report_ticket_facts f SET area = $2, reference = t.reference FROM tickets t WHERE f.ticket_id = $1 AND t.id = f.ticket_id`,
        [quoted!.ticket_id, quoted!.area],
      );
      await ctx.db.query(
        `UPDATE report_ticket_facts f SET reference = t.reference FROM tickets t WHERE f.ticket_id = $1 AND t.id = f.ticket_id`,
        [unreferenced!.ticket_id],
      );

      // streamed by a cursor, a row at a time here: in order; a stream dropped half-way (the client gone), a cursor or
      // a copy, gives its connection up — more of them than the pool holds, and the pool still answers
      const streamed: Array<{ reference: string; received_at: Date }> = [];
      for await (const r of await repo.requests(scope, start, end, { as: 'rows', batchSize: 1 })) streamed.push(r);
      expect(streamed.map((r) => r.reference)).toEqual(refs);
      expect([...streamed].sort((a, b) => +a.received_at - +b.received_at)).toEqual(streamed);
      const pool = (ctx.app.get(DataSource).driver as unknown as { master: { options: { max: number } } }).master;
      for (const as of ['rows', 'csv'] as const)
        for (let i = 0; i < pool.options.max + 2; i++) {
          const dropped = await repo.requests(scope, start, end, as === 'rows' ? { as, batchSize: 1 } : { as });
          for await (const _ of dropped) break;
        }
      let copied = '';
      for await (const chunk of await repo.requests(scope, start, end, { as: 'csv' })) copied += String(chunk);
      expect(
        copied
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(';')[0]),
      ).toEqual(refs);
      expect(await ctx.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'COPY (%' AND state = 'active'`)).toEqual(
        [{ n: 0 }],
      );

      const xlsx = await binary(head.get('/api/v1/reporting/export').query({ ...period, format: 'xlsx', by: 'channel' })).expect(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      const ws = wb.getWorksheet('indicateurs');
      const values =
        ws
          ?.getSheetValues()
          .filter(Boolean)
          .map((r) => (r as unknown[]).slice(1)) ?? [];
      expect(values).toEqual(
        expect.arrayContaining([
          ['periode_debut', '2024-11-08'],
          ['filtre_by', 'channel'],
        ]),
      );

      const pdf = await binary(head.get('/api/v1/reporting/monthly-report').query({ month: '2024-11' })).expect(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      const text = await pdfText(pdf.body as Buffer);
      expect(text).toContain('Rapport mensuel — 2024-11');
      expect(text).toContain('Demandes reçues : 4');
      await head.get('/api/v1/reporting/monthly-report').query({ month: '2024-13' }).expect(400);
    });

    it('publishes open data that validates against its schemas, small counts merged into "autres" or blanked', async () => {
      const admin = await ctx.as(ADMIN);
      const settings = (await admin.get('/api/v1/reporting/open-data/settings').expect(200)).body;
      expect(settings).toEqual(
        expect.objectContaining({ csvSeparator: ';', threshold: 5, licenceTitle: 'Licence Ouverte / Open Licence version 2.0' }),
      );
      await admin
        .put('/api/v1/reporting/open-data/settings')
        .send({ ...settings, months: 1 })
        .expect(200);
      await admin
        .put('/api/v1/reporting/open-data/settings')
        .send({ ...settings, threshold: 0 })
        .expect(400);
      await openData.generate(new Date('2024-12-10T12:00:00Z'));

      const pub = ctx.http;
      const index = (await pub.get('/api/v1/public/open-data').expect(200)).body;
      expect(index.licence.title).toContain('Licence Ouverte');
      expect(index.files.map((f: { url: string }) => f.url)).toEqual(
        expect.arrayContaining(['/api/v1/public/open-data/indicateurs-mensuels.csv', '/api/v1/public/open-data/indicateurs-mensuels.json']),
      );
      const data = (await pub.get('/api/v1/public/open-data/indicateurs-mensuels.json').expect(200)).body;
      const jsonSchema = (await pub.get('/api/v1/public/open-data/indicateurs-mensuels.json-schema.json').expect(200)).body;
      const ajv = new Ajv({ allErrors: true });
      addFormats(ajv);
      const validJson = ajv.validate(jsonSchema, data);
      expect(ajv.errors ?? []).toEqual([]);
      expect(validJson).toBe(true);
      // voirie has 4 requests that month (< 5): merged with éclairage's 1 into "autres" (5, published)
      expect(data.donnees).toEqual([
        expect.objectContaining({
          mois: '2024-11',
          service: 'autres',
          demandes_recues: 5,
          demandes_resolues: 3,
          stock_fin_de_mois: 2,
          secret_statistique: false,
        }),
      ]);
      expect(JSON.stringify(data)).not.toMatch(/voirie|Demande A|@/);

      // the CSV against its Table Schema: every cell cast by its field's type and checked by its constraints
      const tableSchema = (await pub.get('/api/v1/public/open-data/indicateurs-mensuels.schema.json').expect(200)).body;
      const csv = (await pub.get('/api/v1/public/open-data/indicateurs-mensuels.csv').expect(200)).text;
      const records: Array<Record<string, string>> = parse(csv, { delimiter: tableSchema.dialect.delimiter, columns: true });
      expect(Object.keys(records[0])).toEqual(tableSchema.fields.map((f: { name: string }) => f.name));
      const asJsonSchema = tableSchemaToJsonSchema(tableSchema);
      for (const r of records) {
        const ok = ajv.validate(asJsonSchema, castRow(tableSchema, r));
        expect(ajv.errors ?? []).toEqual([]);
        expect(ok).toBe(true);
      }

      // a higher threshold: "autres" itself is under it, its figures blanked
      await admin
        .put('/api/v1/reporting/open-data/settings')
        .send({ ...settings, months: 1, threshold: 6, csvSeparator: ',' })
        .expect(200);
      await openData.generate(new Date('2024-12-10T12:00:00Z'));
      const blanked = (await pub.get('/api/v1/public/open-data/indicateurs-mensuels.json').expect(200)).body;
      expect(blanked.donnees).toEqual([
        expect.objectContaining({ service: 'autres', demandes_recues: null, stock_fin_de_mois: null, secret_statistique: true }),
      ]);
      const csv2 = (await pub.get('/api/v1/public/open-data/indicateurs-mensuels.csv').expect(200)).text;
      expect(csv2.split('\n')[0]).toContain('mois,service,');
      const barometer = (await pub.get('/api/v1/public/barometer').expect(200)).body;
      expect(barometer.months).toEqual([expect.objectContaining({ month: '2024-11', received: null, suppressed: true })]);
      await pub.get('/api/v1/public/open-data/secret.csv').expect(404);
      await admin.put('/api/v1/reporting/open-data/settings').send(settings).expect(200);
    });
  });
  it('publishes, month after month, the figures its definitions give when counted from the facts request by request', async () => {
    // the demo's history (and the week's requests), moved back so that they are received, resolved and left open
    // over several months: the backlog rolled on from one month to the next
    await ctx.db.query(
      `UPDATE tickets SET created_at = created_at - make_interval(days => (abs(hashtext(id::text)) % 150)),
         resolved_at = CASE WHEN resolved_at IS NOT NULL THEN resolved_at - make_interval(days => (abs(hashtext(id::text)) % 150)) / 2 END`,
    );
    await facts.rebuild();
    const admin = await ctx.as(ADMIN);
    const settings = (await admin.get('/api/v1/reporting/open-data/settings').expect(200)).body;
    await admin
      .put('/api/v1/reporting/open-data/settings')
      .send({ ...settings, months: 7, threshold: 1 })
      .expect(200);
    const asOf = new Date();
    await openData.generate(asOf);
    const published = (await ctx.http.get('/api/v1/public/open-data/indicateurs-mensuels.json').expect(200)).body.donnees as Array<
      Record<string, unknown>
    >;
    await admin.put('/api/v1/reporting/open-data/settings').send(settings).expect(200);

    // the oracle: every request's facts, each month's definitions applied one request at a time
    const all: Array<{
      service: string;
      categorie: string;
      canal: string;
      quartier: string | null;
      received_at: Date;
      resolved_at: Date | null;
      resolution_days: number | null;
      sla_resolution: string | null;
      sla_resolution_at: Date | null;
    }> = await ctx.db.query(
      `SELECT d.code AS service, c.code AS categorie, f.channel AS canal, f.area AS quartier, f.received_at, f.resolved_at,
              f.resolution_days, f.sla_resolution, f.sla_resolution_at
       FROM report_ticket_facts f JOIN departments d ON d.id = f.department_id JOIN categories c ON c.id = f.category_id`,
    );
    const months = monthsEndingAt(new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - 1, 1)).toISOString().slice(0, 10), 7);
    const expected: Array<Record<string, unknown>> = [];
    const pct = (v: number[], p: number) => {
      if (!v.length) return null;
      const s = [...v].sort((a, b) => a - b);
      const pos = p * (s.length - 1);
      const lo = Math.floor(pos);
      return Number((s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo)).toFixed(1));
    };
    for (const month of months) {
      const { start, end } = periodInstants(monthPeriod(month), 'Europe/Paris');
      const inM = (d: Date | null) => d !== null && d >= start && d < end;
      const cells = new Map<string, Array<(typeof all)[number]>>();
      for (const f of all) {
        const k = [f.service, f.categorie, f.canal, f.quartier ?? 'non_localise'].join('|');
        if (!cells.has(k)) cells.set(k, []);
        cells.get(k)?.push(f);
      }
      const rows: Array<Record<string, unknown>> = [];
      for (const [k, fs] of cells) {
        const backlog = fs.filter((f) => f.received_at < end && (f.resolved_at === null || f.resolved_at >= end)).length;
        const received = fs.filter((f) => inM(f.received_at)).length;
        const resolvedIn = fs.filter((f) => inM(f.resolved_at));
        const clocks = fs.filter((f) => f.sla_resolution !== null && inM(f.sla_resolution_at));
        const requests = fs.filter(
          (f) => f.received_at < end && (inM(f.received_at) || f.resolved_at === null || f.resolved_at >= start),
        ).length;
        if (requests === 0) continue;
        const days = resolvedIn.map((f) => f.resolution_days).filter((d): d is number => d !== null);
        const [service, categorie, canal, quartier] = k.split('|');
        rows.push({
          mois: month,
          service,
          categorie,
          canal,
          quartier,
          demandes_recues: received,
          demandes_resolues: resolvedIn.length,
          stock_fin_de_mois: backlog,
          delai_resolution_median_jours: pct(days, 0.5),
          delai_resolution_p90_jours: pct(days, 0.9),
          taux_respect_delai: clocks.length
            ? Number((clocks.filter((f) => f.sla_resolution === 'met').length / clocks.length).toFixed(3))
            : null,
          secret_statistique: false,
        });
      }
      expected.push(...rows);
    }
    const order = (r: Record<string, unknown>) => [r['mois'], r['service'], r['categorie'], r['canal'], r['quartier']].join('|');
    const sorted = (rs: Array<Record<string, unknown>>) => [...rs].sort((a, b) => order(a).localeCompare(order(b)));
    expect(new Set(expected.map((r) => r['mois'])).size).toBeGreaterThanOrEqual(5); // the history does spread over the months
    expect(expected.filter((r) => Number(r['stock_fin_de_mois']) > 0 && Number(r['demandes_recues']) === 0).length).toBeGreaterThan(0);
    expect(sorted(published)).toEqual(sorted(expected));
  });
});

interface TableField {
  name: string;
  type: string;
  constraints?: { required?: boolean; minimum?: number; maximum?: number };
  trueValues?: string[];
  falseValues?: string[];
}

/** A Table Schema's fields as a JSON Schema for one cast row (types and constraints of the frictionless spec). */
function tableSchemaToJsonSchema(schema: { fields: TableField[] }) {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of schema.fields) {
    const base: Record<string, unknown> =
      f.type === 'integer'
        ? { type: 'integer' }
        : f.type === 'number'
          ? { type: 'number' }
          : f.type === 'boolean'
            ? { type: 'boolean' }
            : f.type === 'yearmonth'
              ? { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }
              : { type: 'string' };
    if (f.constraints?.minimum !== undefined) base['minimum'] = f.constraints.minimum;
    if (f.constraints?.maximum !== undefined) base['maximum'] = f.constraints.maximum;
    properties[f.name] = f.constraints?.required ? base : { anyOf: [base, { type: 'null' }] };
    if (f.constraints?.required) required.push(f.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** A CSV row cast by its Table Schema (missing value '' → null; a value that does not cast stays a string and fails). */
function castRow(schema: { fields: TableField[] }, row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of schema.fields) {
    const v = row[f.name];
    if (v === '' || v === undefined) out[f.name] = null;
    else if (f.type === 'integer') out[f.name] = /^-?\d+$/.test(v) ? Number(v) : v;
    else if (f.type === 'number') out[f.name] = Number.isFinite(Number(v)) ? Number(v) : v;
    else if (f.type === 'boolean') out[f.name] = f.trueValues?.includes(v) ? true : f.falseValues?.includes(v) ? false : v;
    else out[f.name] = v;
  }
  return out;
}
