import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseTownPack } from '@grc/domain';
import { createDataSource } from '../src/database/data-source';
import {
  configurationFiles,
  exportPack,
  exportPackFiles,
  importPack,
  importPackFiles,
  readPackTree,
  readTownConfiguration,
} from '../src/modules/packs/pack-transfer';
import { unzipSync, strFromU8 } from 'fflate';
import { ADMIN, VOIRIE_AGENT } from './support/demo';
import { startTestApp, type TestContext } from './support/test-app';
import { adminQuery, databaseUrlFor } from './support/test-database';

/**
 * Configuration that travels (issue 15): the running demo town's configuration exported as a pack,
 * loaded into an empty instance, exported again byte for byte; a changed pack previewed then applied
 * all at once, or not at all.
 */
describe('town pack export and import', () => {
  const name = `grc_test_transfer_${process.pid}_${Date.now().toString(36)}`;
  let source: DataSource;
  let target: DataSource;
  const dirA = mkdtempSync(join(tmpdir(), 'grc-export-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'grc-export-b-'));

  beforeAll(async () => {
    // the run's database (this spec's copy) holds the demo town (with its categories' fields); give it what the demo pack lacks: templates
    source = await createDataSource(process.env['DATABASE_URL']!).initialize();
    await source.query(
      `INSERT INTO mail_templates (event, locale, subject, body) VALUES ('acknowledgement', 'fr', 'Votre demande {{reference}}', 'Bonjour,\nmerci.')`,
    );
    await source.query(`INSERT INTO mail_reply_templates (name, body) VALUES ('Merci', 'Merci de votre signalement.')`);
    // the town's own settings of Administration › Commune that travel in town.yaml (the logo does not)
    await source.query(
      `UPDATE town_settings SET public_texts = '{"footer":"Hôtel de ville, place du Marché","formIntro":""}'::jsonb,
         sender_address = 'mairie@saint-aubin.fr', sender_name = 'Mairie de Saint-Aubin' WHERE id = 1`,
    );
    await adminQuery(`CREATE DATABASE ${name}`);
    target = await createDataSource(databaseUrlFor(name)).initialize();
    await target.runMigrations({ transaction: 'each' });
  });
  afterAll(async () => {
    await source.destroy();
    await target.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('exports the whole configuration as a pack the loader reads, with no demo data and no password', async () => {
    const written = await exportPack(source, dirA);
    expect(written).toEqual(
      expect.arrayContaining([
        'town.yaml',
        'departments.yaml',
        'categories.yaml',
        'routing.yaml',
        'agents.yaml',
        'sla.yaml',
        'retention.yaml',
        'privacy.yaml',
        'templates.yaml',
        'workflows/bindings.yaml',
        'workflows/reponse-simple.yaml',
      ]),
    );
    expect(written).not.toContain('demo-tickets.yaml');
    const files = await readPackTree(dirA);
    expect(files['agents.yaml']).not.toMatch(/password/);
    const parsed = parseTownPack(Object.fromEntries(Object.entries(files).filter(([k]) => !k.includes('/'))));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // the demo pack's category fields come back whole: English labels, a number's range, a choice's English name
    const pothole = parsed.pack.categories.find((c) => c.code === 'nid-de-poule')?.fields ?? [];
    expect(pothole.map((f) => f.code)).toEqual(['dimension', 'profondeur_cm', 'voie_circulee']);
    expect(pothole[0]).toMatchObject({ datatype: 'singlevaluelist', descriptionEn: 'Size of the hole' });
    expect(pothole[0]!.values[0]).toEqual({ key: 'petit', name: 'Moins de 30 cm', nameEn: 'Under 30 cm' });
    expect(pothole[1]).toMatchObject({ datatype: 'number', min: 0, max: 100, datatypeDescription: 'Un nombre entre 0 et 100.' });
    expect(parsed.pack.categories.find((c) => c.code === 'encombrants')?.fields?.[0]).toMatchObject({
      code: 'objets',
      datatype: 'multivaluelist',
      required: true,
    });
    // the demo pack's reply templates (scoped ones keep their department and category codes) and the one added here
    expect(parsed.pack.templates?.replies).toContainEqual({ name: 'Merci', body: 'Merci de votre signalement.', active: true });
    expect(parsed.pack.templates?.replies).toContainEqual(
      expect.objectContaining({ name: 'Nid-de-poule constaté', department: 'voirie', category: 'nid-de-poule' }),
    );
    const civil = parsed.pack.templates?.replies.find((r) => r.name === "Acte d'état civil disponible");
    expect(civil).toMatchObject({ department: 'etat-civil', active: true });
    expect(civil).not.toHaveProperty('category');
    expect(parsed.pack.sla?.policies.map((p) => p.id)).toContain('urbanisme');
    expect(parsed.pack.retention?.default).toEqual({ months: 36, action: 'anonymise' });
    expect(parsed.pack.retention?.categories).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'nid-de-poule', months: 24 })]),
    );
    // the town settings (town.yaml) and the information notice's settings (privacy.yaml, from the demo pack's)
    expect(parsed.pack.town).toMatchObject({
      publicTexts: { footer: 'Hôtel de ville, place du Marché' },
      sender: { address: 'mairie@saint-aubin.fr', name: 'Mairie de Saint-Aubin' },
    });
    expect(parsed.pack.privacy).toMatchObject({
      controller: { name: 'Ville de Saint-Aubin-sur-Loire, représentée par son maire', email: 'mairie@saint-aubin.fr' },
      dpo: { email: 'dpo@saint-aubin.fr' },
      legalBasis: 'public_task',
      authority: { name: 'CNIL' },
    });
  });

  it('round trip: export → load into an empty instance → export again gives the same bytes', async () => {
    const preview = await importPack(target, dirA, { dryRun: true });
    expect(preview).toMatchObject({ mode: 'load', applied: false });
    expect(Number((await target.query(`SELECT count(*) n FROM departments`))[0].n)).toBe(0);
    await expect(importPack(target, dirA, { dryRun: false })).resolves.toMatchObject({ mode: 'load', applied: true });
    await exportPack(target, dirB);
    expect(await readPackTree(dirB)).toEqual(await readPackTree(dirA));
    const [t] = await target.query(`SELECT public_texts, sender_address FROM town_settings`);
    expect(t).toEqual({ public_texts: { footer: 'Hôtel de ville, place du Marché' }, sender_address: 'mairie@saint-aubin.fr' });
    const [p] = await target.query(`SELECT dpo_email, controller_name FROM privacy_settings`);
    expect(p.dpo_email).toBe('dpo@saint-aubin.fr');
    // nothing to change the second time
    await expect(importPack(target, dirA, { dryRun: true })).resolves.toEqual({ mode: 'merge', changes: [], applied: false });
  });

  /** Puts x where the export's ORDER BY would (the neighbours here differ from the first letters on). */
  const insertSorted = <T>(list: T[], x: T, key: (v: T) => string) => {
    const i = list.findIndex((v) => key(v) > key(x));
    list.splice(i < 0 ? list.length : i, 0, x);
  };

  /** The target's configuration with a few changes, as pack files. */
  async function changedFiles(): Promise<Record<string, string>> {
    const c = (await target.transaction((m) => readTownConfiguration(m)))!;
    c.pack.town = { ...c.pack.town, name: 'Ville de Saint-Aubin (import)' };
    insertSorted(
      c.pack.departments,
      { code: 'sports', name: 'Service des sports', kind: 'service', parent: 'dgs', email: null, active: true, frontDesk: false },
      (d) => d.code,
    );
    c.pack.categories = c.pack.categories.map((x) =>
      x.code === 'elagage' ? { ...x, nameFr: 'Élagage et abattage', department: 'sports' } : x,
    );
    c.pack.routing = c.pack.routing.filter((r) => r.category !== 'animal-errant');
    c.pack.agents = c.pack.agents.map((a) => (a.email === 'karim.benali@saint-aubin.fr' ? { ...a, departments: ['sports'] } : a));
    insertSorted(
      c.pack.agents,
      {
        email: 'nouvel.agent@saint-aubin.fr',
        displayName: 'Nouvel Agent',
        role: 'agent',
        locale: 'fr',
        departments: ['sports'],
        active: true,
      },
      (a) => a.email,
    );
    c.pack.sla!.policies = c.pack.sla!.policies.map((p) => (p.id === 'urgent' ? { ...p, name: 'Urgences' } : p));
    insertSorted(c.pack.templates!.replies, { name: 'Au revoir', body: 'Bonne journée.', active: true }, (r) => r.name);
    c.workflows.definitions = c.workflows.definitions.map((d) => (d.id === 'reponse-simple' ? { ...d, name: 'Réponse simple (v2)' } : d));
    c.pack.town = { ...c.pack.town, publicTexts: { footer: 'Mairie, du lundi au samedi' } };
    c.pack.privacy = { ...c.pack.privacy!, dpo: { ...c.pack.privacy!.dpo, email: 'rgpd@saint-aubin.fr' } };
    return configurationFiles(c);
  }

  it('previews the differences of a changed pack and changes nothing', async () => {
    const before = await exportPackFiles(target);
    const r = await importPackFiles(target, await changedFiles(), { dryRun: true });
    expect(r).toMatchObject({ mode: 'merge', applied: false });
    const keys = r.changes.map((c) => `${c.action} ${c.kind} ${c.key}`).sort();
    expect(keys).toEqual(
      [
        'update town ',
        'create department sports',
        'update category elagage',
        'update routing animal-errant',
        'update agent karim.benali@saint-aubin.fr',
        'create agent nouvel.agent@saint-aubin.fr',
        'update sla_policy urgent',
        'create reply_template Au revoir',
        'update workflow reponse-simple',
        'update privacy ',
      ].sort(),
    );
    expect(r.changes.find((c) => c.kind === 'category')?.fields).toEqual(['department', 'nameFr']);
    expect(r.changes.find((c) => c.kind === 'town')?.fields).toEqual(['name', 'publicTexts']);
    expect(r.changes.find((c) => c.kind === 'privacy')?.fields).toEqual(['dpo']);
    expect(await exportPackFiles(target)).toEqual(before);
  });

  it('applies all of it at once, or nothing when one statement fails', async () => {
    const files = await changedFiles();
    const before = await exportPackFiles(target);
    // a failure late in the apply (reply templates come after departments, categories, agents, SLA)
    await target.query(`CREATE FUNCTION grc_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$`);
    await target.query(
      `CREATE TRIGGER grc_test_refuse BEFORE INSERT ON mail_reply_templates FOR EACH ROW EXECUTE FUNCTION grc_test_refuse()`,
    );
    await expect(importPackFiles(target, files, { dryRun: false })).rejects.toThrow(/refused/);
    expect(await exportPackFiles(target)).toEqual(before);
    await target.query(`DROP TRIGGER grc_test_refuse ON mail_reply_templates`);

    const r = await importPackFiles(target, files, { dryRun: false });
    expect(r).toMatchObject({ mode: 'merge', applied: true });
    // the town now exports exactly the pack it was given
    expect(await exportPackFiles(target)).toEqual(files);
    const [wf] = await target.query(`SELECT max(version)::int v FROM workflow_definitions WHERE code = 'reponse-simple'`);
    expect(wf.v).toBe(2);
    const [audit] = await target.query(`SELECT changes FROM audit_events WHERE action = 'pack.import'`);
    expect(audit.changes.created.after).toBe(3);
    await expect(importPackFiles(target, files, { dryRun: true })).resolves.toMatchObject({ changes: [] });
  });

  it('refuses an invalid pack with every error and changes nothing', async () => {
    const files = { ...(await exportPackFiles(target)), 'categories.yaml': '- { code: x, nameFr: X, nameEn: X, department: nowhere }\n' };
    await expect(importPackFiles(target, files, { dryRun: false })).rejects.toThrow(/categories\.yaml.*nowhere/);
  });
});

