import { ChangeDetectionStrategy, Component, computed, inject, input, model, signal } from '@angular/core';
import type { Category, Department, WorkflowDefinitionProblem } from '@grc/domain';
import {
  ACTOR_OUTCOMES,
  CONDITION_FIELDS,
  FIXED_FIELD_VALUES,
  ROW_OPS,
  STEP_ID_PATTERN,
  STEP_KINDS,
  STEP_OUTCOMES,
  TICKET_DEPARTMENT,
  WORKFLOW_ROLES,
  addStep,
  conditionToForm,
  formToCondition,
  freeStepId,
  moveStep,
  newStep,
  removeStep,
  renameStep,
  replaceStep,
  stepOfPath,
  type ApproverSlot,
  type ConditionField,
  type ConditionForm,
  type ConditionRow,
  type Guard,
  type Outcome,
  type Recipient,
  type RowOp,
  type Step,
  type StepKind,
  type Transition,
  type WorkflowDefinition,
  type WorkflowRole,
} from '@grc/workflows';
import { I18n, type MsgKey } from '../../core/i18n';
import { AgentPicker, type PickerOption } from '../../shared/agent-picker';
import { CircuitGraphView } from './circuit-graph-view';
import { circuitProblemText } from './circuit-problems-i18n';

type AnyStep = Step & Record<string, unknown>;
const END_OUTCOMES = ['reply_sent', 'decision', 'closed', 'abandoned'] as const;

/**
 * The circuit editor without YAML: the graph, a form per step (who drafts, who approves — one, any
 * of, all of —, opinions with their departments and due times, notifications, waits) and its
 * transitions with conditions picked from lists. It edits the definition object itself through the
 * editor model of @grc/workflows, so that saving it is saving what the YAML would say.
 */
@Component({
  selector: 'grc-circuit-editor',
  imports: [CircuitGraphView, AgentPicker],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './circuit-editor.html',
  styles: `
    .ce-layout { display: grid; gap: 1rem; }
    .ce-step { border: 1px solid #d0d0d0; border-radius: 4px; padding: 0.75rem 1rem; background: #fff; }
    .ce-row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: flex-end; margin: 0.4rem 0; }
    .ce-row .field { margin: 0; }
    .ce-box { border: 1px solid #e0e0e0; border-radius: 4px; padding: 0.5rem 0.75rem; margin: 0.5rem 0; }
    fieldset { border: 1px solid #e0e0e0; border-radius: 4px; padding: 0.4rem 0.75rem; margin: 0.5rem 0; }
    legend { font-weight: 600; padding: 0 0.25rem; }
    .ce-checks label { margin-right: 1rem; white-space: nowrap; display: inline-block; }
    .ce-errors { color: #b60000; }
    code.ce-json { white-space: pre-wrap; display: block; background: #f5f5f7; padding: 0.25rem 0.5rem; }
  `,
})
export class CircuitEditor {
  readonly definition = model.required<WorkflowDefinition>();
  readonly problems = input<WorkflowDefinitionProblem[]>([]);
  readonly categories = input<Category[]>([]);
  readonly departments = input<Department[]>([]);
  /** steps of the last dry run, highlighted on the graph */
  readonly path = input<string[]>([]);

  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly problemText = (p: WorkflowDefinitionProblem): string => circuitProblemText(p, this.i18n);
  protected readonly kinds = STEP_KINDS;
  protected readonly roles = WORKFLOW_ROLES;
  /** a named agent's picker starts empty: the analysis says "unknown agent" until one is chosen */
  protected readonly choose = computed<PickerOption[]>(() => [{ value: '', label: this.t('ce.chooseAgent') }]);
  protected readonly fields = CONDITION_FIELDS;
  protected readonly ops = ROW_OPS;
  protected readonly endOutcomes = END_OUTCOMES;
  protected readonly TICKET = TICKET_DEPARTMENT;
  protected readonly priorities = FIXED_FIELD_VALUES.priority ?? [];

  protected readonly selected = signal<string | null>(null);
  protected readonly newKind = signal<StepKind>('approval');
  protected readonly newLabel = signal('');
  protected readonly renameError = signal<string | null>(null);

  protected readonly stepIds = computed(() => Object.keys(this.definition().steps));
  protected readonly step = computed<AnyStep | null>(() => {
    const id = this.selected();
    return id && Object.prototype.hasOwnProperty.call(this.definition().steps, id) ? (this.definition().steps[id] as AnyStep) : null;
  });
  protected readonly stepProblems = computed(() => this.problems().filter((p) => stepOfPath(p.path) === this.selected()));
  protected readonly draftIds = computed(() => this.stepIds().filter((id) => this.definition().steps[id]!.kind === 'draft'));

