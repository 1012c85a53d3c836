import { apply, start } from './apply';
import { replay } from './replay';
import { agent, demo, head, ok, ticket } from './test-helpers';

describe('replay', () => {
  const def = demo('reponse-simple');
  const tk = ticket('voirie');
  const delegate = agent('sophie', 'voirie', {
    delegations: [
      { fromAgentId: 'thierry', fromRole: 'head', fromDepartmentIds: ['voirie'], from: '2026-03-01T00:00:00Z', to: '2026-03-10T00:00:00Z' },
    ],
  });

  it('rebuilds the same state from the history, delegations included', () => {
    let s = ok(start(def, tk, agent('karim', 'voirie'), '2026-03-02T08:00:00.000Z')).state;
    s = ok(apply(def, s, { type: 'submit_draft', text: 'v1' }, agent('karim', 'voirie'), '2026-03-02T09:00:00.000Z', tk)).state;
    s = ok(apply(def, s, { type: 'reject', comment: 'non' }, head('thierry', 'voirie'), '2026-03-02T10:00:00.000Z', tk)).state;
    s = ok(apply(def, s, { type: 'submit_draft', text: 'v2' }, agent('karim', 'voirie'), '2026-03-03T09:00:00.000Z', tk)).state;
    s = ok(apply(def, s, { type: 'approve' }, delegate, '2026-03-04T09:00:00.000Z', tk)).state;
    expect(replay(def, s.history)).toEqual({ ok: true, state: s });
    expect(JSON.parse(JSON.stringify(replay(def, JSON.parse(JSON.stringify(s.history)))))).toEqual(
      JSON.parse(JSON.stringify({ ok: true, state: s })),
    );
  });

  it('reports where a tampered history diverges', () => {
    let s = ok(start(def, tk, agent('karim', 'voirie'), '2026-03-02T08:00:00.000Z')).state;
    s = ok(apply(def, s, { type: 'submit_draft', text: 'v1' }, agent('karim', 'voirie'), '2026-03-02T09:00:00.000Z', tk)).state;
    s = ok(apply(def, s, { type: 'approve' }, head('thierry', 'voirie'), '2026-03-02T10:00:00.000Z', tk)).state;
    const forged = s.history.map((h, i) => (i === 2 ? { ...h, actor: agent('intrus', 'voirie') } : h));
    expect(replay(def, forged)).toMatchObject({ ok: false, code: 'not_an_approver', atSeq: 2 });
    expect(replay(def, [])).toMatchObject({ ok: false, atSeq: 0 });
  });
});