describe('town pack routes (admin console)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('downloads the configuration as a zip of the export, the same bytes each time', async () => {
    const admin = await ctx.as(ADMIN);
    const get = () =>
      admin
        .get('/api/v1/admin/pack')
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200)
        .expect('Content-Type', /application\/zip/);
    const res = await get();
    const files = unzipSync(new Uint8Array(res.body as Buffer));
    const expected = await exportPackFiles(ctx.db);
    expect(Object.keys(files).sort()).toEqual(Object.keys(expected).sort());
    expect(strFromU8(files['categories.yaml']!)).toBe(expected['categories.yaml']);
    expect(Buffer.compare((await get()).body as Buffer, res.body as Buffer)).toBe(0);
  });

  it('previews an import, and refuses an invalid pack with each error as a field (422), changing nothing', async () => {
    const admin = await ctx.as(ADMIN);
    const files = await exportPackFiles(ctx.db);
    const changed = { ...files, 'town.yaml': files['town.yaml']!.replace(/^name: .*$/m, 'name: Ville renommée') };
    const preview = await admin.post('/api/v1/admin/pack/import').send({ files: changed, dryRun: true }).expect(200);
    expect(preview.body).toEqual({
      mode: 'merge',
      applied: false,
      changes: [{ kind: 'town', key: '', action: 'update', fields: ['name'] }],
    });
    const bad = await admin
      .post('/api/v1/admin/pack/import')
      .send({ files: { ...files, 'categories.yaml': '- { code: x, nameFr: X, nameEn: X, department: nowhere }\n' }, dryRun: false })
      .expect(422);
    // (the other files now name categories the pack lacks: their errors follow)
    expect(bad.body.errors[0]).toEqual(
      expect.objectContaining({ field: 'files.categories.yaml', code: 'pack.invalid', params: { path: '0.department', line: 1 } }),
    );
    expect(bad.body.errors).toContainEqual(expect.objectContaining({ field: 'files.routing.yaml', code: 'pack.invalid' }));
    await admin
      .post('/api/v1/admin/pack/import')
      .send({ files: { '../etc/passwd': 'x' }, dryRun: true })
      .expect(400);
    expect(await exportPackFiles(ctx.db)).toEqual(files);
    // an agent may not
    await (await ctx.as(VOIRIE_AGENT)).get('/api/v1/admin/pack').expect(403);
  });
});
