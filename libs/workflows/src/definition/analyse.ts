/**
 * Static validation of a parsed definition, run before publishing. Lists every problem with the
 * path of the faulty value. Errors block publishing; warnings are shown to the author.
 *
 * Checks: unknown step references, rejection targets that are not drafts, outcomes a step cannot
 * leave through (dead ends), conditional transitions without an unconditional fallback, transitions
 * and outcomes no possible actor could take, guards on automatic outcomes, unreachable steps,
 * reachable steps from which no end can be reached (dead ends, cycles without exit), loops of
 * automatic steps, approvals whose only eligible approver may be the draft's author (deadlock), and
 * (given the town's reference data) unknown departments, categories, agents.
 */
import {
  ACTOR_OUTCOMES,
  ApprovalStep,
  Condition,
  Guard,
  Outcome,
  Step,
  STEP_OUTCOMES,
  TICKET_DEPARTMENT,
  Transition,
  WorkflowDefinition,
  WorkflowRole,
} from './schema';

/** Every code of the static analysis (the console and the CLI word each one). */
export const PROBLEM_CODES = [
  'unknown_step',
  'reject_not_draft',
  'no_draft_to_reject_to',
  'dead_end',
  'no_fallback',
  'no_transition_for_actor',
  'transition_without_actor',
  'guard_on_automatic_outcome',
  'shadowed_transition',
  'unreachable',
  'cycle_without_exit',
  'automatic_loop',
  'no_end',
  'unknown_department',
  'unknown_category',
  'unknown_agent',
  'duplicate_department',
  'single_approver_group',
  'unused_transition',
  'reply_without_draft',
  'self_approval_deadlock',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface AnalysisProblem {
  path: string;
  code: ProblemCode;
  message: string;
  severity: 'error' | 'warning';
}

/** The town's reference data, to check references (optional: without it those checks are skipped). */
export interface AnalysisContext {
  departments?: readonly string[];
  categories?: readonly string[];
  agents?: readonly string[];
}

export interface AnalysisResult {
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  problems: AnalysisProblem[];
}

/** A kind of actor a step expects: role and department (`*` = any department). */
interface Profile {
  role: WorkflowRole;
  department: string;
}

const profilesOf = (step: Step): Profile[] | null => {
  if (step.kind === 'draft') {
    const deps = step.writers.departments?.length ? step.writers.departments : ['*'];
    return step.writers.roles.flatMap((role) => deps.map((department) => ({ role, department })));
  }
  if (step.kind === 'approval') {
    // a slot naming only an agent: we cannot know their role; treat as any role of any department
    return step.approvers.flatMap((s) => (s.role ? [{ role: s.role, department: s.department ?? '*' }] : ([] as Profile[])));
  }
  return null; // automatic or anyone
};

const guardAdmits = (g: Guard | undefined, p: Profile): boolean => {
  if (!g) return true;
  if (g.roles && !g.roles.includes(p.role)) return false;
  if (g.departments && (p.department === '*' || !g.departments.includes(p.department))) return false;
  return true;
};
/** Whether a guard could admit somebody of this profile (a `*` department could be any). */
const guardCouldAdmit = (g: Guard | undefined, p: Profile): boolean =>
  !g || ((!g.roles || g.roles.includes(p.role)) && (!g.departments || p.department === '*' || g.departments.includes(p.department)));

const requiredOutcomes = (s: Step): Outcome[] =>
  s.kind === 'end' ? [] : s.kind === 'opinion' ? ['completed'] : s.kind === 'wait_for_citizen' ? ['replied'] : [STEP_OUTCOMES[s.kind][0]];

/** Transitions a step leaves through for an outcome (timed_out falls back on completed / replied). */
export const transitionsFor = (s: Step, outcome: Outcome): readonly Transition[] => {
  const all = (s.transitions ?? []) as Transition[];
  const own = all.filter((t) => t.on === outcome);
  if (own.length > 0 || outcome !== 'timed_out') return own;
  return all.filter((t) => t.on === (s.kind === 'opinion' ? 'completed' : 'replied'));
};

const conditionCategories = (c: Condition, out: { value: unknown; path: (string | number)[] }[], path: (string | number)[]): void => {
  if ('all' in c) c.all.forEach((x, i) => conditionCategories(x, out, [...path, 'all', i]));
  else if ('any' in c) c.any.forEach((x, i) => conditionCategories(x, out, [...path, 'any', i]));
  else if ('not' in c) conditionCategories(c.not, out, [...path, 'not']);
  else if (c.field === 'category' && c.value !== undefined) out.push({ value: c.value, path: [...path, 'value'] });
};

const fmt = (path: readonly (string | number)[]): string =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');

export function analyseDefinition(def: WorkflowDefinition, context: AnalysisContext = {}): AnalysisResult {
  const problems: AnalysisProblem[] = [];
  const err = (path: (string | number)[], code: ProblemCode, message: string) =>
    problems.push({ path: fmt(path), code, message, severity: 'error' });
  const warn = (path: (string | number)[], code: ProblemCode, message: string) =>
    problems.push({ path: fmt(path), code, message, severity: 'warning' });
  const steps = def.steps;
  const ids = Object.keys(steps);
  const exists = (id: string) => Object.prototype.hasOwnProperty.call(steps, id);

  if (!exists(def.initial)) err(['initial'], 'unknown_step', `l’étape initiale « ${def.initial} » n’existe pas`);
  if (!ids.some((id) => steps[id]!.kind === 'end'))
    err(['steps'], 'no_end', 'aucune étape de fin (kind: end) : le circuit ne pourrait jamais se terminer');

  // ------------------------------------------------------------ graph
  const edges = new Map<string, Set<string>>(ids.map((id) => [id, new Set<string>()]));
  for (const id of ids) {
    const s = steps[id]!;
    (s.transitions ?? []).forEach((t, i) => {
      if (!exists(t.to)) err(['steps', id, 'transitions', i, 'to'], 'unknown_step', `l’étape « ${t.to} » n’existe pas`);
      else edges.get(id)!.add(t.to);
    });
  }
  const forward = (from: string): Set<string> => {
    const seen = new Set<string>([from]);
    const stack = [from];
    while (stack.length)
      for (const n of edges.get(stack.pop()!) ?? [])
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
    return seen;
  };
  // rejection edges: to rejectTo, or back to every draft step that can reach the approval
  const draftIds = ids.filter((id) => steps[id]!.kind === 'draft');
  const reachFromDraft = new Map(draftIds.map((d) => [d, forward(d)]));
  for (const id of ids) {
    const s = steps[id]!;
    if (s.kind !== 'approval') continue;
    if (s.rejectTo !== undefined) {
      if (!exists(s.rejectTo)) err(['steps', id, 'rejectTo'], 'unknown_step', `l’étape « ${s.rejectTo} » n’existe pas`);
      else if (steps[s.rejectTo]!.kind !== 'draft')
        err(
          ['steps', id, 'rejectTo'],
          'reject_not_draft',
          `un refus renvoie à une étape de rédaction (draft), pas à « ${s.rejectTo} » (${steps[s.rejectTo]!.kind})`,
        );
      else edges.get(id)!.add(s.rejectTo);
    } else {
      const back = draftIds.filter((d) => reachFromDraft.get(d)!.has(id));
      if (back.length === 0)
        err(
          ['steps', id, 'rejectTo'],
          'no_draft_to_reject_to',
          'aucune étape de rédaction ne précède cette approbation : indiquer rejectTo',
        );
      for (const d of back) edges.get(id)!.add(d);
    }
  }

  // ------------------------------------------------------------ per-step checks
  for (const id of ids) {
    const s = steps[id]!;
    const at = ['steps', id];
    if (s.kind === 'end') {
      if (s.sendReply === true && draftIds.length === 0)
        warn([...at, 'sendReply'], 'reply_without_draft', 'aucune étape de rédaction : il n’y aura pas de réponse à envoyer');
      continue;
    }
    const transitions = (s.transitions ?? []) as Transition[];
    const profiles = profilesOf(s);
    for (const outcome of requiredOutcomes(s))
      if (!transitions.some((t) => t.on === outcome))
        err([...at, 'transitions'], 'dead_end', `aucune transition « on: ${outcome} » : l’étape ne pourrait pas être quittée`);
    if (s.kind === 'wait_for_citizen' && s.timeoutMinutes === undefined)
      transitions.forEach((t, i) => {
        if (t.on === 'timed_out')
          warn([...at, 'transitions', i], 'unused_transition', 'transition timed_out sans délai (timeoutMinutes) : jamais empruntée');
      });

    const outcomes = [...new Set(transitions.map((t) => t.on))];
    for (const outcome of outcomes) {
      const list = transitions.map((t, i) => ({ t, i })).filter(({ t }) => t.on === outcome);
      const actorOutcome = ACTOR_OUTCOMES.includes(outcome);
      let closedAt = -1;
      for (const { t, i } of list) {
        if (closedAt >= 0)
          warn(
            [...at, 'transitions', i],
            'shadowed_transition',
            `transition jamais empruntée : la transition ${closedAt} s’applique toujours avant elle`,
          );
        if (!actorOutcome && (t.guard?.roles || t.guard?.departments))
          err(
            [...at, 'transitions', i, 'guard'],
            'guard_on_automatic_outcome',
            `l’issue « ${outcome} » n’est pas décidée par une personne : seule une condition (when) est possible`,
          );
        if (actorOutcome && profiles && profiles.length > 0 && !profiles.some((p) => guardCouldAdmit(t.guard, p)))
          err(
            [...at, 'transitions', i, 'guard'],
            'transition_without_actor',
            'aucun acteur possible de cette étape ne satisfait cette garde (rôle ou service)',
          );
        if (!t.guard) closedAt = closedAt >= 0 ? closedAt : i;
      }
      if (!list.some(({ t }) => !t.guard?.when))
        err(
          [...at, 'transitions'],
          'no_fallback',
          `toutes les transitions « ${outcome} » sont conditionnelles : ajouter une transition sans condition (when) en dernier, sinon le ticket peut rester bloqué`,
        );
      else if (actorOutcome && profiles)
        for (const p of profiles)
          if (!list.some(({ t }) => !t.guard?.when && guardAdmits(t.guard, p)))
            err(
              [...at, 'transitions'],
              'no_transition_for_actor',
              `un acteur de rôle ${p.role}${p.department === '*' ? '' : ` (service ${p.department})`} pourrait agir sur cette étape sans qu’aucune transition « ${outcome} » ne l’accepte`,
            );
    }
    if (s.kind === 'approval') checkApproval(s, at, warn);
    if (s.kind === 'opinion') {
      const seen = new Set<string>();
      s.departments.forEach((d, i) => {
        if (seen.has(d)) err([...at, 'departments', i], 'duplicate_department', `le service « ${d} » est consulté deux fois`);
        seen.add(d);
      });
    }
  }

  // ------------------------------------------------------------ reachability and exits
  if (exists(def.initial)) {
    const reachable = forward(def.initial);
    for (const id of ids)
      if (!reachable.has(id)) err(['steps', id], 'unreachable', `étape inaccessible depuis l’étape initiale « ${def.initial} »`);
    const reverse = new Map<string, string[]>(ids.map((id) => [id, []]));
    for (const [from, tos] of edges) for (const to of tos) reverse.get(to)!.push(from);
    const canEnd = new Set(ids.filter((id) => steps[id]!.kind === 'end'));
    const stack = [...canEnd];
    while (stack.length)
      for (const p of reverse.get(stack.pop()!)!)
        if (!canEnd.has(p)) {
          canEnd.add(p);
          stack.push(p);
        }
    for (const id of ids) {
      if (!reachable.has(id) || canEnd.has(id) || steps[id]!.kind === 'end') continue;
      if (edges.get(id)!.size === 0) {
        if (!problems.some((p) => p.code === 'dead_end' && p.path === `steps.${id}.transitions`))
          err(['steps', id], 'dead_end', 'étape sans issue : aucune fin n’est atteignable');
      } else err(['steps', id], 'cycle_without_exit', 'cette étape mène à un cycle sans sortie : aucune fin n’est atteignable');
    }
  }
  // loops made only of automatic steps (notify) would never stop
  const auto = ids.filter((id) => steps[id]!.kind === 'notify');
  const onStack = new Set<string>();
  const done = new Set<string>();
  const reported = new Set<string>();
  const visit = (id: string): void => {
    onStack.add(id);
    for (const n of edges.get(id)!) {
      if (steps[n]?.kind !== 'notify') continue;
      if (onStack.has(n)) {
        if (!reported.has(n)) {
          reported.add(n);
          err(['steps', n], 'automatic_loop', 'boucle d’étapes automatiques (notify) : le circuit tournerait sans fin');
        }
      } else if (!done.has(n)) visit(n);
    }
    onStack.delete(id);
    done.add(id);
  };
  for (const id of auto) if (!done.has(id)) visit(id);

  checkSelfApprovalDeadlocks(def, err);

  // ------------------------------------------------------------ references to the town's data
  if (context.departments) checkDepartments(def, new Set(context.departments), err);
  if (context.categories) {
    const known = new Set(context.categories);
    (def.appliesTo?.categories ?? []).forEach((c, i) => {
      if (!known.has(c)) err(['appliesTo', 'categories', i], 'unknown_category', `catégorie inconnue « ${c} »`);
    });
    for (const id of ids)
      ((steps[id]!.transitions ?? []) as Transition[]).forEach((t, i) => {
        if (!t.guard?.when) return;
        const found: { value: unknown; path: (string | number)[] }[] = [];
        conditionCategories(t.guard.when, found, ['steps', id, 'transitions', i, 'guard', 'when']);
        for (const f of found)
          for (const [j, v] of (Array.isArray(f.value) ? f.value : [f.value]).entries())
            if (typeof v === 'string' && !known.has(v))
              err(Array.isArray(f.value) ? [...f.path, j] : f.path, 'unknown_category', `catégorie inconnue « ${v} »`);
      });
  }
  if (context.agents) {
    const known = new Set(context.agents);
    forEachRecipient(def, (r, path) => {
      if (r.kind === 'agent' && r.agentId !== undefined && !known.has(r.agentId))
        err([...path, 'agentId'], 'unknown_agent', `agent inconnu « ${r.agentId} »`);
    });
    for (const id of ids) {
      const s = steps[id]!;
      if (s.kind === 'approval')
        s.approvers.forEach((a, i) => {
          if (a.agentId && !known.has(a.agentId))
            err(['steps', id, 'approvers', i, 'agentId'], 'unknown_agent', `agent inconnu « ${a.agentId} »`);
        });
    }
  }
  return { ok: !problems.some((p) => p.severity === 'error'), problems };
}

function checkApproval(s: ApprovalStep, at: (string | number)[], warn: (p: (string | number)[], c: ProblemCode, m: string) => void) {
  if (s.mode !== 'one' && s.approvers.length === 1)
    warn([...at, 'mode'], 'single_approver_group', `mode ${s.mode} avec un seul approbateur : équivaut au mode one`);
}

type Push = (path: (string | number)[], code: ProblemCode, message: string) => void;

/**
 * A department with a single head is common in a town hall: if a head of D writes the draft and the
 * approval that follows can only be given by "a head of D" (every slot of a one/any step, or one slot
 * of an all step), the only eligible approver may be the author, who may not approve (four eyes) —
 * the ticket is stuck until someone cancels. For every writer profile of every draft step, follow the
 * transitions that profile can take (through automatic notify steps) to the approvals it reaches.
 */
function checkSelfApprovalDeadlocks(def: WorkflowDefinition, err: Push): void {
  const steps = def.steps;
  const reported = new Set<string>();
  // `*` (writers of any department) may be of the slot's; `$ticket` and named codes match themselves
  const sameDepartment = (writer: string, slot: string) => writer === '*' || writer === slot;
  for (const [draftId, draft] of Object.entries(steps)) {
    if (draft.kind !== 'draft') continue;
    const deps = draft.writers.departments?.length ? draft.writers.departments : ['*'];
    for (const role of draft.writers.roles)
      for (const department of deps) {
        const p: Profile = { role, department };
        // steps reached by this writer's submission: [stepId, route]
        const queue: Array<{ id: string; route: string[]; outcome: Outcome }> = [{ id: draftId, route: [draftId], outcome: 'submitted' }];
        const seen = new Set<string>();
        while (queue.length) {
          const { id, route, outcome } = queue.shift()!;
          if (seen.has(id)) continue;
          seen.add(id);
          for (const t of (steps[id]!.transitions ?? []) as Transition[]) {
            if (t.on !== outcome) continue;
            if (outcome === 'submitted' && !guardCouldAdmit(t.guard, p)) continue;
            const next = steps[t.to];
            if (next?.kind === 'notify') queue.push({ id: t.to, route: [...route, t.to], outcome: 'done' });
            else if (next?.kind === 'approval' && !next.allowSelfApproval) {
              const only = next.approvers
                .map((s, i) => ({ s, i }))
                .filter(
                  ({ s }) =>
                    s.role === role && s.agentId === undefined && s.department !== undefined && sameDepartment(department, s.department),
                );
              const stuck = next.mode === 'all' ? only.length > 0 : only.length === next.approvers.length;
              const path = ['steps', t.to, 'approvers', only[0]?.i ?? 0];
              if (stuck && !reported.has(fmt(path))) {
                reported.add(fmt(path));
                err(
                  path,
                  'self_approval_deadlock',
                  `blocage possible (${[...route, t.to].join(' → ')}) : un ${role}${department === '*' ? '' : ` du service ${department}`} qui rédige à l’étape « ${draftId} » serait le seul approbateur possible de « ${t.to} » dans un service à un seul ${role}, et l’auteur ne peut pas approuver : ajouter une transition gardée (guard.roles) qui l’envoie ailleurs, un autre approbateur, ou allowSelfApproval`,
                );
              }
            }
            // a guard without condition that admits this writer is always taken: the later ones are not
            if (!t.guard?.when && (outcome !== 'submitted' || guardAdmits(t.guard, p))) break;
          }
        }
      }
  }
}

type LooseRecipient = { kind: string; department?: string; agentId?: string };
function forEachRecipient(def: WorkflowDefinition, f: (r: LooseRecipient, path: (string | number)[]) => void) {
  for (const [id, s] of Object.entries(def.steps)) {
    (s.onEnter ?? []).forEach((a, i) => {
      if (a.type !== 'set_priority') f(a.to as LooseRecipient, ['steps', id, 'onEnter', i, 'to']);
    });
    if (s.kind !== 'end') (s.escalateTo ?? []).forEach((r, i) => f(r as LooseRecipient, ['steps', id, 'escalateTo', i]));
    if (s.kind === 'notify') s.to.forEach((r, i) => f(r as LooseRecipient, ['steps', id, 'to', i]));
  }
}

function checkDepartments(def: WorkflowDefinition, known: Set<string>, err: Push) {
  const check = (d: string | undefined, path: (string | number)[]) => {
    if (d !== undefined && d !== TICKET_DEPARTMENT && !known.has(d)) err(path, 'unknown_department', `service inconnu « ${d} »`);
  };
  (def.appliesTo?.departments ?? []).forEach((d, i) => check(d, ['appliesTo', 'departments', i]));
  (def.cancel?.departments ?? []).forEach((d, i) => check(d, ['cancel', 'departments', i]));
  forEachRecipient(def, (r, path) => check(r.department, [...path, 'department']));
  for (const [id, s] of Object.entries(def.steps)) {
    const at = ['steps', id];
    ((s.transitions ?? []) as Transition[]).forEach((t, i) =>
      (t.guard?.departments ?? []).forEach((d, j) => check(d, [...at, 'transitions', i, 'guard', 'departments', j])),
    );
    if (s.kind === 'draft') (s.writers.departments ?? []).forEach((d, i) => check(d, [...at, 'writers', 'departments', i]));
    if (s.kind === 'approval') s.approvers.forEach((a, i) => check(a.department, [...at, 'approvers', i, 'department']));
    if (s.kind === 'opinion') s.departments.forEach((d, i) => check(d, [...at, 'departments', i]));
  }
}