  // ---------------------------------------------------------------- helpers for the template
  protected val(e: Event): string {
    return (e.target as HTMLInputElement | HTMLSelectElement).value;
  }
  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }
  protected selectedValues(e: Event): string[] {
    return Array.from((e.target as HTMLSelectElement).selectedOptions, (o) => o.value);
  }
  protected tx(key: string, params?: Record<string, string | number>): string {
    return this.t(key as MsgKey, params);
  }
  protected str(v: unknown): string {
    return typeof v === 'string' ? v : '';
  }
  protected kindName(k: string): string {
    return this.t(`wf.kind.${k}` as MsgKey);
  }
  protected roleName(r: string): string {
    return this.t(`role.${r}` as MsgKey);
  }
  protected outcomeName(o: string): string {
    return this.t(`ce.on.${o}` as MsgKey);
  }
  protected labelOf(id: string): string {
    return this.definition().steps[id]?.label ?? id;
  }
  protected departmentName(code: string): string {
    if (code === TICKET_DEPARTMENT) return this.t('ce.ticketDepartment');
    return this.departments().find((d) => d.code === code)?.name ?? code;
  }
  protected outcomesOf(kind: StepKind): readonly string[] {
    return STEP_OUTCOMES[kind];
  }
  protected isActorOutcome(on: string): boolean {
    return ACTOR_OUTCOMES.includes(on as Outcome);
  }
  protected hours(minutes: unknown): string {
    return typeof minutes === 'number' ? String(Math.round((minutes / 60) * 100) / 100) : '';
  }
  private minutes(v: string): number | undefined {
    const n = Number(v.replace(',', '.'));
    return v.trim() === '' || !Number.isFinite(n) || n <= 0 ? undefined : Math.round(n * 60);
  }
  protected fieldValues(field: ConditionField): Array<{ value: string; name: string }> {
    if (field === 'category') return this.categories().map((c) => ({ value: c.code, name: this.i18n.categoryName(c) }));
    if (field === 'department') return this.departments().map((d) => ({ value: d.code, name: d.name }));
    return (FIXED_FIELD_VALUES[field] ?? []).map((v) => ({ value: v, name: this.t(`${field}.${v}` as MsgKey) }));
  }
  protected form(t: Transition): ConditionForm | null {
    return conditionToForm(t.guard?.when);
  }
  protected json(v: unknown): string {
    return JSON.stringify(v);
  }
  protected transitions(s: AnyStep): Transition[] {
    return (s.transitions as Transition[] | undefined) ?? [];
  }
  protected list<T>(v: unknown): T[] {
    return (Array.isArray(v) ? v : []) as T[];
  }

  // ---------------------------------------------------------------- steps
  /** Opens a step's form (from the graph, the list, or after adding it) and moves the focus to it. */
  openStep(id: string): void {
    this.selected.set(id);
    this.renameError.set(null);
    setTimeout(() => document.getElementById('ce-step-h')?.focus());
  }

  protected add(): void {
    const def = this.definition();
    const kind = this.newKind();
    const label = this.newLabel().trim() || this.kindName(kind);
    const id = freeStepId(def, label);
    this.definition.set(addStep(def, id, newStep(kind, label)));
    this.newLabel.set('');
    this.openStep(id);
  }

  private patch(changes: Record<string, unknown>, remove: string[] = []): void {
    const id = this.selected();
    const s = this.step();
    if (!id || !s) return;
    const next: Record<string, unknown> = { ...s, ...changes };
    for (const k of remove) delete next[k];
    for (const [k, v] of Object.entries(changes)) if (v === undefined) delete next[k];
    this.definition.set(replaceStep(this.definition(), id, next as Step));
  }

  protected rename(to: string): void {
    const from = this.selected();
    if (!from || to === from) return;
    if (!STEP_ID_PATTERN.test(to)) return this.renameError.set(this.t('ce.idInvalid'));
    if (this.stepIds().includes(to)) return this.renameError.set(this.t('ce.idTaken'));
    this.renameError.set(null);
    this.definition.set(renameStep(this.definition(), from, to));
    this.selected.set(to);
  }

  protected setLabel(v: string): void {
    this.patch({ label: v.trim() === '' ? undefined : v });
  }
  protected setInitial(): void {
    const id = this.selected();
    if (id) this.definition.set({ ...this.definition(), initial: id });
  }
  protected move(delta: -1 | 1): void {
    const id = this.selected();
    if (id) this.definition.set(moveStep(this.definition(), id, delta));
  }
  protected remove(): void {
    const id = this.selected();
    if (!id) return;
    this.definition.set(removeStep(this.definition(), id));
    this.selected.set(null);
    setTimeout(() => document.getElementById('ce-steps-h')?.focus());
  }
  protected setSla(v: string): void {
    this.patch({ slaMinutes: this.minutes(v) });
  }

  /** Adds or removes a value of a list property (roles, departments). */
  protected toggle(list: readonly string[] | undefined, value: string, on: boolean): string[] {
    const cur = [...(list ?? [])];
    return on ? (cur.includes(value) ? cur : [...cur, value]) : cur.filter((x) => x !== value);
  }

  /** The priority a `set_priority` entry action gives, or '' (other entry actions are kept as they are). */
  protected entryPriority(s: AnyStep): string {
    const a = this.list<{ type: string; priority?: string }>(s['onEnter']).find((x) => x.type === 'set_priority');
    return a?.priority ?? '';
  }
  protected setEntryPriority(v: string): void {
    const list = this.list<{ type: string; priority?: string }>(this.step()!['onEnter']);
    const i = list.findIndex((x) => x.type === 'set_priority');
    const next = [...list];
    if (v === '') {
      if (i >= 0) next.splice(i, 1);
    } else if (i >= 0) next[i] = { ...next[i]!, priority: v };
    else next.push({ type: 'set_priority', priority: v });
    this.patch({ onEnter: next.length ? next : undefined });
  }

  // draft
  protected writers(s: AnyStep): { roles: string[]; departments?: string[] } {
    return s['writers'] as { roles: string[]; departments?: string[] };
  }
  protected setWriterRole(role: string, on: boolean): void {
    const w = this.writers(this.step()!);
    this.patch({ writers: { ...w, roles: this.toggle(w.roles, role, on) } });
  }
  protected setWriterDepartment(code: string, on: boolean): void {
    const w = this.writers(this.step()!);
    const departments = this.toggle(w.departments, code, on);
    const next: Record<string, unknown> = { ...w, departments };
    if (departments.length === 0) delete next['departments'];
    this.patch({ writers: next });
  }

  // approval
  protected approvers(s: AnyStep): ApproverSlot[] {
    return s['approvers'] as ApproverSlot[];
  }
  protected setMode(mode: string): void {
    this.patch({ mode });
  }
  protected setApprover(i: number, changes: Partial<ApproverSlot>): void {
    const list = [...this.approvers(this.step()!)];
    const slot: Record<string, unknown> = { ...list[i], ...changes };
    for (const [k, v] of Object.entries(changes)) if (v === undefined || v === '') delete slot[k];
    list[i] = slot as ApproverSlot;
    this.patch({ approvers: list });
  }
  /** An approver is a role in a department, or an agent named by the agent picker (searchable, never a raw id). */
  protected setApproverKind(i: number, kind: string): void {
    const list = [...this.approvers(this.step()!)];
    list[i] = (kind === 'agent' ? { agentId: '' } : { role: 'head', department: TICKET_DEPARTMENT }) as ApproverSlot;
    this.patch({ approvers: list });
  }
  protected addApprover(): void {
    this.patch({ approvers: [...this.approvers(this.step()!), { role: 'head', department: TICKET_DEPARTMENT }] });
  }
  protected removeApprover(i: number): void {
    this.patch({ approvers: this.approvers(this.step()!).filter((_, j) => j !== i) });
  }
  protected setFlag(key: 'allowEditAndApprove' | 'allowSelfApproval', on: boolean): void {
    this.patch({ [key]: on ? true : undefined });
  }
  protected setRejectTo(v: string): void {
    this.patch({ rejectTo: v === '' ? undefined : v });
  }

  // opinion
  protected setOpinionDepartment(code: string, on: boolean): void {
    this.patch({ departments: this.toggle(this.step()!['departments'] as string[], code, on) });
  }
  protected setRespondent(role: string, on: boolean): void {
    const r = this.toggle(this.step()!['respondents'] as string[] | undefined, role, on);
    this.patch({ respondents: r.length ? r : undefined });
  }
  protected setDue(v: string): void {
    const m = this.minutes(v);
    if (m !== undefined) this.patch({ dueInMinutes: m });
  }
  protected setWaitTimeout(v: string): void {
    this.patch({ timeoutMinutes: this.minutes(v) });
  }
  protected setText(key: 'template' | 'outcome', v: string): void {
    this.patch({ [key]: v.trim() === '' ? undefined : v.trim() });
  }

  // notify recipients
  protected recipients(s: AnyStep): Recipient[] {
    return s['to'] as Recipient[];
  }
  protected setRecipientKind(i: number, kind: string): void {
    const list = [...this.recipients(this.step()!)];
    list[i] = (
      kind === 'role'
        ? { kind, role: 'head', department: TICKET_DEPARTMENT }
        : kind === 'department'
          ? { kind, department: TICKET_DEPARTMENT }
          : { kind }
    ) as Recipient;
    this.patch({ to: list });
  }
  protected setRecipient(i: number, changes: Record<string, string | undefined>): void {
    const list = [...this.recipients(this.step()!)];
    const r: Record<string, unknown> = { ...list[i], ...changes };
    for (const [k, v] of Object.entries(changes)) if (v === undefined || v === '') delete r[k];
    list[i] = r as Recipient;
    this.patch({ to: list });
  }
  protected addRecipient(): void {
    this.patch({ to: [...this.recipients(this.step()!), { kind: 'draft_author' }] });
  }
  protected removeRecipient(i: number): void {
    this.patch({ to: this.recipients(this.step()!).filter((_, j) => j !== i) });
  }

  // ---------------------------------------------------------------- transitions
  private setTransitionsOf(list: Transition[]): void {
    this.patch({ transitions: list });
  }
  protected addTransition(): void {
    const s = this.step()!;
    const on = STEP_OUTCOMES[s.kind][0];
    const to = this.stepIds().find((id) => id !== this.selected()) ?? this.selected()!;
    if (on) this.setTransitionsOf([...this.transitions(s), { on, to } as Transition]);
  }
  protected setTransition(i: number, changes: Partial<Transition>): void {
    const list = [...this.transitions(this.step()!)];
    list[i] = { ...list[i]!, ...changes };
    this.setTransitionsOf(list);
  }
  protected removeTransition(i: number): void {
    this.setTransitionsOf(this.transitions(this.step()!).filter((_, j) => j !== i));
  }
  protected moveTransition(i: number, delta: -1 | 1): void {
    const list = [...this.transitions(this.step()!)];
    const j = i + delta;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j]!, list[i]!];
    this.setTransitionsOf(list);
  }
  private setGuard(i: number, changes: Partial<Guard>): void {
    const t = this.transitions(this.step()!)[i]!;
    const g: Record<string, unknown> = { ...(t.guard ?? {}), ...changes };
    for (const [k, v] of Object.entries(changes)) if (v === undefined || (Array.isArray(v) && v.length === 0)) delete g[k];
    const next: Record<string, unknown> = { ...t, guard: g };
    if (Object.keys(g).length === 0) delete next['guard'];
    const list = [...this.transitions(this.step()!)];
    list[i] = next as unknown as Transition;
    this.setTransitionsOf(list);
  }
  protected setGuardDepartment(i: number, code: string, on: boolean): void {
    const t = this.transitions(this.step()!)[i]!;
    this.setGuard(i, { departments: this.toggle(t.guard?.departments, code, on) });
  }
  protected setGuardRole(i: number, role: string, on: boolean): void {
    const t = this.transitions(this.step()!)[i]!;
    this.setGuard(i, { roles: this.toggle(t.guard?.roles, role, on) as WorkflowRole[] });
  }
  private setForm(i: number, form: ConditionForm): void {
    this.setGuard(i, { when: formToCondition(form) });
  }
  protected addRow(i: number): void {
    const f = this.form(this.transitions(this.step()!)[i]!)!;
    const first = this.fieldValues('category')[0]?.value ?? '';
    this.setForm(i, { ...f, rows: [...f.rows, { field: 'category', op: 'eq', values: [first] }] });
  }
  protected setMatch(i: number, match: string): void {
    const f = this.form(this.transitions(this.step()!)[i]!)!;
    this.setForm(i, { ...f, match: match === 'any' ? 'any' : 'all' });
  }
  protected setRow(i: number, r: number, changes: Partial<ConditionRow>): void {
    const f = this.form(this.transitions(this.step()!)[i]!)!;
    const rows = [...f.rows];
    let row = { ...rows[r]!, ...changes };
    if (changes.field) row = { ...row, values: [this.fieldValues(changes.field)[0]?.value ?? ''] };
    if (changes.op && (changes.op === 'eq' || changes.op === 'ne')) row = { ...row, values: row.values.slice(0, 1) };
    rows[r] = row;
    this.setForm(i, { ...f, rows });
  }
  protected removeRow(i: number, r: number): void {
    const f = this.form(this.transitions(this.step()!)[i]!)!;
    this.setForm(i, { ...f, rows: f.rows.filter((_, j) => j !== r) });
  }
  protected asField(v: string): ConditionField {
    return v as ConditionField;
  }
  protected asOp(v: string): RowOp {
    return v as RowOp;
  }
  protected asOutcome(v: string): Outcome {
    return v as Outcome;
  }
  protected asRole(v: string): WorkflowRole {
    return v as WorkflowRole;
  }
}
