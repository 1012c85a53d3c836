import type { createRequire as CreateRequire } from 'node:module';
import { ADMIN, ids } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

// A real third-party GeoReport v2 client: Mark Headd's Node-Open311 (npm `open311`, a devDependency; see docs/open311.md).
// Loaded by Node's own loader, not Jest's: it requires `./cities` (a .json file) without the extension, which Jest's
// module resolution (moduleFileExtensions) would refuse. It has no types: it is driven through the interface below.
const nodeRequire = (process.getBuiltinModule('node:module') as { createRequire: typeof CreateRequire }).createRequire(__filename);
const Open311 = nodeRequire('open311') as new (options: Record<string, unknown>) => Open311Client;
/** What the client hands back: parsed JSON of the server's answers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Callback = (err: unknown, data: Json) => void;
interface Open311Client {
  serviceList(cb: Callback): void;
  serviceDefinition(code: string, cb: Callback): void;
  submitRequest(data: Record<string, unknown>, cb: Callback): void;
  token(token: string, cb: Callback): void;
  serviceRequests(id: string | string[] | Record<string, unknown>, params?: Record<string, unknown> | Callback, cb?: Callback): void;
}

/** The client's callback API as promises; a failure keeps the client's own error value (status code or `true`) and message. */
const call = <T = Json>(fn: (cb: Callback) => void) =>
  new Promise<T>((resolve, reject) =>
    fn((err, data) => (err ? reject(Object.assign(new Error(String(data)), { clientError: err, body: data })) : resolve(data as T))),
  );
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as Error & { clientError: unknown; body: string };
  }
  throw new Error('expected the client to report an error');
};

/**
 * Our Open311 endpoint as a third-party application sees it: every call goes through Node-Open311
 * (request@2.11 underneath), in JSON, with its own URL shapes (`endpoint + path + '.' + format`,
 * jurisdiction_id added to every query, form-encoded POST with `attribute[code]`).
 */
