import type { WorkflowDryRun } from '@grc/domain';
import { addStep, newStep, setTransitions, type WorkflowDefinition } from '@grc/workflows';
import { parse, stringify } from 'yaml';
import { startTestApp, type TestContext } from './support/test-app';
import { ADMIN, DGS, ELU, URBA_HEAD, URBA_AGENT, VOIRIE_HEAD, ids } from './support/demo';

/**
 * The visual editor's API, real PostgreSQL: what the forms save is what the YAML says, in the
 * author's key order (stored, read back, exported); drafts never touch the published version a
 * request runs; the dry run names the town's agents at each step and refuses bad samples.
 */
describe('workflow editor: key order, drafts from the forms, dry run', () => {
  let ctx: TestContext;
  let d: Awaited<ReturnType<typeof ids>>;
  beforeAll(async () => {
    ctx = await startTestApp();
    d = await ids(ctx.db);
  });
  afterAll(() => ctx.close());

  const stripHeader = (yaml: string) =>
    yaml
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
  const stored = async (code: string) =>
    (await ctx.db.query(`SELECT definition::text AS t FROM workflow_definitions WHERE code = $1 AND status = 'draft'`, [code]))[0]?.t as
      string | undefined;
  const audits = async () => (await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events`))[0].n as number;

  // written with keys in an order of its own (name before id, transitions before kind)
  const YAML = `name: Ordre de l’auteur
id: ordre-auteur
initial: ecrire
steps:
  ecrire:
    label: Écrire
    transitions:
      - to: valider
        on: submitted
    writers:
      departments:
        - $ticket
      roles:
        - agent
    kind: draft
  valider:
    approvers:
      - department: $ticket
        role: head
    mode: one
    kind: approval
    transitions:
      - to: fin
        on: approved
  fin:
    outcome: reply_sent
    kind: end
`;

  it('a YAML source keeps its key order: stored, read back and exported as written', async () => {
    const admin = await ctx.as(ADMIN);
    const saved = await admin.post('/api/v1/workflows/definitions').send({ source: YAML }).expect(201);
    expect(Object.keys(saved.body.definition)).toEqual(['name', 'id', 'initial', 'steps']);
    expect(stripHeader(saved.body.yaml)).toBe(YAML);
    const draft = await admin.get('/api/v1/workflows/definitions/ordre-auteur/draft').expect(200);
    expect(stripHeader(draft.body.yaml)).toBe(YAML);
    expect(JSON.parse((await stored('ordre-auteur'))!)).toEqual(parse(YAML));
    expect(Object.keys(JSON.parse((await stored('ordre-auteur'))!).steps.ecrire)).toEqual(['label', 'transitions', 'writers', 'kind']);
    await admin.post('/api/v1/workflows/definitions/ordre-auteur/publish').expect(201);
    const exported = await admin.get('/api/v1/workflows/definitions/ordre-auteur/export?format=yaml').expect(200);
    expect(stripHeader(exported.text)).toBe(YAML);
    const json = await admin.get('/api/v1/workflows/definitions/ordre-auteur/export?format=json').expect(200);
    expect(json.text).toBe(`${JSON.stringify(parse(YAML), null, 2)}\n`);
  });

  it('the forms’ definition (an object) saves exactly what the YAML would, and a draft leaves the published version alone', async () => {
    const admin = await ctx.as(ADMIN);
    // the editor: same circuit, built with the editor's operations from an empty one
    let def: WorkflowDefinition = { id: 'deux-etapes', name: 'Deux étapes', initial: 'redaction', steps: {} };
    def = addStep(def, 'redaction', newStep('draft', 'Rédaction'));
    def = addStep(def, 'validation', newStep('approval', 'Validation'));
    def = addStep(def, 'fin', newStep('end', 'Fin'));
    def = setTransitions(def, 'redaction', [{ on: 'submitted', to: 'validation' }]);
    def = setTransitions(def, 'validation', [{ on: 'approved', to: 'fin' }]);
    await admin.post('/api/v1/workflows/definitions').send({ definition: def }).expect(201);
    const fromForms = await stored('deux-etapes');
    await admin.delete('/api/v1/workflows/definitions/deux-etapes/draft').expect(204);
    await admin
      .post('/api/v1/workflows/definitions')
      .send({ source: stringify(def) })
      .expect(201);
    expect(await stored('deux-etapes')).toBe(fromForms);

    await admin.post('/api/v1/workflows/definitions/deux-etapes/publish').expect(201);
    const published = async () =>
      (
        await ctx.db.query(
          `SELECT version, definition::text AS t FROM workflow_definitions WHERE code = 'deux-etapes' AND status = 'published'`,
        )
      )[0];
    const before = await published();
    const n = await audits();
    const edited = { ...def, steps: { ...def.steps, redaction: { ...def.steps['redaction']!, slaMinutes: 120 } } };
    const draft = await admin.post('/api/v1/workflows/definitions').send({ definition: edited }).expect(201);
    expect(draft.body).toMatchObject({ version: 2, status: 'draft' });
    expect(await published()).toEqual(before);
    expect(await audits()).toBe(n + 1);
    const [audit] = await ctx.db.query(
      `SELECT action, changes FROM audit_events WHERE entity_type = 'workflow' AND entity_id = 'deux-etapes' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toMatchObject({ action: 'workflow.draft_save', changes: { version: { before: null, after: 2 } } });
  });

  describe('dry run', () => {
    const names = async (departmentCode: string, role: string) =>
      (
        await ctx.db.query(
          `SELECT a.display_name FROM agents a JOIN agent_departments ad ON ad.agent_id = a.id JOIN departments d ON d.id = ad.department_id
           WHERE d.code = $1 AND a.role = $2 AND a.active ORDER BY a.display_name`,
          [departmentCode, role],
        )
      ).map((r: { display_name: string }) => r.display_name);
    const nameOf = async (email: string) =>
      (await ctx.db.query(`SELECT display_name FROM agents WHERE email = $1`, [email]))[0].display_name;
    const circuit = async (code: string) =>
      (await (await ctx.as(ADMIN)).get(`/api/v1/workflows/definitions/${code}`).expect(200)).body.definition;

    it('a complaint in urbanisme: the agents of each step by name, the élu, the priority raised, nothing written', async () => {
      const admin = await ctx.as(ADMIN);
      const n = await audits();
      const res = await admin
        .post('/api/v1/workflows/definitions/dry-run')
        .send({
          definition: await circuit('reponse-sensible-urbanisme'),
          sample: { departmentId: await d.department('urbanisme'), categoryId: await d.category('reclamation-urbanisme') },
        })
        .expect(200);
      const run: WorkflowDryRun = res.body;
      expect(run).toMatchObject({ status: 'finished', end: 'envoi', reason: null, errors: [] });
      expect(run.steps.map((s) => s.stepId)).toEqual([
        'redaction',
        'validation_chef',
        'visa_dgs',
        'signature_elu',
        'information_redacteur',
        'envoi',
      ]);
      const [draft, chef, dgs, elu] = run.steps;
      expect(draft!.actors[0]!.agents.map((a) => a.displayName)).toEqual(await names('urbanisme', 'agent'));
      expect(draft!.actors[0]!.agents.map((a) => a.displayName)).toContain(await nameOf(URBA_AGENT));
      expect(chef!.actors[0]).toMatchObject({
        kind: 'role',
        roles: ['head'],
        departments: [{ code: 'urbanisme', name: expect.any(String) }],
      });
      expect(chef!.actors[0]!.agents.map((a) => a.displayName)).toEqual([await nameOf(URBA_HEAD)]);
      expect(dgs!.actors[0]!.agents.map((a) => a.displayName)).toEqual([await nameOf(DGS)]);
      expect(dgs!.priority).toBe('high');
      expect(elu!.actors[0]!.agents.map((a) => a.displayName)).toContain(await nameOf(ELU));
      expect(await audits()).toBe(n);
    });

    it('another department and category: the fallback route, that department’s head', async () => {
      const admin = await ctx.as(ADMIN);
      const run: WorkflowDryRun = (
        await admin
          .post('/api/v1/workflows/definitions/dry-run')
          .send({
            source: stringify(await circuit('reponse-sensible-urbanisme')),
            sample: { departmentId: await d.department('voirie'), categoryId: await d.category('declaration-prealable'), priority: 'low' },
          })
          .expect(200)
      ).body;
      expect(run.steps.map((s) => s.stepId)).toContain('visa_dgs_ou_elu');
      expect(run.steps[1]!.actors[0]!.agents.map((a) => a.displayName)).toEqual([await nameOf(VOIRIE_HEAD)]);
      expect(run.steps.find((s) => s.stepId === 'visa_dgs_ou_elu')!.mode).toBe('any');
    });

    it('walks a draft with analysis errors (listed) as far as it goes', async () => {
      const admin = await ctx.as(ADMIN);
      const broken = parse(YAML);
      broken.id = 'casse';
      broken.steps.valider.transitions = [{ on: 'approved', to: 'fin', guard: { when: { field: 'priority', op: 'eq', value: 'urgent' } } }];
      const run: WorkflowDryRun = (
        await admin
          .post('/api/v1/workflows/definitions/dry-run')
          .send({ definition: broken, sample: { departmentId: await d.department('voirie') } })
          .expect(200)
      ).body;
      expect(run).toMatchObject({ status: 'stuck', reason: 'no_transition', end: null });
      expect(run.errors.map((e) => e.code)).toContain('no_fallback');
      expect(run.errors.find((e) => e.code === 'no_fallback')!.path).toBe('steps.valider.transitions');
    });

    it('refuses bad samples and unreadable circuits with the field at fault, changing nothing', async () => {
      const admin = await ctx.as(ADMIN);
      const head = await ctx.as(VOIRIE_HEAD); // (a login is audited)
      const n = await audits();
      const def = await circuit('reponse-simple');
      const unknown = await admin
        .post('/api/v1/workflows/definitions/dry-run')
        .send({
          definition: def,
          sample: { departmentId: '00000000-0000-4000-8000-000000000000', categoryId: '00000000-0000-4000-8000-000000000001' },
        })
        .expect(422);
      expect(unknown.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['sample.categoryId', 'sample.departmentId']);
      const badPriority = await admin
        .post('/api/v1/workflows/definitions/dry-run')
        .send({ definition: def, sample: { departmentId: await d.department('voirie'), priority: 'extreme' } })
        .expect(400);
      expect(JSON.stringify(badPriority.body.errors)).toContain('priority');
      await admin.post('/api/v1/workflows/definitions/dry-run').send({ definition: def }).expect(400);
      const unreadable = await admin
        .post('/api/v1/workflows/definitions/dry-run')
        .send({ source: 'id: [pas fermé', sample: { departmentId: await d.department('voirie') } })
        .expect(422);
      expect(unreadable.body.errors[0].message).toMatch(/YAML invalide/);
      const list = await admin
        .post('/api/v1/workflows/definitions/dry-run')
        .send({ definition: [def], sample: { departmentId: await d.department('voirie') } })
        .expect(400);
      expect(list.body.errors.map((e: { field: string }) => e.field)).toContain('definition');
      await head
        .post('/api/v1/workflows/definitions/dry-run')
        .send({ definition: def, sample: { departmentId: await d.department('voirie') } })
        .expect(403);
      expect(await audits()).toBe(n);
    });
  });
});
