import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { CHANNELS, PRIORITIES, SLA_UNITS, type Category, type SlaPolicyDto, type SlaUnit } from '@grc/domain';
import type { Observable } from 'rxjs';
import type { MsgKey } from '../../core/i18n';
import { rowKey } from './calendar-form';
import { ACTION_KEYS, importedPolicy, policyBody, policyForm, policyProblems, type ActionKey, type PolicyForm } from './policy-form';
import { SLA_FORM_ERRORS, SlaErrors } from './sla-form-errors';
import { SlaEditorBase } from './sla-editor-base';
import { SlaJsonIo } from './sla-json-io';
import { sortByText } from '../../shared/collate';

/** A workflow step a per-step target can name (from the published circuits). */
export interface StepChoice {
  id: string;
  label: string;
}

const ACTION_LABEL: Record<ActionKey, MsgKey> = {
  'notify:assignee': 'slaAdmin.action.notifyAssignee',
  'notify:head': 'slaAdmin.action.notifyHead',
  'notify:department': 'slaAdmin.action.notifyDepartment',
  mark_breached: 'slaAdmin.action.markBreached',
  reassign_to_queue: 'slaAdmin.action.reassign',
  raise_priority: 'slaAdmin.action.raisePriority',
};

/**
 * One SLA policy as a form: name and state, what it applies to (categories, priorities, channels),
 * its targets (first response, resolution, per workflow step: amount and unit) and its escalation
 * ladder (a percentage of the target and the actions run then). 409 on a stale version: offers to reload.
 */
@Component({
  selector: 'grc-sla-policy-editor',
  imports: [...SLA_FORM_ERRORS, SlaJsonIo],
  providers: [SlaErrors],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styleUrl: './sla-editor.css',
  templateUrl: './policy-editor.html',
})
export class PolicyEditor extends SlaEditorBase<SlaPolicyDto> {
  /** the policy edited, or null for a new one */
  readonly policy = input<SlaPolicyDto | null>(null);
  readonly categories = input<readonly Category[]>([]);
  readonly stepChoices = input<readonly StepChoice[]>([]);

  protected readonly priorities = PRIORITIES;
  protected readonly channels = CHANNELS;
  protected readonly units = SLA_UNITS;
  protected readonly actionKeys = ACTION_KEYS;
  protected readonly actionLabel = ACTION_LABEL;
  protected readonly targetKeys = ['firstResponse', 'resolution'] as const;
  protected readonly draft = signal<PolicyForm>(policyForm({ id: '', name: '' }));
  protected readonly body = computed(() => policyBody(this.draft()));
  /** recompute the requests already running under this policy (off: the change applies to new requests) */
  protected readonly applyToOpen = signal(false);
  protected readonly sortedCategories = computed(() => {
    const name = this.i18n.categoryName;
    return sortByText(this.categories(), name, this.i18n.lang());
  });

  constructor() {
    super();
    const host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
    effect(() => {
      const p = this.policy();
      untracked(() => {
        this.draft.set(p ? policyForm(p) : this.blank());
        this.errors.clear();
      });
    });
    afterNextRender(() => host.querySelector<HTMLElement>('#pol-h')?.focus());
  }

  private blank(): PolicyForm {
    return policyForm({
      id: '',
      name: '',
      active: true,
      match: {},
      targets: { firstResponse: { amount: 2, unit: 'working_days' }, resolution: { amount: 10, unit: 'working_days' } },
      ladder: [
        { atPercent: 75, actions: [{ type: 'notify', to: 'assignee' }] },
        { atPercent: 100, actions: [{ type: 'notify', to: 'head' }, { type: 'mark_breached' }] },
      ],
    });
  }

  protected unitName(u: SlaUnit): string {
    return this.t(`slaAdmin.unit.${u}` as MsgKey);
  }
  protected groupError(path: string): boolean {
    return this.errors.messages([path], true).length > 0;
  }
  protected value(e: Event): string {
    return (e.target as HTMLInputElement).value;
  }
  protected checked(e: Event): boolean {
    return (e.target as HTMLInputElement).checked;
  }

