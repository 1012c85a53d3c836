import type { Category, TicketDetail } from '@grc/domain';
import { ADMIN, ids, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

type Client = Awaited<ReturnType<TestContext['loginAs']>>;
const uniq = () => Date.now().toString(36) + Math.floor(Math.random() * 1e4).toString(36);

/**
 * A category's own fields end to end against the real PostgreSQL: the administrator defines them, the
 * agent's new ticket, the public form and Open311 ask for them and refuse bad values with the same rules
 * (`attributes.<code>` at fault), the ticket page edits them (one change, on the timeline, audited).
 */
describe('category fields (Open311 attributes) end to end', () => {
  let ctx: TestContext;
  let admin: Client;
  let agent: Client;
  let category: Category;
  let apiKey: string;
  let town: string;

  const FIELDS = [
    {
      code: 'taille',
      datatype: 'singlevaluelist',
      required: true,
      description: 'Taille du trou',
      descriptionEn: 'Size of the hole',
      values: [
        { key: 'petit', name: 'Petit', nameEn: 'Small' },
        { key: 'grand', name: 'Grand', nameEn: 'Large' },
      ],
    },
    { code: 'profondeur', datatype: 'number', description: 'Profondeur (cm)', min: 0, max: 100 },
    { code: 'constate_le', datatype: 'datetime', description: 'Constaté le' },
    { code: 'notes', datatype: 'text', description: 'Précisions' },
    {
      code: 'dangers',
      datatype: 'multivaluelist',
      description: 'Dangers',
      values: [
        { key: 'velo', name: 'Vélos' },
        { key: 'pieton', name: 'Piétons' },
      ],
    },
  ];

  const count = async (table: string) => Number((await ctx.db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const errorsOf = (body: { errors?: Array<{ field: string; code?: string }> }) => (body.errors ?? []).map((e) => `${e.field}:${e.code}`);

  beforeAll(async () => {
    ctx = await startTestApp({ GRC_PUBLIC_RATE_LIMIT: '1000' });
    admin = await ctx.loginAs(ADMIN);
    agent = await ctx.loginAs(VOIRIE_AGENT);
    const d = await ids(ctx.db);
    const res = await admin.post('/api/v1/categories').send({
      code: `champs-${uniq()}`,
      nameFr: 'Trou (champs)',
      nameEn: 'Hole (fields)',
      defaultDepartmentId: await d.department('voirie'),
      fields: FIELDS,
    });
    expect(res.status).toBe(201);
    category = res.body;
    town = (await ctx.db.query(`SELECT code FROM town_settings`))[0].code;
    apiKey = (await admin.post('/api/v1/open311-keys').send({ name: 'Champs test' }).expect(201)).body.key;
  });
  afterAll(() => ctx.close());

  describe('the administrator defines them', () => {
    it('creates the category with its fields, normalised and audited, and lists them', async () => {
      expect(category.fields.map((f) => f.code)).toEqual(['taille', 'profondeur', 'constate_le', 'notes', 'dangers']);
      expect(category.fields[0]).toEqual({
        code: 'taille',
        datatype: 'singlevaluelist',
        variable: true,
        required: true,
        description: 'Taille du trou',
        descriptionEn: 'Size of the hole',
        datatypeDescription: null,
        order: 1,
        values: FIELDS[0]!.values,
        min: null,
        max: null,
      });
      expect(category.fields[1]).toMatchObject({ min: 0, max: 100, order: 2, values: [] });
      const listed = ((await agent.get('/api/v1/categories').expect(200)).body as Category[]).find((c) => c.id === category.id);
      expect(listed?.fields).toEqual(category.fields);
      const [audit] = await ctx.db.query(`SELECT action, changes FROM audit_events WHERE entity_type = 'category' AND entity_id = $1`, [
        category.id,
      ]);
      expect(audit.action).toBe('category.create');
      expect(audit.changes.fields.after).toHaveLength(5);
    });

    it('refuses bad definitions with the field at fault, changing nothing', async () => {
      const before = await count('category_attributes');
      const res = await admin.put(`/api/v1/categories/${category.id}`).send({
        code: category.code,
        nameFr: category.nameFr,
        nameEn: category.nameEn,
        defaultDepartmentId: category.defaultDepartmentId,
        version: category.version,
        fields: [
          { code: 'a', datatype: 'singlevaluelist', description: 'Liste vide', values: [] },
          { code: 'a', datatype: 'number', description: 'N', min: 5, max: 1 },
          { code: 'b c', datatype: 'string', description: '' },
        ],
      });
      expect(res.status).toBe(400);
      expect(errorsOf(res.body)).toEqual([
        'fields.0.values:choicesRequired',
        'fields.1.code:duplicate',
        'fields.1.max:min',
        'fields.2.code:code',
        'fields.2.description:required',
      ]);
      const shape = await admin.put(`/api/v1/categories/${category.id}`).send({
        code: category.code,
        nameFr: category.nameFr,
        nameEn: category.nameEn,
        defaultDepartmentId: category.defaultDepartmentId,
        version: category.version,
        fields: [{ code: 'x', datatype: 'colour', description: 'X' }],
      });
      expect(shape.status).toBe(400);
      expect(errorsOf(shape.body)).toEqual(['fields.0.datatype:isIn']);
      expect(await count('category_attributes')).toBe(before);
    });

    it('changes the list (version bumped, audited); without `fields` the list stays', async () => {
      const base = {
        code: category.code,
        nameFr: category.nameFr,
        nameEn: category.nameEn,
        defaultDepartmentId: category.defaultDepartmentId,
      };
      const more = [...FIELDS, { code: 'info', datatype: 'string', variable: false, description: 'Ne vous approchez pas du trou.' }];
      const res = await admin.put(`/api/v1/categories/${category.id}`).send({ ...base, version: category.version, fields: more });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(category.version + 1);
      expect(res.body.fields.map((f: { code: string }) => f.code)).toContain('info');
      const renamed = await admin.put(`/api/v1/categories/${category.id}`).send({ ...base, nameEn: 'Hole', version: res.body.version });
      expect(renamed.status).toBe(200);
      expect(renamed.body.fields).toHaveLength(6);
      const audits = await ctx.db.query(
        `SELECT changes FROM audit_events WHERE entity_type = 'category' AND entity_id = $1 AND action = 'category.update' ORDER BY id`,
        [category.id],
      );
      expect(Object.keys(audits[0].changes)).toEqual(['fields']);
      expect(Object.keys(audits[1].changes)).toEqual(['nameEn']);
      category = renamed.body;
    });
  });

  describe('the agent’s new ticket asks for them', () => {
    const ticket = (attributes: Record<string, unknown>) =>
      agent.post('/api/v1/tickets').send({
        channel: 'phone',
        categoryId: category.id,
        subject: 'Trou rue des Tanneurs',
        description: 'Signalé par téléphone',
        attributes,
      });

    it('stores valid values, typed (number, ISO date, list keys)', async () => {
      const res = await ticket({ taille: 'grand', profondeur: '12,5', constate_le: '2026-03-01', dangers: ['velo', 'pieton'], autre: 'x' });
      expect(res.status).toBe(201);
      expect((res.body as TicketDetail).attributes).toEqual({
        taille: 'grand',
        profondeur: 12.5,
        constate_le: '2026-03-01T00:00:00.000Z',
        dangers: ['velo', 'pieton'],
      });
    });

    it('refuses invalid values, each on attributes.<code>, creating nothing', async () => {
      const before = await count('tickets');
      const res = await ticket({ profondeur: '101', constate_le: '2026-02-30', dangers: ['tracteur'], notes: { a: 1 } });
      expect(res.status).toBe(400);
      expect(errorsOf(res.body)).toEqual([
        'attributes.taille:required',
        'attributes.profondeur:max',
        'attributes.constate_le:isDateString',
        'attributes.notes:isString',
        'attributes.dangers:isIn',
      ]);
      expect(res.body.errors[1].params).toEqual({ max: 100 });
      expect((await ticket({ taille: ['petit', 'grand'] })).status).toBe(400);
      expect(await count('tickets')).toBe(before);
    });
  });

  describe('the public form asks for them with the same rules', () => {
    const post = (attributes: Record<string, unknown>) =>
      ctx.http
        .post('/api/v1/public/requests')
        .set('X-Requested-With', 'grc')
        .field('categoryId', category.id)
        .field('description', 'Un trou profond devant le 4 rue Nationale')
        .field('lastName', 'Martin')
        .field('email', `champs-${uniq()}@example.org`)
        .field('attributes', JSON.stringify(attributes));

    it('gives the variable fields with their English labels and range', async () => {
      const form = await ctx.http.get('/api/v1/public/form').expect(200);
      const cat = form.body.categories.find((c: { id: string }) => c.id === category.id);
      expect(cat.attributes.map((a: { code: string }) => a.code)).toEqual(['taille', 'profondeur', 'constate_le', 'notes', 'dangers']);
      expect(cat.attributes[1]).toMatchObject({ min: 0, max: 100 });
      expect(cat.attributes[0]).toMatchObject({ descriptionEn: 'Size of the hole' });
    });

    it('refuses a value out of range, then takes a good one', async () => {
      const bad = await post({ taille: 'petit', profondeur: '-3' });
      expect(bad.status).toBe(400);
      expect(errorsOf(bad.body)).toEqual(['attributes.profondeur:min']);
      const good = await post({ taille: 'petit', profondeur: '3' });
      expect(good.status).toBe(201);
      const [t] = await ctx.db.query(`SELECT attributes FROM tickets WHERE reference = $1`, [good.body.reference]);
      expect(t.attributes).toEqual({ taille: 'petit', profondeur: 3 });
    });
  });

  describe('Open311 gives their definition and checks attribute[code]', () => {
    const form = (extra: Record<string, string | string[]>) =>
      new URLSearchParams(
        Object.entries({
          api_key: apiKey,
          jurisdiction_id: town,
          service_code: category.code,
          lat: '47.3941',
          long: '0.6848',
          description: 'Trou signalé par une application',
          ...extra,
        }).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      ).toString();
    const post = (extra: Record<string, string | string[]>) => ctx.http.post('/open311/v2/requests.json').type('form').send(form(extra));

    it('GET /services/{code}.json: the attributes in order, informational one included', async () => {
      const res = await ctx.http.get(`/open311/v2/services/${category.code}.json`).expect(200);
      expect(res.body.attributes.map((a: { code: string }) => a.code)).toEqual([
        'taille',
        'profondeur',
        'constate_le',
        'notes',
        'dangers',
        'info',
      ]);
      expect(res.body.attributes[0]).toEqual({
        variable: true,
        code: 'taille',
        datatype: 'singlevaluelist',
        required: true,
        datatype_description: null,
        order: 1,
        description: 'Taille du trou',
        values: [
          { key: 'petit', name: 'Petit' },
          { key: 'grand', name: 'Grand' },
        ],
      });
      expect(res.body.attributes[5]).toMatchObject({ variable: false });
    });

    it('POST: a bad attribute is a 400 naming attribute[code]; good ones are stored', async () => {
      const missing = await post({ 'attribute[profondeur]': '5' });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual([{ code: 400, description: expect.stringContaining('attribute[taille]') }]);
      const range = await post({ 'attribute[taille]': 'grand', 'attribute[profondeur]': '500' });
      expect(range.status).toBe(400);
      expect(range.body[0].description).toContain('attribute[profondeur]');
      const ok = await post({ 'attribute[taille]': 'grand', 'attribute[dangers][]': ['velo', 'pieton'], 'attribute[profondeur]': '40' });
      expect(ok.status).toBe(200);
      const [t] = await ctx.db.query(`SELECT attributes FROM tickets WHERE reference = $1`, [ok.body[0].service_request_id]);
      expect(t.attributes).toEqual({ taille: 'grand', dangers: ['velo', 'pieton'], profondeur: 40 });
    });
  });

  describe('the ticket page shows and edits them', () => {
    it('changes some values in one audited change with its timeline entry; bad or emptied required values change nothing', async () => {
      const created = await agent
        .post('/api/v1/tickets')
        .send({
          channel: 'counter',
          categoryId: category.id,
          subject: 'Trou devant la mairie',
          description: 'Vu au guichet',
          attributes: { taille: 'petit', notes: 'Près du banc' },
        })
        .expect(201);
      const t = created.body as TicketDetail;
      expect((await agent.get(`/api/v1/tickets/${t.id}`).expect(200)).body.attributes).toEqual({ taille: 'petit', notes: 'Près du banc' });

      const bad = await agent.patch(`/api/v1/tickets/${t.id}`).send({ version: t.version, attributes: { profondeur: 'beaucoup' } });
      expect(bad.status).toBe(400);
      expect(errorsOf(bad.body)).toEqual(['attributes.profondeur:isNumber']);
      const emptied = await agent.patch(`/api/v1/tickets/${t.id}`).send({ version: t.version, attributes: { taille: '' } });
      expect(errorsOf(emptied.body)).toEqual(['attributes.taille:required']);

      const res = await agent
        .patch(`/api/v1/tickets/${t.id}`)
        .send({ version: t.version, attributes: { taille: 'grand', profondeur: '30', notes: '', dangers: [] } });
      expect(res.status).toBe(200);
      const after = res.body as TicketDetail;
      expect(after.version).toBe(t.version + 1);
      expect(after.attributes).toEqual({ taille: 'grand', profondeur: 30 });
      const event = after.timeline.find((e) => e.kind === 'attributes_changed');
      expect(event?.data).toEqual({ codes: ['taille', 'profondeur', 'notes'] });
      const [audit] = await ctx.db.query(
        `SELECT changes FROM audit_events WHERE entity_type = 'ticket' AND entity_id = $1 AND action = 'ticket.update'`,
        [t.id],
      );
      // free-text values may name people: the trail says they changed, the values go to the citizen's history
      expect(audit.changes.attributes).toEqual({ before: 'changed', after: 'changed' });

      const same = await agent.patch(`/api/v1/tickets/${t.id}`).send({ version: after.version, attributes: { taille: 'grand' } });
      expect(same.status).toBe(400);
    });
  });
});
