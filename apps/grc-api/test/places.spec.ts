import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { importBan, importBanFile } from '../src/modules/places/ban-importer';
import { ADMIN, EV_AGENT, VOIRIE_AGENT, ids } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

const DEMO_BAN = join(__dirname, '../../../packs/demo-town/ban/adresses-37.csv');
const SYSTEM = { actorId: null, actorLabel: 'system:test', ip: null };
const text = readFileSync(DEMO_BAN, 'utf8');
const [header, ...lines] = text.trimEnd().split('\n');

/** BAN import (idempotent, in place), search-as-you-type, reverse geocoding and the map's data, on the real PostgreSQL. */
describe('places', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  const count = async (sql: string, params: unknown[] = []) => Number((await ctx.db.query(sql, params))[0].n);

  it('loads the demo pack with Saint-Aubin-sur-Loire’s BAN extract', async () => {
    expect(await count(`SELECT count(*) AS n FROM addresses`)).toBe(lines.length);
    expect(await count(`SELECT count(*) AS n FROM address_streets WHERE insee = '37999'`)).toBe(31);
    const summary = (await (await ctx.as(ADMIN)).get('/api/v1/places/summary').expect(200)).body;
    expect(summary).toMatchObject({ addresses: lines.length, streets: 31, communes: [{ insee: '37999', name: 'Saint-Aubin-sur-Loire' }] });
    expect(summary.lastImportAt).not.toBeNull();
    await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/places/summary').expect(403);
  });

  describe('search as you type', () => {
    const search = async (q: string) => (await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/places/search').query({ q }).expect(200)).body;

    it('finds a house number with its repetition index, street types abbreviated', async () => {
      const [first] = await search('12 bis av de la gare');
      expect(first).toMatchObject({ kind: 'address', number: 12, rep: null, street: 'Avenue de la Gare' });
      const [bis] = await search('13 bis av. de la gare');
      expect(bis).toMatchObject({
        kind: 'address',
        number: 13,
        rep: 'bis',
        label: '13 bis Avenue de la Gare, 37999 Saint-Aubin-sur-Loire',
      });
      const plain = await search('13 av. de la gare');
      expect(plain[0]).toMatchObject({ number: 13, rep: null });
      expect(plain[1]).toMatchObject({ number: 13, rep: 'bis' });
      expect((await search('39 ter bd gambetta'))[0]).toMatchObject({ number: 39, rep: 'ter', street: 'Boulevard Gambetta' });
      expect((await search('5 pl. de la mairie'))[0]).toMatchObject({ number: 5, street: 'Place de la Mairie' });
      expect((await search('3 r. nationale'))[0]).toMatchObject({ number: 3, street: 'Rue Nationale' });
    });

    it('finds streets from their first letters, accents and case ignored', async () => {
      expect((await search('chem. des vign'))[0]).toMatchObject({ kind: 'street', street: 'Chemin des Vignes' });
      expect((await search('EMILE ZOLA'))[0]).toMatchObject({ kind: 'street', street: 'Rue Émile-Zola' });
      expect((await search('tanneurs'))[0]).toMatchObject({ street: 'Rue des Tanneurs' });
      // a number the street does not have: the street itself, to place the point by hand
      expect((await search('998 rue des halles'))[0]).toMatchObject({ kind: 'street', street: 'Rue des Halles' });
      expect(await search('zzzzqqq')).toEqual([]);
      expect(await search('a')).toEqual([]);
    });

    it('is public for the citizens’ form, and checks its input', async () => {
      const res = await ctx.http.get('/api/v1/public/places/search').query({ q: '2 quai de loire' }).expect(200);
      expect(res.body[0]).toMatchObject({ number: 2, street: 'Quai de Loire' });
      const bad = await ctx.http
        .get('/api/v1/public/places/search')
        .query({ q: 'x'.repeat(201) })
        .expect(400);
      expect(JSON.stringify(bad.body)).toContain('"q"');
      await ctx.http.get('/api/v1/places/search').query({ q: 'gare' }).expect(401);
    });
  });

  describe('reverse geocoding', () => {
    it('answers the nearest address, with its distance', async () => {
      const [a] = await ctx.db.query(`SELECT id, lat, lon FROM addresses WHERE street = 'Rue Pasteur' AND number = 10`);
      const res = await (
        await ctx.as(VOIRIE_AGENT)
      )
        .get('/api/v1/places/reverse')
        .query({ lat: a.lat + 0.00002, lng: a.lon })
        .expect(200);
      expect(res.body).toMatchObject({ id: a.id, number: 10, street: 'Rue Pasteur' });
      expect(res.body.distanceMetres).toBeLessThanOrEqual(3);
      const pub = await ctx.http.get('/api/v1/public/places/reverse').query({ lat: a.lat, lng: a.lon }).expect(200);
      expect(pub.body.id).toBe(a.id);
    });
    it('answers null far from every address, 400 off the globe', async () => {
      const far = await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/places/reverse').query({ lat: 45, lng: 5 }).expect(200);
      expect(far.body).toEqual({});
      const bad = await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/places/reverse').query({ lat: 95, lng: 0 }).expect(400);
      expect(JSON.stringify(bad.body)).toContain('lat');
    });
  });

  describe('the BAN import', () => {
    it('is idempotent: the same file again changes nothing', async () => {
      const before = await ctx.db.query(`SELECT id, updated_at FROM addresses ORDER BY id`);
      const r = await importBanFile(ctx.db, DEMO_BAN, SYSTEM);
      expect(r).toMatchObject({
        lines: lines.length,
        inserted: 0,
        updated: 0,
        unchanged: lines.length,
        removed: 0,
        rejected: 0,
        communes: ['37999'],
      });
      expect(await ctx.db.query(`SELECT id, updated_at FROM addresses ORDER BY id`)).toEqual(before);
    });

    it('updates in place: a moved address, a new one, one gone, a bad line reported', async () => {
      const moved = lines[0]!.split(';');
      const oldLat = Number(moved[13]);
      moved[13] = String(oldLat + 0.001);
      const added = lines[1]!.split(';');
      added[0] = `${added[1]}_00777`;
      added[2] = '777';
      const bad = lines[2]!.split(';');
      bad[2] = 'douze';
      const gone = lines[3]!.split(';')[0];
      const file = [header, moved.join(';'), added.join(';'), bad.join(';'), ...lines.slice(4)].join('\n');
      const r = await importBan(ctx.db, Readable.from([file]), { source: 'edited.csv', actor: SYSTEM });
      expect(r).toMatchObject({
        inserted: 1,
        updated: 1,
        removed: 3,
        rejected: 1,
        rejections: [{ line: 4, field: 'numero', code: 'ban.numero' }],
      });
      // the renumbered line's old id, the bad line's and the one left out are not in the file any more
      expect(await count(`SELECT count(*) AS n FROM addresses WHERE id = $1`, [gone])).toBe(0);
      expect(Number((await ctx.db.query(`SELECT lat FROM addresses WHERE id = $1`, [moved[0]]))[0].lat)).toBeCloseTo(oldLat + 0.001, 6);
      const found = (await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/places/search').query({ q: '777 rue nationale' }).expect(200)).body;
      expect(found[0]).toMatchObject({ number: 777, kind: 'address' });
      const [audit] = await ctx.db.query(
        `SELECT actor_label, changes FROM audit_events WHERE action = 'places.import' ORDER BY id DESC LIMIT 1`,
      );
      expect(audit.changes.inserted.after).toBe(1);
      // and back to the pack's file
      expect(await importBanFile(ctx.db, DEMO_BAN, SYSTEM)).toMatchObject({ inserted: 3, updated: 1, removed: 1 });
    });

    it('refuses a file without the BAN columns and changes nothing (422 on the field `file`)', async () => {
      const admin = await ctx.as(ADMIN);
      const imports = await count(`SELECT count(*) AS n FROM address_imports`);
      const res = await admin.post('/api/v1/places/imports').attach('file', Buffer.from('a;b;c\n1;2;3\n'), 'adresses-37.csv').expect(422);
      expect(res.body.errors[0]).toMatchObject({ field: 'file', code: 'ban.columns' });
      expect(await count(`SELECT count(*) AS n FROM address_imports`)).toBe(imports);
      const none = await admin.post('/api/v1/places/imports').expect(400);
      expect(none.body.errors[0]).toMatchObject({ field: 'file' });
    });

    it('refuses a file that is not UTF-8 (re-saved in Latin-1), naming its line, and changes nothing', async () => {
      const admin = await ctx.as(ADMIN);
      const imports = await count(`SELECT count(*) AS n FROM address_imports`);
      const before = await ctx.db.query(`SELECT id, street, updated_at FROM addresses WHERE street = 'Rue Émile-Zola' ORDER BY id`);
      // the same lines in Latin-1 bytes (é = 0xE9, É = 0xC9): the first accent ("entrée", type_position) is on line 2
      const firstAccent = [header, ...lines].findIndex((l) => Buffer.byteLength(l) !== l.length) + 1;
      expect(firstAccent).toBe(2);
      const latin1 = Buffer.from([header, ...lines].join('\n'), 'latin1');
      const res = await admin.post('/api/v1/places/imports').attach('file', latin1, 'adresses-37.csv').expect(422);
      expect(res.body.errors[0]).toMatchObject({ field: 'file', code: 'ban.encoding', params: { line: 2 } });
      // further down: a valid head, then one street re-typed in Latin-1 on the file's line 1,000 (a chunk of its own)
      const mixed = Buffer.concat([
        Buffer.from([header, ...lines.slice(0, 998)].join('\n') + '\n'),
        Buffer.from(lines[998]!.replace('entrée', 'entr\u00e9e') + '\n', 'latin1'),
        Buffer.from(lines.slice(999).join('\n')),
      ]);
      const late = await admin.post('/api/v1/places/imports').attach('file', mixed, 'adresses-37.csv').expect(422);
      expect(late.body.errors[0]).toMatchObject({ code: 'ban.encoding', params: { line: 1000 } });
      expect(res.body.errors[0].message).toContain('UTF-8');
      expect(await count(`SELECT count(*) AS n FROM address_imports`)).toBe(imports);
      expect(await ctx.db.query(`SELECT id, street, updated_at FROM addresses WHERE street = 'Rue Émile-Zola' ORDER BY id`)).toEqual(
        before,
      );
      expect(await count(`SELECT count(*) AS n FROM addresses WHERE street LIKE '%' || chr(65533) || '%'`)).toBe(0);
      // a character cut between two chunks of the stream is not a fault: the pack's file read 7 bytes at a time
      const bytes = Buffer.from(text);
      const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
      expect(await importBan(ctx.db, Readable.from(chunks), { source: 'chunks.csv', actor: SYSTEM })).toMatchObject({
        lines: lines.length,
        unchanged: lines.length,
        rejected: 0,
      });
    });

    it('imports an uploaded file from the admin screen; others may not', async () => {
      const admin = await ctx.as(ADMIN);
      const res = await admin.post('/api/v1/places/imports').attach('file', Buffer.from(text), 'adresses-37.csv').expect(201);
      expect(res.body).toMatchObject({ lines: lines.length, unchanged: lines.length, inserted: 0 });
      await (await ctx.as(VOIRIE_AGENT)).post('/api/v1/places/imports').attach('file', Buffer.from(text), 'adresses-37.csv').expect(403);
    });
  });

  describe('requests on the map', () => {
    const open = `t.status IN ('new', 'open', 'waiting_citizen') AND t.latitude IS NOT NULL`;
    it('lists a ticket’s open neighbours within 500 m, nearest first, in the caller’s departments only', async () => {
      const d = await ids(ctx.db);
      const voirie = await d.department('voirie');
      // a voirie request, and one other open request of the agent's departments placed ~110 m from it by the test
      // itself: the demo's requests and their positions move with the date, a neighbour found in them is luck
      const [t] = await ctx.db.query(
        `SELECT t.id, t.latitude, t.longitude FROM tickets t WHERE ${open} AND t.department_id = $1 ORDER BY t.created_at LIMIT 1`,
        [voirie],
      );
      const [o] = await ctx.db.query(
        `SELECT o.id FROM tickets o JOIN agent_departments ad ON ad.department_id = o.department_id JOIN agents a ON a.id = ad.agent_id
         WHERE a.email = $1 AND o.id <> $2 AND o.status IN ('new', 'open', 'waiting_citizen') ORDER BY o.created_at LIMIT 1`,
        [VOIRIE_AGENT, t.id],
      );
      await ctx.db.query(`UPDATE tickets SET latitude = $2, longitude = $3 WHERE id = $1`, [
        o.id,
        Number(t.latitude) + 0.001,
        Number(t.longitude),
      ]);
      const agent = await ctx.as(VOIRIE_AGENT);
      const near = (await agent.get(`/api/v1/tickets/${t.id}/nearby`).expect(200)).body as Array<{ id: string; distanceMetres: number }>;
      expect(near.length).toBeGreaterThan(0);
      expect(near.map((n) => n.id)).not.toContain(t.id);
      expect(near.map((n) => n.distanceMetres)).toEqual([...near.map((n) => n.distanceMetres)].sort((a, b) => a - b));
      expect(near.every((n) => n.distanceMetres <= 500)).toBe(true);
      const agentDepts: string[] = (
        await ctx.db.query(`SELECT department_id FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.email = $1`, [
          VOIRIE_AGENT,
        ])
      ).map((r: { department_id: string }) => r.department_id);
      const depts = await ctx.db.query(`SELECT DISTINCT department_id FROM tickets WHERE id = ANY($1::uuid[])`, [near.map((n) => n.id)]);
      expect(depts.every((r: { department_id: string }) => agentDepts.includes(r.department_id))).toBe(true);
      await (await ctx.as(EV_AGENT)).get(`/api/v1/tickets/${t.id}/nearby`).expect(404);
    });

    it('clusters the inbox’s requests per zoom level, with the same view, filters and scope', async () => {
      const agent = await ctx.as(VOIRIE_AGENT);
      const bbox = '0.6,47.3,0.8,47.5';
      const [{ n: visible }] = await ctx.db.query(
        `SELECT count(*)::int AS n FROM tickets t WHERE ${open} AND t.department_id IN
           (SELECT department_id FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.email = $1)`,
        [VOIRIE_AGENT],
      );
      const town = (await agent.get('/api/v1/places/requests-map').query({ bbox, zoom: 12 }).expect(200)).body;
      expect(town.total).toBe(visible);
      expect(town.cells.length).toBeLessThan(visible);
      // street level: a box of the town's centre (a whole town at zoom 19 is not a view: 400, see below)
      const centre = '0.676,47.38,0.696,47.4';
      const [{ n: inCentre }] = await ctx.db.query(
        `SELECT count(*)::int AS n FROM tickets t WHERE ${open} AND point(t.longitude, t.latitude) <@ box(point(0.676, 47.38), point(0.696, 47.4))
           AND t.department_id IN (SELECT department_id FROM agent_departments ad JOIN agents a ON a.id = ad.agent_id WHERE a.email = $1)`,
        [VOIRIE_AGENT],
      );
      const street = (await agent.get('/api/v1/places/requests-map').query({ bbox: centre, zoom: 19 }).expect(200)).body;
      expect(street).toMatchObject({ total: inCentre, truncated: false });
      expect(inCentre).toBeGreaterThan(1);
      const single = street.cells.find((c: { count: number }) => c.count === 1);
      expect(single.ticket).toMatchObject({ id: expect.any(String), reference: expect.stringMatching(/^GRC-/) });
      const onlyNew = (await agent.get('/api/v1/places/requests-map').query({ bbox, zoom: 12, status: 'new' }).expect(200)).body;
      expect(onlyNew.total).toBeLessThan(visible);
      const admin = (await (await ctx.as(ADMIN)).get('/api/v1/places/requests-map').query({ bbox, zoom: 12 }).expect(200)).body;
      expect(admin.total).toBeGreaterThan(visible);
      await agent.get('/api/v1/places/requests-map').query({ bbox, zoom: 12, view: 'all' }).expect(403);
      const bad = await agent.get('/api/v1/places/requests-map').query({ bbox: '1,2,0,3', zoom: 12 }).expect(400);
      expect(bad.body.errors[0]).toMatchObject({ field: 'bbox' });
    });
  });

  describe('hostile input and another department’s requests', () => {
    const bbox = '0.6,47.3,0.8,47.5';
    const open = `t.status IN ('new', 'open', 'waiting_citizen') AND t.latitude IS NOT NULL`;
    it('refuses malformed coordinates, zoom levels and boxes with a 400 naming the field', async () => {
      const agent = await ctx.as(VOIRIE_AGENT);
      const field = (res: { body: { errors: Array<{ field: string; code?: string }> } }) => res.body.errors[0];
      for (const q of [
        { lat: '', lng: '' },
        { lat: ' ', lng: '0.68' },
        { lat: '0x2F', lng: '0.68' },
        { lat: '4e1', lng: '0.68' },
        { lng: '0.68' },
      ])
        expect(field(await agent.get('/api/v1/places/reverse').query(q).expect(400))).toMatchObject({ field: 'lat' });
      expect(field(await ctx.http.get('/api/v1/public/places/reverse').query({ lat: '47.39', lng: 'NaN' }).expect(400))).toMatchObject({
        field: 'lng',
      });
      expect(field(await agent.get('/api/v1/places/nearby').query({ lat: '47.39', lng: 'Infinity' }).expect(400))).toMatchObject({
        field: 'lng',
      });
      for (const zoom of ['23', '-1', '1.5', '', 'x'])
        expect(field(await agent.get('/api/v1/places/requests-map').query({ bbox, zoom }).expect(400))).toMatchObject({ field: 'zoom' });
      for (const b of ['0,,1,1', '0.6,47.3,0.8', '0.6,47.3,0.8,47.5,1', 'a,b,c,d', '0.6,47.3,0.8,95', '0.6 ,47.3,0x1,47.5'])
        expect(field(await agent.get('/api/v1/places/requests-map').query({ bbox: b, zoom: 12 }).expect(400))).toMatchObject({
          field: 'bbox',
          code: 'map.bbox',
        });
      // the whole town at street level, the globe at zoom 10: not a view of the map
      const huge = await agent.get('/api/v1/places/requests-map').query({ bbox, zoom: 18 }).expect(400);
      expect(field(huge)).toMatchObject({ field: 'bbox', code: 'map.bbox_too_large', params: { zoom: 18, tiles: 32 } });
      await agent.get('/api/v1/places/requests-map').query({ bbox: '-180,-85,180,85', zoom: 10 }).expect(400);
      const world = (await agent.get('/api/v1/places/requests-map').query({ bbox: '-180,-85,180,85', zoom: 2 }).expect(200)).body;
      expect(world).toMatchObject({ truncated: false, total: world.cells.reduce((n: number, c: { count: number }) => n + c.count, 0) });
    });

    it('never shows another department’s requests, whatever the filters or the point asked', async () => {
      const d = await ids(ctx.db);
      const ev = await d.department('espaces-verts');
      const [theirs] = await ctx.db.query(
        `SELECT id, latitude AS lat, longitude AS lon FROM tickets t WHERE ${open} AND t.department_id = $1 ORDER BY created_at LIMIT 1`,
        [ev],
      );
      const agent = await ctx.as(VOIRIE_AGENT);
      // the map filtered on that department: nothing (the filter narrows the scope, it never widens it)
      const probe = (await agent.get('/api/v1/places/requests-map').query({ bbox, zoom: 12, departmentId: ev }).expect(200)).body;
      expect(probe).toMatchObject({ total: 0, cells: [], unplaced: 0 });
      // at street level around their request: every single request the agent is shown is of its departments
      const around = [theirs.lon - 0.005, theirs.lat - 0.005, theirs.lon + 0.005, theirs.lat + 0.005].join(',');
      const street = (await agent.get('/api/v1/places/requests-map').query({ bbox: around, zoom: 19, q: '' }).expect(200)).body;
      expect(JSON.stringify(street)).not.toContain(theirs.id);
      const shown = street.cells.filter((c: { ticket?: { id: string } }) => c.ticket).map((c: { ticket: { id: string } }) => c.ticket.id);
      const shownDepts = await ctx.db.query(`SELECT DISTINCT department_id FROM tickets WHERE id = ANY($1::uuid[])`, [shown]);
      expect(shownDepts.map((r: { department_id: string }) => r.department_id)).not.toContain(ev);
      const admin = (
        await (await ctx.as(ADMIN)).get('/api/v1/places/requests-map').query({ bbox, zoom: 12, departmentId: ev, view: 'all' }).expect(200)
      ).body;
      expect(admin.total).toBeGreaterThan(0);
      // the nearby list at that very point: none of theirs; the admin's has it at 0 m
      const near = (await agent.get('/api/v1/places/nearby').query({ lat: theirs.lat, lng: theirs.lon }).expect(200)).body;
      const nearDepts = await ctx.db.query(`SELECT DISTINCT department_id FROM tickets WHERE id = ANY($1::uuid[])`, [
        near.map((n: { id: string }) => n.id),
      ]);
      expect(nearDepts.map((r: { department_id: string }) => r.department_id)).not.toContain(ev);
      const adminNear = (await (await ctx.as(ADMIN)).get('/api/v1/places/nearby').query({ lat: theirs.lat, lng: theirs.lon }).expect(200))
        .body;
      expect(adminNear.find((n: { id: string }) => n.id === theirs.id)).toMatchObject({ distanceMetres: 0 });
      // their ticket's own neighbours: 404, the same answer as a ticket that does not exist
      await agent.get(`/api/v1/tickets/${theirs.id}/nearby`).expect(404);
      await agent.get(`/api/v1/tickets/00000000-0000-4000-8000-000000000000/nearby`).expect(404);
    });
  });

  describe('the ticket page’s map: duplicate candidates', () => {
    const stamp = Date.now().toString(36);
    const report = async (description: string, lat: string, lng: string) => {
      const pothole = await (await ids(ctx.db)).category('nid-de-poule');
      let req = ctx.http.post('/api/v1/public/requests').set('X-Requested-With', 'grc');
      const fields = {
        categoryId: pothole,
        description,
        latitude: lat,
        longitude: lng,
        lastName: 'Durand',
        email: `p-${stamp}@example.org`,
      };
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      const res = await req.expect(201);
      const [t] = await ctx.db.query(`SELECT id, version FROM tickets WHERE reference = $1`, [res.body.reference]);
      return t as { id: string; version: number };
    };
    it('gives each candidate’s position, of the departments the agent sees only (another department’s: counted, no point)', async () => {
      const mine = await report(`Nid-de-poule place du Marché ${stamp}`, '47.36000', '0.66000');
      const theirs = await report(`Nid-de-poule place du Marché ${stamp} bis`, '47.36002', '0.66002');
      const admin = await ctx.as(ADMIN);
      await admin
        .post(`/api/v1/tickets/${theirs.id}/transfer`)
        .send({ departmentId: await (await ids(ctx.db)).department('espaces-verts'), reason: 'test', version: theirs.version })
        .expect(201);
      const fresh = await report(`Nid-de-poule place du Marché ${stamp} encore`, '47.36001', '0.66001');
      type Candidate = { id: string; lat: number | null; lng: number | null };
      const all = (await admin.get(`/api/v1/tickets/${fresh.id}/duplicates`).expect(200)).body.candidates as Candidate[];
      expect(all.find((c) => c.id === theirs.id)).toMatchObject({ lat: 47.36002, lng: 0.66002 });
      const seen = (await (await ctx.as(VOIRIE_AGENT)).get(`/api/v1/tickets/${fresh.id}/duplicates`).expect(200)).body;
      expect(seen.candidates.find((c: Candidate) => c.id === mine.id)).toMatchObject({ lat: 47.36, lng: 0.66 });
      expect(seen.candidates.map((c: Candidate) => c.id)).not.toContain(theirs.id);
      expect(JSON.stringify(seen)).not.toContain('47.36002');
      expect(seen.otherDepartmentCandidates).toBeGreaterThanOrEqual(1);
    });
  });

  describe('routing areas as GeoJSON (import with a preview, all or nothing; export)', () => {
    const ring = (x: number, y: number) => [
      [x, y],
      [x + 0.01, y],
      [x + 0.01, y + 0.01],
      [x, y],
    ];
    const feature = (properties: Record<string, unknown>, x = 0.69, y = 47.38) => ({
      type: 'Feature',
      properties,
      geometry: { type: 'Polygon', coordinates: [ring(x, y)] },
    });
    const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });
    const rulesOf = async (categoryId: string) =>
      ctx.db.query(
        `SELECT id, department_id, area_name, area, position, version FROM routing_rules WHERE category_id = $1 ORDER BY position`,
        [categoryId],
      );
    const audits = (ruleIds: string[]) =>
      count(`SELECT count(*) AS n FROM audit_events WHERE action = 'routing_rule.import' AND entity_id::text = ANY($1::text[])`, [ruleIds]);

    it('previews, then creates and updates the rules in one transaction, audited; the export reads them back', async () => {
      const admin = await ctx.as(ADMIN);
      const d = await ids(ctx.db);
      const code = `zones-${Date.now().toString(36)}`;
      const category = (
        await admin
          .post('/api/v1/categories')
          .send({ code, nameFr: 'Zones', nameEn: 'Areas', defaultDepartmentId: await d.department('voirie') })
          .expect(201)
      ).body;
      const existing = (
        await admin
          .post('/api/v1/routing-rules')
          .send({
            categoryId: category.id,
            departmentId: await d.department('voirie'),
            areaName: 'Ancien',
            area: ring(0.6, 47.3).slice(0, 3),
          })
          .expect(201)
      ).body;
      const file = fc(
        feature({ ruleId: existing.id, name: 'Centre', department: 'proprete' }),
        feature({ name: 'Quartier nord', category: code, department: 'espaces-verts' }, 0.7, 47.4),
      );
      const preview = (await admin.post('/api/v1/routing-rules/areas/import').query({ dryRun: 'true' }).send(file).expect(200)).body;
      expect(preview).toMatchObject({
        dryRun: true,
        created: 1,
        updated: 1,
        unchanged: 0,
        items: [
          { index: 0, kind: 'update', ruleId: existing.id, areaName: 'Centre', changes: ['area', 'areaName', 'departmentId'] },
          { index: 1, kind: 'create', ruleId: null, categoryId: category.id, areaName: 'Quartier nord' },
        ],
      });
      expect(await rulesOf(category.id)).toHaveLength(1); // a preview writes nothing

      const done = (await admin.post('/api/v1/routing-rules/areas/import').send(file).expect(200)).body;
      expect(done).toMatchObject({ dryRun: false, created: 1, updated: 1 });
      const rules = await rulesOf(category.id);
      expect(rules).toHaveLength(2);
      expect(rules[0]).toMatchObject({ id: existing.id, area_name: 'Centre', department_id: await d.department('proprete'), version: 2 });
      expect(rules[0].area).toEqual(ring(0.69, 47.38).slice(0, 3));
      expect(rules[1]).toMatchObject({
        id: done.items[1].ruleId,
        area_name: 'Quartier nord',
        department_id: await d.department('espaces-verts'),
      });
      expect(rules[1].position).toBeGreaterThan(rules[0].position);
      expect(await audits(rules.map((r: { id: string }) => r.id))).toBe(2);

      // the export names them by code; imported again, it changes nothing
      const exported = (await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/routing-rules/areas').expect(200)).body;
      const ours = exported.features.filter((f: { properties: { category?: string } }) => f.properties.category === code);
      expect(ours.map((f: { properties: object }) => f.properties)).toEqual([
        { name: 'Centre', ruleId: existing.id, category: code, department: 'proprete' },
        { name: 'Quartier nord', ruleId: rules[1].id, category: code, department: 'espaces-verts' },
      ]);
      const again = (
        await admin
          .post('/api/v1/routing-rules/areas/import')
          .send(fc(...ours))
          .expect(200)
      ).body;
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      expect(await audits(rules.map((r: { id: string }) => r.id))).toBe(2);
    });

    it('refuses a file with any feature at fault, naming it and its field, and changes nothing; admins only', async () => {
      const admin = await ctx.as(ADMIN);
      const before = await count(`SELECT count(*) AS n FROM routing_rules`);
      const [rule] = await ctx.db.query(`SELECT id, version FROM routing_rules ORDER BY position LIMIT 1`);
      const bad = await admin
        .post('/api/v1/routing-rules/areas/import')
        .send(
          fc(
            feature({ ruleId: rule.id, name: 'Valide' }),
            feature({ name: 'Sans service', category: 'nid-de-poule' }),
            feature({ name: 'Inconnu', category: 'nid-de-poule', department: 'nulle-part' }),
            {
              type: 'Feature',
              properties: { name: 'Nœud papillon', category: 'nid-de-poule', department: 'voirie' },
              geometry: {
                type: 'Polygon',
                coordinates: [
                  [
                    [0.68, 47.38],
                    [0.7, 47.4],
                    [0.7, 47.38],
                    [0.68, 47.41],
                    [0.68, 47.38],
                  ],
                ],
              },
            },
          ),
        )
        .expect(400);
      expect(bad.body.errors).toEqual([
        expect.objectContaining({ field: 'features[1].properties.department', code: 'geojson.department_required' }),
        expect.objectContaining({ field: 'features[2].properties.department', code: 'geojson.unknown_department' }),
        expect.objectContaining({ field: 'features[3].geometry', code: 'polygon.self_intersecting' }),
      ]);
      expect(await count(`SELECT count(*) AS n FROM routing_rules`)).toBe(before);
      expect((await ctx.db.query(`SELECT version FROM routing_rules WHERE id = $1`, [rule.id]))[0].version).toBe(rule.version);
      const notGeoJson = await admin.post('/api/v1/routing-rules/areas/import').send({ type: 'Feature', features: 'x' }).expect(400);
      expect(notGeoJson.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['type', 'features']));
      await (await ctx.as(VOIRIE_AGENT)).post('/api/v1/routing-rules/areas/import').query({ dryRun: 'true' }).send(fc()).expect(403);
    });
  });

  it('has no map when no tile source is configured', async () => {
    const settings = (await ctx.http.get('/api/v1/public/places/map-settings').expect(200)).body;
    expect(settings.tiles).toBeNull();
    expect(settings.centre.lat).toBeCloseTo(47.39, 1);
    const res = await ctx.http.get('/api/v1/health');
    expect(res.headers['content-security-policy']).toContain("img-src 'self' data: blob:;");
  });
});

describe('places with a configured tile source', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({
      GRC_MAP_TILES_URL: 'http://127.0.0.1:8999/tiles/{z}/{x}/{y}.png',
      GRC_MAP_TILES_ATTRIBUTION: '© Tuiles de test',
    });
  });
  afterAll(() => ctx.close());

  it('serves the tiles’ template and attribution, and allows their origin in img-src only', async () => {
    const settings = (await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/places/map-settings').expect(200)).body;
    expect(settings.tiles).toEqual({ url: 'http://127.0.0.1:8999/tiles/{z}/{x}/{y}.png', attribution: '© Tuiles de test', maxZoom: 19 });
    const csp = String((await ctx.http.get('/api/v1/health')).headers['content-security-policy']);
    expect(csp).toContain("img-src 'self' data: blob: http://127.0.0.1:8999;");
    expect(csp).toContain("connect-src 'self';");
  });
});