  /** Edits the draft in place and publishes it; `structural` changes (rows added or removed) clear the errors, whose paths hold indexes. */
  private edit(fn: (f: PolicyForm) => void, structural = false): void {
    const f = this.draft();
    fn(f);
    this.draft.set({ ...f });
    if (structural) this.errors.clear();
  }
  protected set<K extends 'id' | 'name' | 'active'>(key: K, v: PolicyForm[K]): void {
    this.edit((f) => (f[key] = v));
  }
  protected toggle(key: 'categoryCodes' | 'priorities' | 'channels', v: string, on: boolean): void {
    this.edit((f) => {
      const list = f[key] as string[];
      const next = on ? (list.includes(v) ? list : [...list, v]) : list.filter((x) => x !== v);
      (f as unknown as Record<typeof key, string[]>)[key] = next;
    });
  }
  protected setTarget(tk: 'firstResponse' | 'resolution', key: 'amount' | 'unit', v: string): void {
    this.edit((f) => (key === 'unit' ? (f[tk].unit = v as SlaUnit) : (f[tk].amount = v)));
  }
  protected setStep(j: number, key: 'stepId' | 'amount' | 'unit', v: string): void {
    this.edit((f) => (key === 'unit' ? (f.steps[j].unit = v as SlaUnit) : (f.steps[j][key] = v)));
  }
  protected addStep(): void {
    this.edit((f) => (f.steps = [...f.steps, { key: rowKey(), stepId: '', amount: '', unit: 'working_days' }]), true);
    this.focusLater(`#pol-st-${this.draft().steps.length - 1}-id`);
  }
  protected removeStep(j: number): void {
    this.edit((f) => (f.steps = f.steps.filter((_, k) => k !== j)), true);
    this.focusLater(this.draft().steps.length ? `#pol-st-${Math.min(j, this.draft().steps.length - 1)}-id` : '#pol-add-step');
  }
  protected setPercent(i: number, v: string): void {
    this.edit((f) => (f.ladder[i].atPercent = v));
  }
  protected toggleAction(i: number, a: ActionKey, on: boolean): void {
    this.edit((f) => {
      const l = f.ladder[i];
      l.actions = on ? (l.actions.includes(a) ? l.actions : [...l.actions, a]) : l.actions.filter((x) => x !== a);
    });
  }
  protected addLadderStep(): void {
    this.edit((f) => {
      const last = Number(f.ladder[f.ladder.length - 1]?.atPercent);
      f.ladder = [...f.ladder, { key: rowKey(), atPercent: Number.isFinite(last) && last > 0 ? String(last + 25) : '100', actions: [] }];
    }, true);
    this.focusLater(`#pol-ld-${this.draft().ladder.length - 1}-pct`);
  }
  protected removeLadderStep(i: number): void {
    this.edit((f) => (f.ladder = f.ladder.filter((_, k) => k !== i)), true);
    this.focusLater(this.draft().ladder.length ? `#pol-ld-${Math.min(i, this.draft().ladder.length - 1)}-pct` : '#pol-add-ladder');
  }

  protected import(doc: unknown, accept: (ok: boolean) => void): void {
    const f = importedPolicy(doc, this.draft(), !this.policy());
    if (f) {
      this.draft.set(f);
      this.errors.clear();
    }
    accept(!!f);
  }

  protected save(): void {
    const current = this.policy();
    const local = policyProblems(this.draft(), !current, (k) => this.t(k));
    const body = this.body();
    const apply = this.applyToOpen() ? { applyToOpen: true } : {};
    this.submit(local, (): Observable<SlaPolicyDto> =>
      current
        ? this.api.put<SlaPolicyDto>(`/sla/policies/${current.id}`, { ...body, id: current.id, version: current.version, ...apply })
        : this.api.post<SlaPolicyDto>('/sla/policies', body),
    );
  }

  protected override savedNotice(saved: SlaPolicyDto): string {
    this.applyToOpen.set(false);
    const base = super.savedNotice(saved);
    return saved.reappliedTo === undefined ? base : `${base} ${this.t('slaAdmin.reapplied', { count: saved.reappliedTo })}`;
  }

  /** After a 409: the version stored now replaces the draft. */
  protected reload(): void {
    this.reloadFrom('/sla/policies', this.policy()?.id, '#pol-h');
  }
}