describe('Open311 through a third-party client (Node-Open311)', () => {
  let ctx: TestContext;
  let town: string;
  let client: Open311Client;
  let apiKey: string;
  const stamp = Date.now().toString(36);
  const CODE = 'tags-graffitis';

  beforeAll(async () => {
    ctx = await startTestApp();
    town = (await ctx.db.query(`SELECT code FROM town_settings`))[0].code;
    // this spec's own attributes (open311.spec owns nid-de-poule's and lampadaire-en-panne's)
    await ctx.db.query(`DELETE FROM category_attributes WHERE code LIKE 'client\\_%'`);
    await ctx.db.query(
      `INSERT INTO category_attributes (category_id, code, datatype, required, description, "order", "values", datatype_description)
      SELECT id, 'client_support', 'singlevaluelist', true, 'Sur quoi ?', 1,
        '[{"key":"mur","name":"Mur"},{"key":"mobilier","name":"Mobilier urbain"},{"key":"vehicule","name":"Véhicule"}]'::jsonb, NULL FROM categories WHERE code = $1
      UNION ALL SELECT id, 'client_surface_m2', 'number', false, 'Surface approximative (m²)', 2, '[]'::jsonb, 'Nombre, en mètres carrés' FROM categories WHERE code = $1
      UNION ALL SELECT id, 'client_contenu', 'multivaluelist', false, 'Contenu', 3,
        '[{"key":"injurieux","name":"Injurieux"},{"key":"politique","name":"Politique"},{"key":"autre","name":"Autre"}]'::jsonb, NULL FROM categories WHERE code = $1`,
      [CODE],
    );
    const admin = await ctx.loginAs(ADMIN);
    apiKey = (
      await admin
        .post('/api/v1/open311-keys')
        .send({ name: `Node-Open311 ${stamp}` })
        .expect(201)
    ).body.key;
    client = new Open311({ endpoint: `${ctx.url}/open311/v2/`, format: 'json', jurisdiction: town, apiKey });
  });
  afterAll(async () => {
    await ctx.db.query(`DELETE FROM category_attributes WHERE code LIKE 'client\\_%'`);
    await ctx.close();
  });

  it('serviceList: every active category as a GeoReport service', async () => {
    const services = await call<Json[]>((cb) => client.serviceList(cb));
    const active = (await ctx.db.query(`SELECT count(*)::int AS n FROM categories WHERE active`))[0].n;
    expect(services).toHaveLength(active);
    for (const s of services) {
      expect(s).toEqual({
        service_code: expect.any(String),
        service_name: expect.any(String),
        description: expect.any(String),
        metadata: expect.any(Boolean),
        type: expect.stringMatching(/^(realtime|batch|blackbox)$/),
        keywords: expect.any(String),
        group: expect.any(String),
      });
    }
    expect(services.find((s) => s.service_code === CODE)).toMatchObject({
      service_name: 'Tags et graffitis',
      metadata: true,
      type: 'realtime',
    });
    expect(services.find((s) => s.service_code === 'autre')).toMatchObject({ metadata: false });
  });

  it('serviceDefinition: the attributes of a category, in order, with their values', async () => {
    const def = await call((cb) => client.serviceDefinition(CODE, cb));
    expect(def.service_code).toBe(CODE);
    expect(def.attributes).toEqual([
      {
        variable: true,
        code: 'client_support',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: null,
        order: 1,
        description: 'Sur quoi ?',
        values: [
          { key: 'mur', name: 'Mur' },
          { key: 'mobilier', name: 'Mobilier urbain' },
          { key: 'vehicule', name: 'Véhicule' },
        ],
      },
      {
        variable: true,
        code: 'client_surface_m2',
        datatype: 'number',
        required: false,
        datatype_description: 'Nombre, en mètres carrés',
        order: 2,
        description: 'Surface approximative (m²)',
        values: [],
      },
      {
        variable: true,
        code: 'client_contenu',
        datatype: 'multivaluelist',
        required: false,
        datatype_description: null,
        order: 3,
        description: 'Contenu',
        values: [
          { key: 'injurieux', name: 'Injurieux' },
          { key: 'politique', name: 'Politique' },
          { key: 'autre', name: 'Autre' },
        ],
      },
    ]);
    const unknown = await failure(call((cb) => client.serviceDefinition('no-such-service', cb)));
    expect(unknown.body).toContain('404');
  });

  let first: string;
  let second: string;

  it('submitRequest: api key, jurisdiction, attributes (a list as repeated attribute[code]) and a position → a service_request_id', async () => {
    // a number of this run's own: citizens are matched by e-mail or phone across the run's specs
    const phone = `061${String(Date.now() % 10_000_000).padStart(7, '0')}`;
    const submitted = await call<Json[]>((cb) =>
      client.submitRequest(
        {
          service_code: CODE,
          lat: 47.39415,
          long: 0.68466,
          address_string: '3 place de l’Église, 37000 Saint-Aubin',
          description: `Tag injurieux sur le mur de l’école ${stamp}\nÀ effacer avant la rentrée`,
          email: `client-${stamp}@example.org`,
          first_name: 'Élodie',
          last_name: 'Martin',
          phone,
          device_id: `device-${stamp}`,
          account_id: `account-${stamp}`,
          media_url: 'https://photos.example.org/tag.jpg',
          attributes: {
            client_support: 'mur',
            client_surface_m2: '2.5',
            client_contenu: ['injurieux', 'politique'],
            client_inconnu: 'ignoré',
          },
        },
        cb,
      ),
    );
    expect(submitted).toEqual([
      { service_request_id: expect.stringMatching(/^[A-Z]{2,6}-\d{4}-\d{6}$/), service_notice: null, account_id: `account-${stamp}` },
    ]);
    first = submitted[0].service_request_id;

    const [t] = await ctx.db.query(
      `SELECT t.channel, t.attributes, t.latitude, t.longitude, t.address, t.subject, c.email, c.first_name, o.device_id, o.media_url
       FROM tickets t JOIN citizens c ON c.id = t.citizen_id JOIN open311_requests o ON o.ticket_id = t.id WHERE t.reference = $1`,
      [first],
    );
    expect(t).toMatchObject({
      channel: 'open311',
      latitude: 47.39415,
      longitude: 0.68466,
      address: '3 place de l’Église, 37000 Saint-Aubin',
      subject: `Tag injurieux sur le mur de l’école ${stamp}`,
      email: `client-${stamp}@example.org`,
      first_name: 'Élodie',
      device_id: `device-${stamp}`,
      media_url: 'https://photos.example.org/tag.jpg',
    });
    expect(t.attributes).toEqual({ client_support: 'mur', client_surface_m2: 2.5, client_contenu: ['injurieux', 'politique'] });

    const other = await call<Json[]>((cb) =>
      client.submitRequest(
        {
          service_code: CODE,
          address_string: '8 rue des Lilas',
          description: `Graffiti sur un abribus ${stamp}`,
          attributes: { client_support: 'mobilier' },
        },
        cb,
      ),
    );
    second = other[0].service_request_id;
    expect(second).not.toBe(first);
  });

  it('submitRequest errors: the client gets the status code and the standard error body', async () => {
    const missing = await failure(
      call((cb) => client.submitRequest({ service_code: CODE, lat: 47.39, long: 0.68, description: 'Sans attribut' }, cb)),
    );
    expect(missing.clientError).toBe(400);
    const body = JSON.parse(missing.body.slice(missing.body.indexOf('; ') + 2));
    expect(body).toEqual([{ code: 400, description: expect.stringContaining('attribute[client_support]') }]);

    const badValue = await failure(
      call((cb) => client.submitRequest({ service_code: CODE, lat: 47.39, long: 0.68, attributes: { client_support: 'lune' } }, cb)),
    );
    expect(badValue.clientError).toBe(400);

    const wrongKey = new Open311({ endpoint: `${ctx.url}/open311/v2/`, format: 'json', jurisdiction: town, apiKey: 'o311_not-a-key' });
    const refused = await failure(
      call((cb) => wrongKey.submitRequest({ service_code: CODE, lat: 47.39, long: 0.68, attributes: { client_support: 'mur' } }, cb)),
    );
    expect(refused.clientError).toBe(403);
    expect(JSON.parse(refused.body.slice(refused.body.indexOf('; ') + 2))[0].code).toBe(403);

    const elsewhere = new Open311({ endpoint: `${ctx.url}/open311/v2/`, format: 'json', jurisdiction: 'another-town', apiKey });
    // an unknown jurisdiction (no commune has that code) is a bad request in GeoReport v2
    expect((await failure(call((cb) => elsewhere.serviceList(cb)))).body).toContain('400');
    const [{ n }] = await ctx.db.query(`SELECT count(*)::int AS n FROM tickets WHERE description = 'Sans attribut'`);
    expect(n).toBe(0);
  });

  it('token: the token recorded for a request resolves to its service_request_id', async () => {
    const [{ token }] = await ctx.db.query(
      `SELECT o.token FROM open311_requests o JOIN tickets t ON t.id = o.ticket_id WHERE t.reference = $1`,
      [first],
    );
    expect(await call((cb) => client.token(token, cb))).toEqual([{ service_request_id: first, token }]);
    expect((await failure(call((cb) => client.token('00000000-0000-4000-8000-000000000000', cb)))).body).toContain('404');
  });

  it('serviceRequests by id: one request with every field the standard lists, dates readable by the client', async () => {
    const [r, ...rest] = await call<Json[]>((cb) => client.serviceRequests(first, cb));
    expect(rest).toEqual([]);
    expect(r).toEqual({
      service_request_id: first,
      status: 'open',
      status_notes: null,
      service_name: 'Tags et graffitis',
      service_code: CODE,
      description: `Tag injurieux sur le mur de l’école ${stamp}\nÀ effacer avant la rentrée`,
      agency_responsible: expect.any(String),
      service_notice: null,
      requested_datetime: expect.anything(),
      updated_datetime: expect.anything(),
      expected_datetime: r.expected_datetime,
      address: '3 place de l’Église, 37000 Saint-Aubin',
      address_id: null,
      zipcode: '37000',
      lat: 47.39415,
      long: 0.68466,
      media_url: 'https://photos.example.org/tag.jpg',
    });
    // the client turned the W3C strings into dates (of Node's realm, not Jest's: hence no expect.any(Date)); they must be valid ones
    for (const d of [r.requested_datetime, r.updated_datetime]) {
      expect(Object.prototype.toString.call(d)).toBe('[object Date]');
      expect(Number.isNaN(d.getTime())).toBe(false);
    }
    expect(Math.abs(r.requested_datetime.getTime() - Date.now())).toBeLessThan(120_000);
    expect(r.updated_datetime.getTime()).toBeGreaterThanOrEqual(r.requested_datetime.getTime() - 1000);
    // the SLA deadline when the category has a policy (modules/sla), else null
    if (r.expected_datetime !== null) expect(r.expected_datetime.getTime()).toBeGreaterThan(r.requested_datetime.getTime());
    expect((await failure(call((cb) => client.serviceRequests('GRC-1999-999999', cb)))).body).toContain('404');
  });

  it('serviceRequests lists: by several ids, and by service, status and dates', async () => {
    const byIds = await call<Json[]>((cb) => client.serviceRequests([first, second], cb));
    expect(byIds.map((r) => r.service_request_id).sort()).toEqual([first, second].sort());

    const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const open = await call<Json[]>((cb) =>
      client.serviceRequests({ service_code: CODE, status: 'open', start_date: hourAgo, end_date: inAnHour }, cb),
    );
    const refs = open.map((r) => r.service_request_id);
    expect(refs).toEqual(expect.arrayContaining([first, second]));
    expect(open.every((r) => r.service_code === CODE && r.status === 'open')).toBe(true);
    // newest first
    expect(refs.indexOf(second)).toBeLessThan(refs.indexOf(first));
    const closed = await call<Json[]>((cb) => client.serviceRequests({ service_code: CODE, status: 'closed', start_date: hourAgo }, cb));
    expect(closed.map((r) => r.service_request_id)).not.toContain(first);
    const bad = await failure(call((cb) => client.serviceRequests({ status: 'pending' }, cb)));
    expect(bad.body).toContain('400');
  });

  it('follows the request as the town handles it: a public note becomes status_notes (never the reply to the citizen), resolution closes it', async () => {
    const [t] = await ctx.db.query(`SELECT id, version FROM tickets WHERE reference = $1`, [first]);
    // tags-graffitis goes to the cleanliness department: its head may act on it (the voirie agent may not)
    const agent = await ctx.loginAs(await (await ids(ctx.db)).emailOf('proprete', 'head'));
    let detail = (
      await agent
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ version: t.version, kind: 'public_note', body: 'Nous passons l’effacer jeudi.' })
        .expect(201)
    ).body;
    detail = (
      await agent
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ version: detail.version, kind: 'reply', body: 'Bonjour Monsieur, réponse personnelle.' })
        .expect(201)
    ).body;
    detail = (
      await agent
        .post(`/api/v1/tickets/${t.id}/messages`)
        .send({ version: detail.version, kind: 'note', body: 'Note interne : prévoir la nacelle' })
        .expect(201)
    ).body;
    await agent
      .post(`/api/v1/tickets/${t.id}/status`)
      .send({ status: 'resolved', comment: 'Effacé.', version: detail.version })
      .expect(201);

    const [r] = await call<Json[]>((cb) => client.serviceRequests(first, cb));
    expect(r).toMatchObject({ status: 'closed', status_notes: 'Nous passons l’effacer jeudi.', expected_datetime: null });
    const closed = await call<Json[]>((cb) => client.serviceRequests({ service_code: CODE, status: 'closed' }, cb));
    expect(closed.map((x) => x.service_request_id)).toContain(first);
    const open = await call<Json[]>((cb) => client.serviceRequests({ service_code: CODE, status: 'open' }, cb));
    expect(open.map((x) => x.service_request_id)).not.toContain(first);
  });

  it('is rate-limited: past the limit the client gets a 429', async () => {
    const limited = await startTestApp({ GRC_OPEN311_RATE_LIMIT: '2', GRC_QUEUE_PREFIX: `grc-o311c-${stamp}` });
    try {
      const c = new Open311({ endpoint: `${limited.url}/open311/v2/`, format: 'json', jurisdiction: town });
      await call((cb) => c.serviceList(cb));
      await call((cb) => c.serviceRequests({ service_code: CODE }, cb));
      const refused = await failure(call((cb) => c.serviceList(cb)));
      // the client reports a GET failure as `true` with the status in its message (it drops the body of GETs);
      // the standard's error body itself is checked in open311.spec.ts
      expect(refused.clientError).toBe(true);
      expect(refused.body).toContain(': 429');
    } finally {
      await limited.close();
    }
  });
});
