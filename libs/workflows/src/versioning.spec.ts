import { parse as parseYaml } from 'yaml';
import { apply, start } from './engine/apply';
import { agent, head, ok, ticket } from './engine/test-helpers';
import { REPONSE_SIMPLE } from './examples/demo-town';
import { definitionForInstance, emptyRegistry, latestDefinition, publish, resolveDefinition, selectDefinition } from './versioning';
import { demoRegistry } from './engine/test-helpers';

const T0 = '2026-03-02T08:00:00.000Z';

describe('versioning', () => {
  it('numbers versions, keeps old ones resolvable and running instances on their own version', () => {
    const v1 = publish(emptyRegistry(), REPONSE_SIMPLE);
    if (!v1.ok) throw new Error('v1');
    const tk = ticket('voirie');
    const running = ok(start(v1.definition, tk, agent('karim', 'voirie'), T0)).state;
    const running2 = ok(apply(v1.definition, running, { type: 'submit_draft', text: 'v1' }, agent('karim', 'voirie'), T0, tk)).state;
    // v2 removes the head approval step entirely
    const v2input = {
      ...REPONSE_SIMPLE,
      steps: {
        redaction: { kind: 'draft', writers: { roles: ['agent'] }, transitions: [{ on: 'submitted', to: 'envoi' }] },
        envoi: { kind: 'end' },
      },
    };
    const v2 = publish(v1.registry, v2input);
    if (!v2.ok) throw new Error(JSON.stringify(v2.errors));
    expect(v2.definition.version).toBe(2);
    expect(latestDefinition(v2.registry, 'reponse-simple')!.version).toBe(2);
    expect(resolveDefinition(v2.registry, 'reponse-simple', 1)).toBe(v1.definition);
    const own = definitionForInstance(v2.registry, running2)!;
    expect(own.version).toBe(1);
    const done = ok(apply(own, running2, { type: 'approve' }, head('thierry', 'voirie'), T0, tk));
    expect(done.state.status).toBe('completed');
    // the new version refuses to drive an instance of the old one
    expect(apply(v2.definition, running2, { type: 'approve' }, head('thierry', 'voirie'), T0, tk)).toMatchObject({
      code: 'version_mismatch',
      httpStatus: 409,
    });
    // the first registry is unchanged (immutable value) and published definitions are frozen
    expect(v1.registry.definitions['reponse-simple']).toHaveLength(1);
    expect(Object.isFrozen(v1.definition.steps['redaction'])).toBe(true);
  });

  it('refuses to publish an invalid or statically unsound definition, and a stale explicit version', () => {
    const bad = publish(emptyRegistry(), { ...REPONSE_SIMPLE, initial: 'nulle_part' });
    expect(bad).toMatchObject({ ok: false, errors: [{ path: 'initial', message: expect.stringMatching(/n’existe pas/) }] });
    const unparsable = publish(emptyRegistry(), { id: 'x' });
    expect(unparsable.ok).toBe(false);
    const stale = publish(emptyRegistry(), { ...REPONSE_SIMPLE, version: 3 });
    expect(stale).toMatchObject({ ok: false, errors: [{ path: 'version' }] });
    const unknownDep = publish(emptyRegistry(), REPONSE_SIMPLE, { departments: ['voirie'] });
    expect(unknownDep).toMatchObject({
      ok: false,
      errors: [{ path: 'steps.validation_chef.escalateTo[0].department', message: 'service inconnu « dgs »' }],
    });
  });

  it('selects the most specific circuit for a new ticket', () => {
    const reg = demoRegistry();
    expect(selectDefinition(reg, { categoryCode: 'elagage', departmentId: 'espaces-verts' })!.id).toBe('avis-abattage-arbre');
    expect(selectDefinition(reg, { categoryCode: 'reclamation-urbanisme', departmentId: 'urbanisme' })!.id).toBe(
      'reponse-sensible-urbanisme',
    );
    expect(selectDefinition(reg, { categoryCode: 'nid-de-poule', departmentId: 'voirie' })!.id).toBe('reponse-simple');
  });

  it('parses definitions from YAML like from JSON', () => {
    const yaml =
      'id: mini\nname: Mini\ninitial: r\nsteps:\n  r:\n    kind: draft\n    writers: { roles: [agent] }\n    transitions: [{ on: submitted, to: fin }]\n  fin: { kind: end }\n';
    expect(publish(emptyRegistry(), parseYaml(yaml)).ok).toBe(true);
  });
});
