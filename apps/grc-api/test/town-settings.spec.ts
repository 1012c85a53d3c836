import { ADMIN, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Administration › Commune: the town's own settings, after the pack that set them first. */
describe('town settings', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  const current = async () => (await (await ctx.as(ADMIN)).get('/api/v1/town-settings').expect(200)).body;
  const bodyOf = (s: Record<string, unknown>) => {
    const { code: _code, dpo: _dpo, logo: _logo, ...body } = s;
    return body;
  };
  const audits = async (action: string) =>
    Number((await ctx.db.query(`SELECT count(*) n FROM audit_events WHERE action = $1`, [action]))[0].n);

  it("reads the pack's town, the DPO contact of the privacy notice, and no logo", async () => {
    const s = await current();
    expect(s).toMatchObject({
      code: 'saint-aubin',
      name: 'Ville de Saint-Aubin-sur-Loire',
      timezone: 'Europe/Paris',
      referencePrefix: 'GRC',
    });
    expect(s.logo).toBeNull();
    expect(s.publicTexts).toEqual({ formIntro: '', trackingIntro: '', footer: '' });
    // the DPO's contact comes from the privacy notice (packs/demo-town/privacy.yaml)
    expect(s.dpo).toEqual({
      name: 'Délégué à la protection des données de la Ville',
      email: 'dpo@saint-aubin.fr',
      address: 'Hôtel de ville, service juridique, place du Marché, 37999 Saint-Aubin-sur-Loire',
    });
  });

  it('saves name, time zone, prefix, texts, sender and logo in one audited change; the public pages show them', async () => {
    const admin = await ctx.as(ADMIN);
    const before = await audits('town.update');
    const s = await current();
    const saved = (
      await admin
        .put('/api/v1/town-settings')
        .send({
          ...bodyOf(s),
          name: 'Mairie de Saint-Aubin',
          timezone: 'America/Cayenne',
          referencePrefix: 'SAL',
          publicTexts: { formIntro: 'Signalez un problème', trackingIntro: '', footer: 'Hôtel de ville, place de la Mairie' },
          senderAddress: 'Contact@Saint-Aubin.fr',
          senderName: null,
          logo: `data:image/png;base64,${PNG_1PX}`,
        })
        .expect(200)
    ).body;
    expect(saved).toMatchObject({
      name: 'Mairie de Saint-Aubin',
      timezone: 'America/Cayenne',
      referencePrefix: 'SAL',
      senderAddress: 'contact@saint-aubin.fr',
    });
    expect(saved.version).toBe(s.version + 1);
    expect(saved.logo).toBe(`data:image/png;base64,${PNG_1PX}`);
    expect(await audits('town.update')).toBe(before + 1);
    const [event] = await ctx.db.query(`SELECT changes FROM audit_events WHERE action = 'town.update' ORDER BY at DESC LIMIT 1`);
    expect(Object.keys(event.changes).sort()).toEqual(
      ['logo', 'name', 'publicTexts.footer', 'publicTexts.formIntro', 'referencePrefix', 'senderAddress', 'timezone'].sort(),
    );

    const pub = (await ctx.http.get('/api/v1/public/town').expect(200)).body;
    expect(pub).toEqual({
      name: 'Mairie de Saint-Aubin',
      hasLogo: true,
      texts: { formIntro: 'Signalez un problème', trackingIntro: '', footer: 'Hôtel de ville, place de la Mairie' },
    });
    const logo = await ctx.http.get('/api/v1/public/town-logo').expect(200);
    expect(logo.headers['content-type']).toBe('image/png');
    expect(Buffer.from(logo.body as Buffer).equals(Buffer.from(PNG_1PX, 'base64'))).toBe(true);

    // a request registered now takes the new prefix
    const agent = await ctx.as(VOIRIE_AGENT);
    const cat = (await ctx.db.query(`SELECT id FROM categories WHERE code = 'nid-de-poule'`))[0].id;
    const t = await agent
      .post('/api/v1/tickets')
      .send({ channel: 'phone', categoryId: cat, subject: 'Trou', description: 'Un trou' })
      .expect(201);
    expect(t.body.reference).toMatch(/^SAL-\d{4}-\d+$/);

    // the same body again changes nothing: no version, no audit
    await admin.put('/api/v1/town-settings').send(bodyOf(saved)).expect(200);
    expect((await current()).version).toBe(saved.version);
    expect(await audits('town.update')).toBe(before + 1);
  });

  it('refuses bad input naming the field, and a stale version, changing nothing', async () => {
    const admin = await ctx.as(ADMIN);
    const s = await current();
    const refused = async (patch: Record<string, unknown>, status: number, field: string) => {
      const r = await admin
        .put('/api/v1/town-settings')
        .send({ ...bodyOf(s), ...patch })
        .expect(status);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(r.body.errors ?? [])).toContain(`"field":"${field}"`);
    };
    await refused({ timezone: 'Mars/Olympus' }, 400, 'timezone');
    await refused({ referencePrefix: 'GR1' }, 400, 'referencePrefix');
    await refused({ senderAddress: 'pas une adresse' }, 400, 'senderAddress');
    // a GIF (or a script) announced as PNG
    await refused({ logo: `data:image/png;base64,${Buffer.from('GIF89a....').toString('base64')}` }, 400, 'logo');
    await refused({ logo: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' }, 400, 'logo');
    await refused({ version: s.version - 1 }, 409, 'version');
    expect(await current()).toEqual(s);
  });

  it('is for administrators only', async () => {
    await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/town-settings').expect(403);
    await ctx.http.get('/api/v1/town-settings').expect(401);
  });
});
