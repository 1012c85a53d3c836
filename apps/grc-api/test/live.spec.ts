import { randomUUID } from 'node:crypto';
import { ADMIN, EV_AGENT, ids, VOIRIE_AGENT, VOIRIE_HEAD } from './support/demo';
import { eventually } from './support/eventually';
import { openStream, sessionCookie } from './support/sse-client';
import { DEMO_PASSWORD, startTestApp, type TestContext } from './support/test-app';

/**
 * Live updates (docs/live.md) across two API processes sharing one Redis: a change made through one is
 * streamed by the other, only to who may see the ticket (the REST routes' scope), as ids; reconnection
 * with Last-Event-ID replays what was missed; presence is shared the same way.
 */
describe('live updates: server-sent events over Redis, scoped like the REST routes', () => {
  let a: TestContext;
  let b: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  const streams: Array<{ close(): void }> = [];
  const cookies = new Map<string, string>();
  const cookie = async (ctx: TestContext, email: string) => {
    const key = `${ctx.url} ${email}`;
    if (!cookies.has(key)) cookies.set(key, await sessionCookie(ctx.url, email, DEMO_PASSWORD));
    return cookies.get(key)!;
  };
  const stream = async (ctx: TestContext, email: string, path: string, opts: { lastEventId?: string } = {}) => {
    const s = openStream(`${ctx.url}/api/v1/live/${path}`, await cookie(ctx, email), opts);
    streams.push(s);
    await eventually(() => expect(s.messages.map((m) => m.type)).toContain('ready'));
    return s;
  };
  const newTicket = async (ctx: TestContext, category: string) =>
    (
      await (
        await ctx.as(ADMIN)
      )
        .post('/api/v1/tickets')
        .send({
          channel: 'phone',
          categoryId: await d.category(category),
          subject: `Direct ${randomUUID().slice(0, 6)}`,
          description: 'Texte privé',
        })
        .expect(201)
    ).body as { id: string; version: number; department: { id: string } };

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp();
    d = await ids(a.db);
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    await b?.close();
    await a?.close();
  });

  it("delivers a change made through one process to another process's streams, never to another department", async () => {
    const voirie = await stream(b, VOIRIE_AGENT, 'inbox');
    const ev = await stream(b, EV_AGENT, 'inbox');
    const admin = await stream(a, ADMIN, 'inbox');
    const inVoirie = await newTicket(a, 'nid-de-poule');
    const inEv = await newTicket(a, 'aire-de-jeux');

    await eventually(() => expect(voirie.events().map((e) => e.ticketId)).toContain(inVoirie.id));
    // the espaces-verts event was published after the voirie one, on the same channel: once it is there, the other would be too
    await eventually(() => expect(ev.events().map((e) => e.ticketId)).toContain(inEv.id));
    expect(ev.events().map((e) => e.ticketId)).not.toContain(inVoirie.id);
    await eventually(() => expect(admin.events().map((e) => e.ticketId)).toEqual(expect.arrayContaining([inVoirie.id, inEv.id])));
    expect(voirie.events().map((e) => e.ticketId)).not.toContain(inEv.id);

    // ids, never data: no subject, no description, no person
    const e = voirie.events().find((x) => x.ticketId === inVoirie.id)!;
    expect(e).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      kind: 'created',
      ticketId: inVoirie.id,
      version: inVoirie.version,
      departmentId: inVoirie.department.id,
      timeline: ['created'],
    });
  });

  it("streams one ticket's changes while the agent sees it, then tells the former department it moved and ends", async () => {
    const t = await newTicket(a, 'nid-de-poule');
    // another department's ticket answers 404, as GET /tickets/:id does
    const refused = await fetch(`${b.url}/api/v1/live/tickets/${t.id}`, { headers: { Cookie: await cookie(b, EV_AGENT) } });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);

    const s = await stream(b, VOIRIE_AGENT, `tickets/${t.id}`);
    const other = await newTicket(a, 'nid-de-poule');
    const agent = await a.as(VOIRIE_AGENT);
    // a stale save (409) commits nothing and tells nobody: the next event is the successful note's
    await agent
      .post(`/api/v1/tickets/${t.id}/messages`)
      .send({ version: t.version + 5, kind: 'note', body: 'Périmé' })
      .expect(409);
    await agent.post(`/api/v1/tickets/${other.id}/messages`).send({ version: other.version, kind: 'note', body: 'Autre' }).expect(201);
    const noted = (await agent.post(`/api/v1/tickets/${t.id}/messages`).send({ version: t.version, kind: 'note', body: 'Vu' }).expect(201))
      .body;
    await eventually(() => expect(s.events()).toHaveLength(1));
    expect(s.events()[0]).toMatchObject({ kind: 'changed', ticketId: t.id, version: noted.version, timeline: ['note'] });

    await (
      await a.as(ADMIN)
    )
      .post(`/api/v1/tickets/${t.id}/transfer`)
      .send({ version: noted.version, departmentId: await d.department('espaces-verts'), reason: 'Ce sont des espaces verts' })
      .expect(201);
    await eventually(() => expect(s.events().map((e) => e.kind)).toEqual(['changed', 'moved']));
    expect(s.events()[1]).toMatchObject({
      fromDepartmentId: await d.department('voirie'),
      departmentId: await d.department('espaces-verts'),
    });
    await eventually(() => expect(s.closedByServer).toBe(true));
  });

  it('replays what a reconnecting console missed (Last-Event-ID), and says reset when the log no longer reaches back', async () => {
    const t = await newTicket(a, 'nid-de-poule');
    const first = await stream(a, VOIRIE_AGENT, `tickets/${t.id}`);
    const ready = first.messages.find((m) => m.type === 'ready')!;
    first.close();
    const agent = await a.as(VOIRIE_AGENT);
    const one = (await agent.post(`/api/v1/tickets/${t.id}/messages`).send({ version: t.version, kind: 'note', body: 'Un' }).expect(201))
      .body;
    const two = (
      await agent.post(`/api/v1/tickets/${t.id}/messages`).send({ version: one.version, kind: 'note', body: 'Deux' }).expect(201)
    ).body;
    // the other process replays from the shared log, once both are in it
    await eventually(async () => {
      const again = await stream(b, VOIRIE_AGENT, `tickets/${t.id}`, { lastEventId: ready.id });
      again.close();
      expect(again.events().map((e) => e.version)).toEqual([one.version, two.version]);
      // replayed before `ready`, whose id is the last one sent
      const types = again.messages.map((m) => m.type);
      expect(types.indexOf('ready')).toBe(types.length - 1);
      expect(again.messages[types.length - 1]!.id).toBe(again.events()[1]!.id);
    });
    const lost = await stream(b, VOIRIE_AGENT, `tickets/${t.id}`, { lastEventId: '1-0' });
    expect(lost.messages[0]!.type).toBe('reset');
    expect(lost.events()).toEqual([]);
  });

  it('shares presence across processes and warns before writing on a ticket someone is answering', async () => {
    const t = await newTicket(a, 'nid-de-poule');
    const s = await stream(a, VOIRIE_AGENT, `tickets/${t.id}`);
    const agent = await a.as(VOIRIE_AGENT);
    const head = await b.as(VOIRIE_HEAD);
    const me = (await agent.put(`/api/v1/live/tickets/${t.id}/presence`).send({ state: 'viewing' }).expect(200)).body;
    expect(me.entries).toEqual([expect.objectContaining({ state: 'viewing', me: true, displayName: 'Julie Lefebvre' })]);
    await head.put(`/api/v1/live/tickets/${t.id}/presence`).send({ state: 'writing_reply' }).expect(200);
    await eventually(() => expect(s.events().filter((e) => e.kind === 'presence').length).toBeGreaterThanOrEqual(1));
    expect(s.events().find((e) => e.kind === 'presence')).toEqual({
      id: '',
      kind: 'presence',
      ticketId: t.id,
      version: 0,
      departmentId: t.department.id,
    });

    const both = (await agent.get(`/api/v1/live/tickets/${t.id}/presence`).expect(200)).body;
    expect(both.entries.map((e: { displayName: string; state: string }) => [e.displayName, e.state])).toEqual([
      ['Thierry Moreau', 'writing_reply'],
      ['Julie Lefebvre', 'viewing'],
    ]);
    const starting = (await agent.put(`/api/v1/live/tickets/${t.id}/presence`).send({ state: 'writing_note' }).expect(200)).body;
    expect(starting.warning).toEqual({ agentId: await d.agent(VOIRIE_HEAD), displayName: 'Thierry Moreau', state: 'writing_reply' });

    await head.delete(`/api/v1/live/tickets/${t.id}/presence`).expect(204);
    const after = (await agent.get(`/api/v1/live/tickets/${t.id}/presence`).expect(200)).body;
    expect(after.entries.map((e: { displayName: string }) => e.displayName)).toEqual(['Julie Lefebvre']);

    // another department: 404, and a state that is not one: 400 naming it
    await (await b.as(EV_AGENT)).put(`/api/v1/live/tickets/${t.id}/presence`).send({ state: 'viewing' }).expect(404);
    const bad = await agent.put(`/api/v1/live/tickets/${t.id}/presence`).send({ state: 'typing' }).expect(400);
    expect(bad.body.errors[0].field).toBe('state');
  });

  it('refuses the stream (503) when the process is full, so that the console polls', async () => {
    const full = await startTestApp({ GRC_LIVE_MAX_CLIENTS: '0' });
    try {
      const res = await fetch(`${full.url}/api/v1/live/inbox`, { headers: { Cookie: await cookie(full, VOIRIE_AGENT) } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
      expect((await res.json()).errors[0].code).toBe('live.too_many_clients');
    } finally {
      await full.close();
    }
  });
});
