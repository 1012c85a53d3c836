import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, VOIRIE_AGENT } from './support/demo';

/**
 * Open311 GeoReport v2 conformance (wiki.open311.org/GeoReport_v2) against the real database:
 * every route in JSON and XML, the standard's error format and codes, API keys, round trips.
 */
const xml = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => ['service', 'request', 'attribute', 'value', 'error'].includes(name),
});
const parseXml = (text: string) => xml.parse(text) as Record<string, any>;

describe('Open311 GeoReport v2', () => {
  let ctx: TestContext;
  let apiKey: string;
  let keyId: string;
  let town: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    town = (await ctx.db.query(`SELECT code FROM town_settings`))[0].code;
    // demo attributes (documented in docs/open311.md: admins fill category_attributes)
    await ctx.db.query(`DELETE FROM category_attributes`);
    await ctx.db.query(`INSERT INTO category_attributes (category_id, code, datatype, required, description, "order", "values")
      SELECT id, 'taille', 'singlevaluelist', true, 'Taille du nid-de-poule', 1,
        '[{"key":"petit","name":"Petit (moins de 20 cm)"},{"key":"moyen","name":"Moyen"},{"key":"grand","name":"Grand (plus de 50 cm)"}]'::jsonb
      FROM categories WHERE code = 'nid-de-poule'`);
    await ctx.db
      .query(`INSERT INTO category_attributes (category_id, code, datatype, required, description, "order", "values", datatype_description)
      SELECT id, 'profondeur_cm', 'number', false, 'Profondeur estimée (cm)', 2, '[]'::jsonb, 'Nombre entier de centimètres' FROM categories WHERE code = 'nid-de-poule'
      UNION ALL SELECT id, 'dangers', 'multivaluelist', false, 'Dangers constatés', 3,
        '[{"key":"velo","name":"Cyclistes"},{"key":"pieton","name":"Piétons"},{"key":"auto","name":"Voitures"}]'::jsonb, NULL FROM categories WHERE code = 'nid-de-poule'
      UNION ALL SELECT id, 'constate_le', 'datetime', false, 'Constaté le', 4, '[]'::jsonb, NULL FROM categories WHERE code = 'nid-de-poule'
      UNION ALL SELECT id, 'numero_poteau', 'string', false, 'Numéro inscrit sur le poteau', 1, '[]'::jsonb, NULL FROM categories WHERE code = 'lampadaire-en-panne'`);
    const admin = await ctx.loginAs(ADMIN);
    const created = await admin.post('/api/v1/open311-keys').send({ name: 'FixMyStreet test' }).expect(201);
    apiKey = created.body.key;
    keyId = created.body.id;
  });
  afterAll(() => ctx.close());

  const post = (fmt: 'json' | 'xml', form: Record<string, string | string[]>) =>
    ctx.http
      .post(`/open311/v2/requests.${fmt}`)
      .type('form')
      .send(new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString());

  const pothole = (extra: Record<string, string | string[]> = {}) => ({
    api_key: apiKey,
    jurisdiction_id: town,
    service_code: 'nid-de-poule',
    lat: '47.3941',
    long: '0.6848',
    address_string: '12 rue des Tanneurs, 37000 Saint-Aubin',
    description: 'Gros trou devant l’école\nDangereux pour les vélos',
    email: `open311-${Date.now()}@example.org`,
    first_name: 'Camille',
    last_name: 'Martin',
    'attribute[taille]': 'grand',
    ...extra,
  });

  describe('GET services', () => {
    it('lists the active categories in JSON, with group, metadata and type', async () => {
      const res = await ctx.http
        .get('/open311/v2/services.json')
        .expect(200)
        .expect('Content-Type', /application\/json/);
      expect(Array.isArray(res.body)).toBe(true);
      const active = (await ctx.db.query(`SELECT count(*)::int AS n FROM categories WHERE active`))[0].n;
      expect(res.body).toHaveLength(active);
      const pot = res.body.find((s: any) => s.service_code === 'nid-de-poule');
      expect(pot).toEqual({
        service_code: 'nid-de-poule',
        service_name: 'Nid-de-poule',
        description: expect.any(String),
        metadata: true,
        type: 'realtime',
        keywords: expect.stringContaining('pothole'),
        group: expect.any(String),
      });
      expect(res.body.find((s: any) => s.service_code === 'autre').metadata).toBe(false);
    });

    it('answers the same in XML: <services><service>…', async () => {
      const res = await ctx.http
        .get('/open311/v2/services.xml')
        .expect(200)
        .expect('Content-Type', /text\/xml/);
      expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      const doc = parseXml(res.text);
      const pot = doc['services']['service'].find((s: any) => s.service_code === 'nid-de-poule');
      expect(pot).toMatchObject({ service_name: 'Nid-de-poule', metadata: 'true', type: 'realtime' });
      expect(Object.keys(pot)).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    });

    it('accepts the town as jurisdiction_id, refuses an unknown one with a 400 in the standard format', async () => {
      await ctx.http.get(`/open311/v2/services.json?jurisdiction_id=${town}`).expect(200);
      const json = await ctx.http.get('/open311/v2/services.json?jurisdiction_id=elsewhere.fr').expect(400);
      expect(json.body).toEqual([{ code: 400, description: expect.any(String) }]);
      const x = await ctx.http
        .get('/open311/v2/services.xml?jurisdiction_id=elsewhere.fr')
        .expect(400)
        .expect('Content-Type', /text\/xml/);
      expect(parseXml(x.text)['errors']['error'][0]).toEqual({ code: '400', description: expect.any(String) });
    });
  });

  describe('GET services/{service_code}', () => {
    it('gives the service definition in JSON', async () => {
      const res = await ctx.http.get('/open311/v2/services/nid-de-poule.json').expect(200);
      expect(res.body.service_code).toBe('nid-de-poule');
      expect(res.body.attributes.map((a: any) => a.code)).toEqual(['taille', 'profondeur_cm', 'dangers', 'constate_le']);
      expect(res.body.attributes[0]).toEqual({
        variable: true,
        code: 'taille',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: null,
        order: 1,
        description: 'Taille du nid-de-poule',
        values: [
          { key: 'petit', name: 'Petit (moins de 20 cm)' },
          { key: 'moyen', name: 'Moyen' },
          { key: 'grand', name: 'Grand (plus de 50 cm)' },
        ],
      });
      const none = await ctx.http.get('/open311/v2/services/autre.json').expect(200);
      expect(none.body).toEqual({ service_code: 'autre', attributes: [] });
    });

    it('gives it in XML: <service_definition><attributes><attribute><values><value>', async () => {
      const res = await ctx.http.get('/open311/v2/services/nid-de-poule.xml').expect(200);
      const def = parseXml(res.text)['service_definition'];
      expect(def.service_code).toBe('nid-de-poule');
      const taille = def.attributes.attribute[0];
      expect(taille).toMatchObject({ variable: 'true', code: 'taille', datatype: 'singlevaluelist', required: 'true', order: '1' });
      expect(taille.values.value).toEqual([
        { key: 'petit', name: 'Petit (moins de 20 cm)' },
        { key: 'moyen', name: 'Moyen' },
        { key: 'grand', name: 'Grand (plus de 50 cm)' },
      ]);
    });

    it('404 for an unknown service, in both formats', async () => {
      expect((await ctx.http.get('/open311/v2/services/nope.json').expect(404)).body[0].code).toBe(404);
      expect(parseXml((await ctx.http.get('/open311/v2/services/nope.xml').expect(404)).text)['errors']['error'][0].code).toBe('404');
    });
  });

  describe('POST requests', () => {
    it('creates a ticket on the open311 channel (JSON answer), with timeline, audit, citizen, attributes, token', async () => {
      const form = pothole({
        'attribute[dangers][]': ['velo', 'pieton'],
        'attribute[profondeur_cm]': '12',
        media_url: 'https://example.org/photo.jpg',
        'attribute[fixmystreet_id]': '42',
      });
      const res = await post('json', form)
        .expect(200)
        .expect('Content-Type', /application\/json/);
      expect(res.body).toEqual([{ service_request_id: expect.stringMatching(/^GRC-\d{4}-\d+$/), service_notice: null, account_id: null }]);
      const ref = res.body[0].service_request_id;
      const [t] = await ctx.db.query(
        `SELECT t.*, c.code AS category_code, z.email, z.first_name, z.last_name FROM tickets t JOIN categories c ON c.id = t.category_id
         LEFT JOIN citizens z ON z.id = t.citizen_id WHERE reference = $1`,
        [ref],
      );
      expect(t).toMatchObject({
        channel: 'open311',
        category_code: 'nid-de-poule',
        status: 'new',
        email: form.email,
        first_name: 'Camille',
        last_name: 'Martin',
        address: form.address_string,
        latitude: 47.3941,
        longitude: 0.6848,
        subject: 'Gros trou devant l’école',
      });
      expect(t.attributes).toEqual({ taille: 'grand', dangers: ['velo', 'pieton'], profondeur_cm: 12 });
      const events = await ctx.db.query(`SELECT kind, data FROM ticket_events WHERE ticket_id = $1`, [t.id]);
      expect(events).toEqual([
        {
          kind: 'created',
          data: expect.objectContaining({
            channel: 'open311',
            links: [{ kind: 'media', url: 'https://example.org/photo.jpg', source: 'open311' }],
          }),
        },
      ]);
      const audit = await ctx.db.query(`SELECT action, actor_label, actor_id FROM audit_events WHERE entity_id IN ($1, $2) ORDER BY id`, [
        t.id,
        t.citizen_id,
      ]);
      expect(audit).toEqual([
        { action: 'citizen.create', actor_label: 'open311:FixMyStreet test', actor_id: null },
        { action: 'ticket.create', actor_label: 'open311:FixMyStreet test', actor_id: null },
      ]);
      // the token leads to the request
      const token = res.headers['x-open311-token'];
      const [stored] = await ctx.db.query(`SELECT token FROM open311_requests WHERE ticket_id = $1`, [t.id]);
      expect(stored.token).toBe(token);
      const tok = await ctx.http.get(`/open311/v2/tokens/${token}.json`).expect(200);
      expect(tok.body).toEqual([{ service_request_id: ref, token }]);
      const tokXml = parseXml((await ctx.http.get(`/open311/v2/tokens/${token}.xml`).expect(200)).text);
      expect(tokXml['service_requests']['request']).toEqual([{ service_request_id: ref, token }]);
      await ctx.http.get('/open311/v2/tokens/00000000-0000-0000-0000-000000000000.json').expect(404);
      // the key was used
      const [k] = await ctx.db.query(`SELECT last_used_at FROM open311_api_keys WHERE id = $1`, [keyId]);
      expect(k.last_used_at).not.toBeNull();
    });

    it('answers in XML: <service_requests><request><service_request_id>', async () => {
      const res = await post('xml', pothole())
        .expect(200)
        .expect('Content-Type', /text\/xml/);
      const req = parseXml(res.text)['service_requests']['request'][0];
      expect(req.service_request_id).toMatch(/^GRC-\d{4}-\d+$/);
      expect(Object.keys(req)).toEqual(['service_request_id', 'service_notice', 'account_id']);
    });

    it('matches the citizen by e-mail, else by phone; without name nor contact, no citizen', async () => {
      const email = `same-${Date.now()}@example.org`;
      const a = (await post('json', pothole({ email })).expect(200)).body[0].service_request_id;
      const b = (
        await post(
          'json',
          pothole({ email: email.toUpperCase().replace('EXAMPLE.ORG', 'example.org'), first_name: 'X', last_name: 'Y' }),
        ).expect(200)
      ).body[0].service_request_id;
      const [ca, cb] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE reference = ANY($1) ORDER BY reference`, [[a, b]]);
      expect(ca.citizen_id).toBe(cb.citizen_id);
      const phone = '06 12 34 99 8' + String(Date.now() % 10);
      const p1 = (await post('json', pothole({ email: '', phone })).expect(200)).body[0].service_request_id;
      const p2 = (await post('json', pothole({ email: '', phone: phone.replace(/ /g, ''), first_name: '', last_name: '' })).expect(200))
        .body[0].service_request_id;
      const [x1, x2] = await ctx.db.query(`SELECT citizen_id FROM tickets WHERE reference = ANY($1) ORDER BY reference`, [[p1, p2]]);
      expect(x1.citizen_id).not.toBeNull();
      expect(x1.citizen_id).toBe(x2.citizen_id);
      const anon = (await post('json', pothole({ email: '', first_name: '', last_name: '' })).expect(200)).body[0].service_request_id;
      expect((await ctx.db.query(`SELECT citizen_id FROM tickets WHERE reference = $1`, [anon]))[0].citizen_id).toBeNull();
    });

    it('accepts a JSON body and an address alone', async () => {
      const res = await ctx.http
        .post('/open311/v2/requests.json')
        .send({
          api_key: apiKey,
          service_code: 'lampadaire-en-panne',
          address_string: 'Place de la Mairie',
          description: 'Éteint depuis lundi',
          attribute: { numero_poteau: 'EP-1234' },
        })
        .expect(200);
      const [t] = await ctx.db.query(`SELECT attributes, latitude FROM tickets WHERE reference = $1`, [res.body[0].service_request_id]);
      expect(t).toEqual({ attributes: { numero_poteau: 'EP-1234' }, latitude: null });
      const byId = await ctx.http
        .post('/open311/v2/requests.json')
        .send({ api_key: apiKey, service_code: 'autre', address_id: 'BAN-37000-0042' })
        .expect(200);
      const one = await ctx.http.get(`/open311/v2/requests/${byId.body[0].service_request_id}.json`).expect(200);
      expect(one.body[0].address_id).toBe('BAN-37000-0042');
    });
  });

  describe('bad input: the right code, the standard format, never a 5xx', () => {
    const cases: Array<[string, number, () => Record<string, string | string[]>]> = [
      [
        'missing api_key',
        403,
        () => {
          const { api_key: _k, ...f } = pothole();
          return f;
        },
      ],
      ['wrong api_key', 403, () => pothole({ api_key: 'o311_nope' })],
      [
        'missing service_code',
        400,
        () => {
          const { service_code: _s, ...f } = pothole();
          return f;
        },
      ],
      ['unknown service_code', 400, () => pothole({ service_code: 'licorne' })],
      [
        'missing location',
        400,
        () => {
          const { lat: _a, long: _b, address_string: _c, ...f } = pothole();
          return f;
        },
      ],
      [
        'lat without long',
        400,
        () => {
          const { long: _b, ...f } = pothole();
          return f;
        },
      ],
      ['latitude out of range', 400, () => pothole({ lat: '123.4' })],
      ['coordinates not numbers', 400, () => pothole({ lat: 'abc', long: '1e400' })],
      [
        'missing required attribute',
        400,
        () => {
          const { 'attribute[taille]': _t, ...f } = pothole();
          return f;
        },
      ],
      ['attribute value not in its list', 400, () => pothole({ 'attribute[taille]': 'gigantesque' })],
      ['multivaluelist value not in its list', 400, () => pothole({ 'attribute[dangers][]': ['velo', 'tracteur'] })],
      ['number attribute not a number', 400, () => pothole({ 'attribute[profondeur_cm]': 'profond' })],
      ['datetime attribute invalid', 400, () => pothole({ 'attribute[constate_le]': '2026-02-30T10:00:00Z' })],
      ['invalid email', 400, () => pothole({ email: 'pas-un-email' })],
      ['invalid phone', 400, () => pothole({ phone: '12' })],
      ['media_url not http', 400, () => pothole({ media_url: 'javascript:alert(1)' })],
      ['description too long', 400, () => pothole({ description: 'x'.repeat(4001) })],
      ['repeated scalar parameter', 400, () => pothole({ service_code: ['nid-de-poule', 'autre'] })],
      ['unknown jurisdiction', 400, () => pothole({ jurisdiction_id: 'paris' })],
    ];
    for (const [name, code, form] of cases) {
      it(`${name} → ${code}`, async () => {
        const before = (await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`))[0].n;
        const json = await post('json', form());
        expect(json.status).toBe(code);
        expect(json.body).toEqual([{ code, description: expect.any(String) }]);
        const x = await post('xml', form());
        expect(x.status).toBe(code);
        expect(x.headers['content-type']).toMatch(/text\/xml/);
        expect(parseXml(x.text)['errors']['error']).toEqual([{ code: String(code), description: expect.any(String) }]);
        expect((await ctx.db.query(`SELECT count(*)::int AS n FROM tickets`))[0].n).toBe(before);
      });
    }

    it('GET requests: invalid dates, status, service_code → 400; unknown request, format, path → 404', async () => {
      const expectError = async (url: string, code: number) => {
        const res = await ctx.http.get(url);
        expect({ url, status: res.status }).toEqual({ url, status: code });
        if (!/\.json(\?|$)/.test(url)) expect(parseXml(res.text)['errors']['error'][0].code).toBe(String(code));
        else expect(res.body).toEqual([{ code, description: expect.any(String) }]);
      };
      await expectError('/open311/v2/requests.json?start_date=yesterday', 400);
      await expectError('/open311/v2/requests.json?end_date=2026-13-01T00:00:00Z', 400);
      await expectError('/open311/v2/requests.xml?start_date=2026-01-01T10:00:00', 400);
      await expectError('/open311/v2/requests.json?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z', 400);
      await expectError('/open311/v2/requests.json?status=pending', 400);
      await expectError('/open311/v2/requests.xml?service_code=licorne', 400);
      await expectError('/open311/v2/requests.json?jurisdiction_id=x', 400);
      await expectError('/open311/v2/requests/GRC-1999-000001.json', 404);
      await expectError('/open311/v2/requests/not-a-reference.xml', 404);
      await expectError('/open311/v2/services.csv', 404);
      await expectError('/open311/v2/services/nid-de-poule.html', 404);
      await expectError('/open311/v2/discovery.json', 404);
      await expectError('/open311/v2/whatever/else/deeper.json', 404);
      const del = await ctx.http.delete('/open311/v2/requests.json');
      expect(del.status).toBe(404);
      expect(del.body[0].code).toBe(404);
    });

    it('a malformed or hostile body never yields a 5xx', async () => {
      const bad = [
        ctx.http.post('/open311/v2/requests.json').set('Content-Type', 'application/json').send('{"api_key": '),
        ctx.http.post('/open311/v2/requests.json').send([1, 2, 3]),
        ctx.http.post('/open311/v2/requests.json').send({ api_key: apiKey, service_code: { $ne: 1 }, lat: 1, long: 1 }),
        ctx.http
          .post('/open311/v2/requests.json')
          .send({ api_key: apiKey, service_code: 'nid-de-poule', lat: 1, long: 1, attribute: ['x'] }),
        ctx.http
          .post('/open311/v2/requests.json')
          .send({ api_key: apiKey, service_code: 'nid-de-poule', lat: 1, long: 1, attribute: { taille: { a: 1 } } }),
        ctx.http
          .post('/open311/v2/requests.xml')
          .type('form')
          .send('api_key=' + apiKey + '&service_code=autre&lat=1&long=1&description=%00%01'),
        ctx.http.get('/open311/v2/requests.json?service_request_id=' + 'x,'.repeat(500)),
        ctx.http.get('/open311/v2/requests.json?start_date=9999-12-31T23:59:59%2B14:00'),
        ctx.http.get(`/open311/v2/tokens/${'z'.repeat(300)}.json`),
      ];
      const answers = await Promise.all(bad);
      for (const r of answers) {
        expect(r.status).toBeLessThan(500);
        expect(r.status).toBeGreaterThanOrEqual(200);
      }
      // malformed JSON fails in the body parser, before routing: still a 400 in the standard's format
      expect(answers[0]!.status).toBe(400);
      expect(answers[0]!.body).toEqual([{ code: 400, description: expect.any(String) }]);
      // a NUL in the description is refused at the edge (it used to be stripped and accepted): 400, nothing created
      expect(answers.slice(1, 6).map((r) => r.status)).toEqual([403, 400, 400, 400, 400]);
    });
  });

  describe('GET requests', () => {
    it('round trip: POST then GET requests/{id} and requests (JSON and XML), all fields of the standard', async () => {
      const form = pothole({ media_url: 'https://example.org/p.jpg' });
      const ref = (await post('json', form).expect(200)).body[0].service_request_id;
      const one = await ctx.http.get(`/open311/v2/requests/${ref}.json`).expect(200);
      expect(one.body).toEqual([
        {
          service_request_id: ref,
          status: 'open',
          status_notes: null,
          service_name: 'Nid-de-poule',
          service_code: 'nid-de-poule',
          description: form.description,
          agency_responsible: expect.any(String),
          service_notice: null,
          requested_datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/),
          updated_datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/),
          expected_datetime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/),
          address: form.address_string,
          address_id: null,
          zipcode: '37000',
          lat: 47.3941,
          long: 0.6848,
          media_url: 'https://example.org/p.jpg',
        },
      ]);
      // an Open311 ticket is born like any other: its SLA clocks run, and the deadline is the expected date
      const [sla] = await ctx.db.query(
        `SELECT t.sla_due_at, (SELECT count(*)::int FROM ticket_sla s WHERE s.ticket_id = t.id) AS clocks FROM tickets t WHERE reference = $1`,
        [ref],
      );
      expect(sla.clocks).toBeGreaterThan(0);
      expect(new Date(one.body[0].expected_datetime).getTime()).toBe(new Date(sla.sla_due_at).setMilliseconds(0));
      const dept = (
        await ctx.db.query(`SELECT d.name FROM tickets t JOIN departments d ON d.id = t.department_id WHERE reference = $1`, [ref])
      )[0].name;
      expect(one.body[0].agency_responsible).toBe(dept);
      const x = parseXml((await ctx.http.get(`/open311/v2/requests/${ref}.xml`).expect(200)).text)['service_requests']['request'];
      expect(x).toHaveLength(1);
      expect(Object.keys(x[0])).toEqual(Object.keys(one.body[0]));
      expect(x[0]).toMatchObject({
        service_request_id: ref,
        status: 'open',
        lat: '47.3941',
        long: '0.6848',
        media_url: 'https://example.org/p.jpg',
        expected_datetime: one.body[0].expected_datetime,
      });
      // lists: by id, by service and status, default window
      const byIds = await ctx.http.get(`/open311/v2/requests.json?service_request_id=${ref},GRC-1999-000001`).expect(200);
      expect(byIds.body.map((r: any) => r.service_request_id)).toEqual([ref]);
      const list = await ctx.http
        .get(`/open311/v2/requests.json?service_code=nid-de-poule&status=open&jurisdiction_id=${town}`)
        .expect(200);
      expect(list.body.map((r: any) => r.service_request_id)).toContain(ref);
      expect(list.body.every((r: any) => r.service_code === 'nid-de-poule' && r.status === 'open')).toBe(true);
      const xmlList = parseXml((await ctx.http.get('/open311/v2/requests.xml').expect(200)).text)['service_requests']['request'];
      expect(xmlList.map((r: any) => r.service_request_id)).toContain(ref);
      const old = await ctx.http
        .get('/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00%2B01:00')
        .expect(200);
      expect(old.body).toEqual([]);
      // tickets of the other channels are never published
      const [phone] = await ctx.db.query(`SELECT reference FROM tickets WHERE channel <> 'open311' LIMIT 1`);
      if (phone) await ctx.http.get(`/open311/v2/requests/${phone.reference}.json`).expect(404);
    });

    it('status_notes carries only what an agent marked public: never a reply to the citizen nor an internal note; closed once resolved', async () => {
      const ref = (await post('json', pothole()).expect(200)).body[0].service_request_id;
      const [t] = await ctx.db.query(`SELECT id FROM tickets WHERE reference = $1`, [ref]);
      const agent = await ctx.loginAs(VOIRIE_AGENT);
      let detail = (
        await agent
          .post(`/api/v1/tickets/${t.id}/messages`)
          .send({ version: 1, kind: 'reply', body: 'Madame Martin, votre voisin du 14 nous a aussi appelés.' })
          .expect(201)
      ).body;
      detail = (
        await agent
          .post(`/api/v1/tickets/${t.id}/messages`)
          .send({ version: detail.version, kind: 'note', body: 'note interne, jamais publiée' })
          .expect(201)
      ).body;
      let one = (await ctx.http.get(`/open311/v2/requests/${ref}.json`).expect(200)).body[0];
      expect(one).toMatchObject({ status: 'open', status_notes: null });
      detail = (
        await agent
          .post(`/api/v1/tickets/${t.id}/messages`)
          .send({ version: detail.version, kind: 'public_note', body: 'Une équipe passe demain.' })
          .expect(201)
      ).body;
      expect(detail.timeline.filter((e: any) => e.kind === 'public_note').map((e: any) => e.body)).toEqual(['Une équipe passe demain.']);
      const [audit] = await ctx.db.query(`SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY id DESC LIMIT 1`, [t.id]);
      expect(audit.action).toBe('ticket.public_note');
      one = (await ctx.http.get(`/open311/v2/requests/${ref}.json`).expect(200)).body[0];
      expect(one).toMatchObject({ status: 'open', status_notes: 'Une équipe passe demain.' });
      // a later private reply does not replace it
      detail = (
        await agent
          .post(`/api/v1/tickets/${t.id}/messages`)
          .send({ version: detail.version, kind: 'reply', body: 'Réponse privée à Mme Martin.' })
          .expect(201)
      ).body;
      detail = (
        await agent
          .post(`/api/v1/tickets/${t.id}/messages`)
          .send({ version: detail.version, kind: 'public_note', body: 'Le trou est rebouché.' })
          .expect(201)
      ).body;
      detail = (
        await agent
          .post(`/api/v1/tickets/${t.id}/status`)
          .send({ version: detail.version, status: 'resolved', comment: 'Commentaire envoyé à Mme Martin.' })
          .expect(201)
      ).body;
      one = (await ctx.http.get(`/open311/v2/requests/${ref}.json`).expect(200)).body[0];
      expect(one).toMatchObject({ status: 'closed', status_notes: 'Le trou est rebouché.' });
      const all = (await ctx.http.get('/open311/v2/requests.json').expect(200)).text;
      expect(all).not.toContain('Mme Martin');
      expect(all).not.toContain('voisin du 14');
      // a public note is e-mailed to nobody
      const [{ n }] = await ctx.db.query(
        `SELECT count(*)::int AS n FROM mail_outbox WHERE ticket_id = $1 AND event_id IN (SELECT id FROM ticket_events WHERE kind = 'public_note')`,
        [t.id],
      );
      expect(n).toBe(0);
      const closed = (await ctx.http.get('/open311/v2/requests.json?status=closed').expect(200)).body;
      expect(closed.map((r: any) => r.service_request_id)).toContain(ref);
      const open = (await ctx.http.get('/open311/v2/requests.json?status=open').expect(200)).body;
      expect(open.map((r: any) => r.service_request_id)).not.toContain(ref);
      await agent.post(`/api/v1/tickets/${t.id}/status`).send({ version: detail.version, status: 'closed' }).expect(201);
      expect((await ctx.http.get(`/open311/v2/requests/${ref}.xml`).expect(200)).text).toContain('<status>closed</status>');
    });

    it('never publishes the description of a request that did not come through Open311', async () => {
      const agent = await ctx.loginAs(VOIRIE_AGENT);
      const [cat] = await ctx.db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`);
      const secret = `Madame Durand, 3 impasse des Lilas, enceinte, ne peut pas passer ${Date.now()}`;
      const phone = (
        await agent
          .post('/api/v1/tickets')
          .send({ channel: 'phone', categoryId: cat.id, subject: 'Trou', description: secret, attributes: { taille: 'petit' } })
          .expect(201)
      ).body;
      await ctx.http.get(`/open311/v2/requests/${phone.reference}.json`).expect(404);
      expect((await ctx.http.get(`/open311/v2/requests.json?service_request_id=${phone.reference}`).expect(200)).body).toEqual([]);
      for (const path of ['requests.json', 'requests.xml', 'requests.json?service_code=nid-de-poule']) {
        expect((await ctx.http.get(`/open311/v2/${path}`).expect(200)).text).not.toContain(secret.slice(0, 20));
      }
    });
  });

  describe('rate limit of GET (per API key or IP, in Redis with an in-memory insurance)', () => {
    it('answers 429 in the standard format with Retry-After past the limit; a known api_key has its own bucket', async () => {
      const limited = await startTestApp({
        GRC_OPEN311_RATE_LIMIT: '3',
        GRC_OPEN311_KEY_RATE_LIMIT: '5',
        GRC_QUEUE_PREFIX: `grc-o311-${Date.now().toString(36)}`,
      });
      try {
        for (let i = 0; i < 3; i++) await limited.http.get('/open311/v2/requests.json').expect(200);
        const over = await limited.http.get('/open311/v2/services.json').expect(429);
        expect(over.body).toEqual([{ code: 429, description: expect.stringContaining('Trop de requêtes') }]);
        expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
        const overXml = await limited.http.get(`/open311/v2/requests/GRC-2026-000001.xml`).expect(429);
        expect(parseXml(overXml.text).errors.error[0]).toMatchObject({ code: '429' });
        // an unknown api_key does not open a new bucket; a known one does, with its own limit
        await limited.http.get('/open311/v2/requests.json?api_key=o311_invented').expect(429);
        for (let i = 0; i < 5; i++) await limited.http.get(`/open311/v2/requests.json?api_key=${apiKey}`).expect(200);
        await limited.http.get(`/open311/v2/requests.json?api_key=${apiKey}`).expect(429);
        // POST is not counted here (it needs an api_key)
        await post('json', pothole()).expect(200);
      } finally {
        await limited.close();
      }
    });

    it('with Redis gone, the in-memory limiter still refuses past the limit (never fails open)', async () => {
      // a Redis of its own, killed mid-run (as timers.spec does), then restarted on the same port for a clean shutdown
      const port = await new Promise<number>((resolve) => {
        const srv = createServer().listen(0, '127.0.0.1', () => {
          const p = (srv.address() as { port: number }).port;
          srv.close(() => resolve(p));
        });
      });
      const startRedis = async () => {
        const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
          stdio: 'ignore',
        });
        for (let i = 0; i < 100; i++) {
          const up = await new Promise<boolean>((resolve) => {
            const s = connect(port, '127.0.0.1', () => {
              s.end();
              resolve(true);
            }).on('error', () => resolve(false));
          });
          if (up) return proc;
          await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('redis-server did not start');
      };
      let redis = await startRedis();
      const app = await startTestApp({ GRC_OPEN311_RATE_LIMIT: '2', REDIS_URL: `redis://127.0.0.1:${port}` });
      try {
        redis.kill('SIGKILL');
        await new Promise((r) => redis.once('exit', r));
        await app.http.get('/open311/v2/services.json').expect(200);
        await app.http.get('/open311/v2/services.json').expect(200);
        const over = await app.http.get('/open311/v2/services.json').expect(429);
        expect(over.body).toEqual([{ code: 429, description: expect.stringContaining('Trop de requêtes') }]);
      } finally {
        redis = await startRedis();
        await app.close();
        redis.kill('SIGKILL');
      }
    });
  });

  describe('API keys', () => {
    it('admins create (key shown once), list and revoke keys, audited; a revoked key gets 403', async () => {
      const admin = await ctx.loginAs(ADMIN);
      const created = (await admin.post('/api/v1/open311-keys').send({ name: 'Appli mobile' }).expect(201)).body;
      expect(created.key).toMatch(/^o311_[A-Za-z0-9_-]{32}$/);
      const [stored] = await ctx.db.query(`SELECT key_hash FROM open311_api_keys WHERE id = $1`, [created.id]);
      expect(stored.key_hash).not.toContain(created.key);
      const list = (await admin.get('/api/v1/open311-keys').expect(200)).body;
      expect(list.find((k: any) => k.id === created.id)).toEqual({
        id: created.id,
        name: 'Appli mobile',
        createdAt: expect.any(String),
        revokedAt: null,
        lastUsedAt: null,
      });
      expect(JSON.stringify(list)).not.toContain(created.key);
      await post('json', pothole({ api_key: created.key })).expect(200);
      const revoked = (await admin.delete(`/api/v1/open311-keys/${created.id}`).expect(200)).body;
      expect(revoked.revokedAt).not.toBeNull();
      await admin.delete(`/api/v1/open311-keys/${created.id}`).expect(200);
      const denied = await post('json', pothole({ api_key: created.key })).expect(403);
      expect(denied.body[0].code).toBe(403);
      const audit = await ctx.db.query(
        `SELECT action FROM audit_events WHERE entity_type = 'open311_api_key' AND entity_id = $1 ORDER BY id`,
        [created.id],
      );
      expect(audit.map((a: any) => a.action)).toEqual(['open311_key.create', 'open311_key.revoke']);
      await admin.post('/api/v1/open311-keys').send({ name: '' }).expect(400);
      await admin.delete('/api/v1/open311-keys/not-a-uuid').expect(404);
      // agents may not manage keys
      const agent = await ctx.loginAs(VOIRIE_AGENT);
      await agent.get('/api/v1/open311-keys').expect(403);
      await agent.post('/api/v1/open311-keys').send({ name: 'x' }).expect(403);
    });
  });
});
