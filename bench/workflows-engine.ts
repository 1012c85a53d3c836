/**
 * Pure benchmark of the workflow engine (no database, no HTTP): applies 100,000 actions over many
 * interleaved instances of the demo town's three circuits, and prints actions per second.
 *
 *   TS_NODE_PROJECT=bench/workflows-engine.tsconfig.json npx ts-node --transpile-only -r tsconfig-paths/register bench/workflows-engine.ts [--actions=100000] [--instances=5000]
 */
import {
  Actor,
  apply,
  DEMO_TOWN_WORKFLOWS,
  emptyRegistry,
  publish,
  PublishedDefinition,
  start,
  SYSTEM_ACTOR,
  TicketContext,
  WorkflowAction,
  WorkflowInstanceState,
  WorkflowRegistry,
} from '@grc/workflows';

const arg = (name: string, dflt: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
};
const TARGET = arg('actions', 100_000);
const INSTANCES = arg('instances', 5_000);

let registry: WorkflowRegistry = emptyRegistry();
for (const d of DEMO_TOWN_WORKFLOWS) {
  const r = publish(registry, d);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  registry = r.registry;
}
const def = (id: string): PublishedDefinition => registry.definitions[id]![0]!;

const person = (id: string, role: Actor['role'], dep: string, extra: Partial<Actor> = {}): Actor => ({
  id,
  role,
  departmentIds: [dep],
  ...extra,
});
const karim = person('karim', 'agent', 'voirie');
const thierry = person('thierry', 'head', 'voirie');
const redacteurUrba = person('urba-agent', 'agent', 'urbanisme');
const chefUrba = person('urba-chef', 'head', 'urbanisme');
const dgs = person('helene', 'head', 'dgs');
const elu = person('adjoint-urbanisme', 'elected', 'urbanisme');
// the DGS's assistant signs on her behalf (delegation covering the whole bench period)
const assistante = person('assistante-dgs', 'agent', 'dgs', {
  delegations: [
    { fromAgentId: 'helene', fromRole: 'head', fromDepartmentIds: ['dgs'], from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' },
  ],
});
const jardinier = person('jardinier', 'agent', 'espaces-verts');
const chefEv = person('chef-ev', 'head', 'espaces-verts');

type Script = { def: PublishedDefinition; ticket: (n: number) => TicketContext; steps: [WorkflowAction, Actor][] };
const SCRIPTS: Script[] = [
  {
    def: def('reponse-simple'),
    ticket: (n) => ({ ticketId: `T${n}`, departmentId: 'voirie', fields: { category: 'nid-de-poule', priority: 'normal' } }),
    steps: [
      [{ type: 'submit_draft', text: 'Bonjour, le nid-de-poule sera rebouché cette semaine.' }, karim],
      [{ type: 'reject', comment: 'Préciser la date d’intervention' }, thierry],
      [{ type: 'submit_draft', text: 'Bonjour, le nid-de-poule sera rebouché jeudi.' }, karim],
      [{ type: 'approve', comment: 'OK' }, thierry],
    ],
  },
  {
    def: def('reponse-sensible-urbanisme'),
    ticket: (n) => ({ ticketId: `T${n}`, departmentId: 'urbanisme', fields: { category: 'reclamation-urbanisme', priority: 'normal' } }),
    steps: [
      [{ type: 'submit_draft', text: 'Madame, votre réclamation relative au permis voisin…' }, redacteurUrba],
      [{ type: 'approve' }, chefUrba],
      [{ type: 'approve' }, assistante],
      [{ type: 'approve', comment: 'Vu' }, elu],
    ],
  },
  {
    def: def('avis-abattage-arbre'),
    ticket: (n) => ({ ticketId: `T${n}`, departmentId: 'espaces-verts', fields: { category: 'elagage', priority: 'normal' } }),
    steps: [
      [{ type: 'citizen_replied', comment: 'photos reçues' }, SYSTEM_ACTOR],
      [{ type: 'give_opinion', departmentId: 'voirie', verdict: 'reserved', comment: 'Réseau à proximité' }, karim],
      [{ type: 'give_opinion', departmentId: 'urbanisme', verdict: 'favourable', comment: 'Hors site protégé' }, redacteurUrba],
      [{ type: 'give_opinion', departmentId: 'espaces-verts', verdict: 'favourable', comment: 'Arbre malade' }, jardinier],
      [{ type: 'submit_draft', text: 'L’abattage est autorisé et sera réalisé par la commune.' }, jardinier],
      [{ type: 'approve' }, chefEv],
      [{ type: 'approve' }, chefUrba],
    ],
  },
];

interface Running {
  script: Script;
  ticket: TicketContext;
  state: WorkflowInstanceState;
  next: number;
}
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
let ticketNo = 0;
// one instant per round over the pool (agents act "at the same second" on different tickets)
let clock = 0;
let instant = new Date(T0).toISOString();
const tick = () => {
  instant = new Date(T0 + ++clock * 1_000).toISOString();
};
const now = () => instant;
const launch = (i: number): Running => {
  const script = SCRIPTS[i % SCRIPTS.length]!;
  const ticket = script.ticket(ticketNo++);
  const r = start(script.def, ticket, script.steps[0]![1], now());
  if (!r.ok) throw new Error(r.message);
  return { script, ticket, state: r.state, next: 0 };
};

function run(target: number): { actions: number; starts: number; completed: number; effects: number; ms: number } {
  const pool: Running[] = Array.from({ length: INSTANCES }, (_, i) => launch(i));
  let actions = 0,
    starts = INSTANCES,
    completed = 0,
    effects = 0;
  const t = process.hrtime.bigint();
  while (actions < target) {
    tick();
    for (let i = 0; i < pool.length && actions < target; i++) {
      const run = pool[i]!;
      const [action, actor] = run.script.steps[run.next]!;
      const r = apply(run.script.def, run.state, action, actor, now(), run.ticket);
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      actions++;
      effects += r.effects.length;
      run.state = r.state;
      run.next++;
      if (run.state.status !== 'active') {
        completed++;
        pool[i] = launch(i);
        starts++;
      }
    }
  }
  return { actions, starts, completed, effects, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

run(Math.min(20_000, TARGET)); // warm-up (JIT)
const r = run(TARGET);
const perSecond = Math.round((r.actions / r.ms) * 1000);
console.log(
  `workflow engine: ${r.actions.toLocaleString('en')} actions in ${r.ms.toFixed(0)} ms = ${perSecond.toLocaleString('en')} actions/s`,
);
console.log(
  `  (${INSTANCES} interleaved instances of ${SCRIPTS.length} demo circuits; ${r.starts} starts and ${r.completed} completions not counted as actions; ${r.effects} effects; node ${process.version})`,
);
console.log(perSecond >= 50_000 ? 'target ≥ 50,000 actions/s: met' : 'target ≥ 50,000 actions/s: NOT met');
