import {
  ChangeDetectionStrategy, Component, ElementRef, afterNextRender, computed, effect, inject, input, signal, untracked,
} from '@angular/core';
import { CHANNELS, PRIORITIES, SLA_UNITS, type Category, type SlaPolicyDto, type SlaUnit } from '@grc/domain';
import type { Observable } from 'rxjs';
import type { MsgKey } from '../../core/i18n';
import { rowKey } from './calendar-form';
import { ACTION_KEYS, importedPolicy, policyBody, policyForm, policyProblems, type ActionKey, type PolicyForm } from './policy-form';
import { SLA_FORM_ERRORS, SlaErrors } from './sla-form-errors';
import { SlaEditorBase } from './sla-editor-base';
import { SlaJsonIo } from './sla-json-io';
import { SLA_EDITOR_STYLES } from './sla-styles';

/** A workflow step a per-step target can name (from the published circuits). */
export interface StepChoice { id: string; label: string }

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
  styles: SLA_EDITOR_STYLES,
  template: `
    <section class="card sla-editor" aria-labelledby="pol-h" data-testid="policy-editor">
      <h3 id="pol-h" tabindex="-1">{{ policy() ? t('slaAdmin.editPolicy', { name: policy()!.name }) : t('slaAdmin.newPolicy') }}</h3>
      <grc-sla-error-summary idPrefix="pol" (reload)="reload()" />
      @let f = draft();
      <form novalidate (submit)="$event.preventDefault(); save()">
        <div class="grid">
          @if (policy(); as p) {
            <div class="field">
              <span class="field-label">{{ t('slaAdmin.id') }}</span>
              <p class="mono">{{ p.id }}</p>
            </div>
          } @else {
            <div class="field">
              <label for="pol-id">{{ t('slaAdmin.id') }}</label>
              <input id="pol-id" autocomplete="off" spellcheck="false" [value]="f.id" (input)="set('id', value($event))"
                grcSlaField="id" errorId="pol-id-error" hintId="pol-id-hint" />
              <p class="hint" id="pol-id-hint">{{ t('slaAdmin.idHint') }}</p>
              <grc-sla-field-error paths="id" errorId="pol-id-error" />
            </div>
          }
          <div class="field sla-wide">
            <label for="pol-name">{{ t('slaAdmin.name') }}</label>
            <input id="pol-name" autocomplete="off" [value]="f.name" (input)="set('name', value($event))" grcSlaField="name" errorId="pol-name-error" />
            <grc-sla-field-error paths="name" errorId="pol-name-error" />
          </div>
          <div class="field sla-active">
            <div class="check">
              <input type="checkbox" id="pol-active" [checked]="f.active" (change)="set('active', checked($event))" aria-describedby="pol-active-hint" />
              <label for="pol-active">{{ t('slaAdmin.active') }}</label>
            </div>
            <p class="hint" id="pol-active-hint">{{ t('slaAdmin.activeHint') }}</p>
          </div>
        </div>

        <fieldset>
          <legend>{{ t('slaAdmin.match') }}</legend>
          <p class="hint">{{ t('slaAdmin.matchHint') }}</p>
          <fieldset class="sla-checks" [attr.aria-describedby]="groupError('match.categoryCodes') ? 'pol-cat-error' : null">
            <legend>{{ t('slaAdmin.categories') }} <span class="muted">({{ f.categoryCodes.length ? t('slaAdmin.nChecked', { n: f.categoryCodes.length }) : t('slaAdmin.all') }})</span></legend>
            <grc-sla-field-error paths="match.categoryCodes" [nested]="true" errorId="pol-cat-error" />
            <div class="sla-check-grid">
              @for (c of sortedCategories(); track c.id; let first = $first) {
                <div class="check">
                  <input type="checkbox" [id]="'pol-cat-' + c.code" [checked]="f.categoryCodes.includes(c.code)" (change)="toggle('categoryCodes', c.code, checked($event))"
                    [grcSlaAnchor]="first ? 'match.categoryCodes' : []" [summaryLabel]="t('slaAdmin.categories')" />
                  <label [for]="'pol-cat-' + c.code">{{ i18n.categoryName(c) }}@if (!c.active) { <span class="muted"> ({{ t('common.inactive') }})</span> }</label>
                </div>
              }
            </div>
          </fieldset>
          <fieldset class="sla-checks" [attr.aria-describedby]="groupError('match.priorities') ? 'pol-prio-error' : null">
            <legend>{{ t('slaAdmin.priorities') }} <span class="muted">({{ f.priorities.length ? t('slaAdmin.nChecked', { n: f.priorities.length }) : t('slaAdmin.all') }})</span></legend>
            <grc-sla-field-error paths="match.priorities" [nested]="true" errorId="pol-prio-error" />
            <div class="sla-check-grid">
              @for (p of priorities; track p; let first = $first) {
                <div class="check">
                  <input type="checkbox" [id]="'pol-prio-' + p" [checked]="f.priorities.includes(p)" (change)="toggle('priorities', p, checked($event))"
                    [grcSlaAnchor]="first ? 'match.priorities' : []" [summaryLabel]="t('slaAdmin.priorities')" />
                  <label [for]="'pol-prio-' + p">{{ i18n.priority(p) }}</label>
                </div>
              }
            </div>
          </fieldset>
          <fieldset class="sla-checks" [attr.aria-describedby]="groupError('match.channels') ? 'pol-chan-error' : null">
            <legend>{{ t('slaAdmin.channels') }} <span class="muted">({{ f.channels.length ? t('slaAdmin.nChecked', { n: f.channels.length }) : t('slaAdmin.allMasculine') }})</span></legend>
            <grc-sla-field-error paths="match.channels" [nested]="true" errorId="pol-chan-error" />
            <div class="sla-check-grid">
              @for (c of channels; track c; let first = $first) {
                <div class="check">
                  <input type="checkbox" [id]="'pol-chan-' + c" [checked]="f.channels.includes(c)" (change)="toggle('channels', c, checked($event))"
                    [grcSlaAnchor]="first ? 'match.channels' : []" [summaryLabel]="t('slaAdmin.channels')" />
                  <label [for]="'pol-chan-' + c">{{ i18n.channel(c) }}</label>
                </div>
              }
            </div>
          </fieldset>
        </fieldset>

        <fieldset>
          <legend>{{ t('slaAdmin.targets') }}</legend>
          <p class="hint" id="pol-targets-hint">{{ t('slaAdmin.targetsHint') }}</p>
          <grc-sla-field-error paths="targets" errorId="pol-targets-error" />
          <div class="sla-targets">
            @for (tk of targetKeys; track tk) {
              @let tp = 'targets.' + tk;
              <fieldset class="sla-target">
                <legend>{{ t(tk === 'firstResponse' ? 'sla.target.firstResponse' : 'sla.target.resolution') }}</legend>
                <div class="inline">
                  <div class="field">
                    <label [for]="'pol-' + tk + '-amount'">{{ t('slaAdmin.amount') }}</label>
                    <input [id]="'pol-' + tk + '-amount'" inputmode="numeric" autocomplete="off" class="sla-num" [value]="f[tk].amount" (input)="setTarget(tk, 'amount', value($event))"
                      [grcSlaField]="[tp + '.amount', tp]" [errorId]="'pol-' + tk + '-amount-error'" hintId="pol-targets-hint"
                      [also]="tk === 'firstResponse' ? { path: 'targets', errorId: 'pol-targets-error', label: t('slaAdmin.targets') } : null"
                      [summaryLabel]="t(tk === 'firstResponse' ? 'sla.target.firstResponse' : 'sla.target.resolution') + ' — ' + t('slaAdmin.amount')" />
                  </div>
                  <div class="field">
                    <label [for]="'pol-' + tk + '-unit'">{{ t('slaAdmin.unit') }}</label>
                    <select [id]="'pol-' + tk + '-unit'" (change)="setTarget(tk, 'unit', value($event))" [grcSlaField]="tp + '.unit'" [errorId]="'pol-' + tk + '-unit-error'"
                      [summaryLabel]="t(tk === 'firstResponse' ? 'sla.target.firstResponse' : 'sla.target.resolution') + ' — ' + t('slaAdmin.unit')">
                      @for (u of units; track u) { <option [value]="u" [selected]="u === f[tk].unit">{{ unitName(u) }}</option> }
                    </select>
                  </div>
                </div>
                <grc-sla-field-error [paths]="[tp + '.amount', tp]" [errorId]="'pol-' + tk + '-amount-error'" />
                <grc-sla-field-error [paths]="tp + '.unit'" [errorId]="'pol-' + tk + '-unit-error'" />
              </fieldset>
            }
          </div>
          <fieldset class="sla-target">
            <legend>{{ t('slaAdmin.steps') }}</legend>
            <p class="hint" id="pol-steps-hint">{{ t('slaAdmin.stepsHint') }}</p>
            @for (s of f.steps; track s.key; let j = $index) {
              @let sid = 'pol-st-' + j;
              @let sp = 'targets.steps.' + s.stepId.trim();
              <div class="inline sla-step" role="group" [attr.aria-label]="t('slaAdmin.stepN', { n: j + 1 })">
                <div class="field">
                  <label [for]="sid + '-id'">{{ t('slaAdmin.stepId') }}<span class="sr-only"> ({{ t('slaAdmin.stepN', { n: j + 1 }) }})</span></label>
                  <input [id]="sid + '-id'" list="pol-step-ids" autocomplete="off" spellcheck="false" [value]="s.stepId" (input)="setStep(j, 'stepId', value($event))"
                    [grcSlaField]="['targets.steps[' + j + '].stepId', sp]" [errorId]="sid + '-id-error'" hintId="pol-steps-hint" />
                </div>
                <div class="field">
                  <label [for]="sid + '-amount'">{{ t('slaAdmin.amount') }}<span class="sr-only"> ({{ t('slaAdmin.stepN', { n: j + 1 }) }})</span></label>
                  <input [id]="sid + '-amount'" inputmode="numeric" autocomplete="off" class="sla-num" [value]="s.amount" (input)="setStep(j, 'amount', value($event))"
                    [grcSlaField]="['targets.steps[' + j + '].amount', sp + '.amount']" [errorId]="sid + '-amount-error'" />
                </div>
                <div class="field">
                  <label [for]="sid + '-unit'">{{ t('slaAdmin.unit') }}<span class="sr-only"> ({{ t('slaAdmin.stepN', { n: j + 1 }) }})</span></label>
                  <select [id]="sid + '-unit'" (change)="setStep(j, 'unit', value($event))" [grcSlaField]="sp + '.unit'" [errorId]="sid + '-unit-error'">
                    @for (u of units; track u) { <option [value]="u" [selected]="u === s.unit">{{ unitName(u) }}</option> }
                  </select>
                </div>
                <button type="button" class="btn btn-secondary btn-small" (click)="removeStep(j)">
                  {{ t('slaAdmin.remove') }}<span class="sr-only"> {{ t('slaAdmin.stepN', { n: j + 1 }) }}</span>
                </button>
              </div>
              <grc-sla-field-error [paths]="['targets.steps[' + j + '].stepId', sp]" [errorId]="sid + '-id-error'" />
              <grc-sla-field-error [paths]="['targets.steps[' + j + '].amount', sp + '.amount']" [errorId]="sid + '-amount-error'" />
              <grc-sla-field-error [paths]="sp + '.unit'" [errorId]="sid + '-unit-error'" />
            } @empty {
              <p class="muted">{{ t('slaAdmin.noStep') }}</p>
            }
            <datalist id="pol-step-ids">
              @for (c of stepChoices(); track c.id) { <option [value]="c.id">{{ c.label }}</option> }
            </datalist>
            <button type="button" id="pol-add-step" class="btn btn-secondary btn-small" (click)="addStep()">{{ t('slaAdmin.addStep') }}</button>
          </fieldset>
        </fieldset>

        <fieldset>
          <legend>{{ t('slaAdmin.ladder') }}</legend>
          <p class="hint" id="pol-ladder-hint">{{ t('slaAdmin.ladderHint') }}</p>
          <grc-sla-field-error paths="ladder" errorId="pol-ladder-error" />
          @for (l of f.ladder; track l.key; let i = $index) {
            @let lid = 'pol-ld-' + i;
            @let lp = 'ladder[' + i + ']';
            <fieldset class="sla-ladder-step" [attr.data-testid]="'ladder-step-' + i">
              <legend>{{ t('slaAdmin.ladderStepN', { n: i + 1 }) }}@if (l.atPercent) { — {{ l.atPercent }} % }</legend>
              <div class="field">
                <label [for]="lid + '-pct'">{{ t('slaAdmin.atPercent') }}</label>
                <input [id]="lid + '-pct'" inputmode="numeric" autocomplete="off" class="sla-num" [value]="l.atPercent" (input)="setPercent(i, value($event))"
                  [grcSlaField]="[lp + '.atPercent', lp]" [errorId]="lid + '-pct-error'" hintId="pol-ladder-hint"
                  [summaryLabel]="t('slaAdmin.ladderStepN', { n: i + 1 }) + ' — ' + t('slaAdmin.atPercent')" />
                <grc-sla-field-error [paths]="[lp + '.atPercent', lp]" [errorId]="lid + '-pct-error'" />
              </div>
              <fieldset class="sla-checks" [attr.aria-describedby]="groupError(lp + '.actions') ? lid + '-actions-error' : null">
                <legend>{{ t('slaAdmin.actions') }}</legend>
                <grc-sla-field-error [paths]="lp + '.actions'" [nested]="true" [errorId]="lid + '-actions-error'" />
                <div class="sla-check-grid">
                  @for (a of actionKeys; track a; let first = $first) {
                    <div class="check">
                      <input type="checkbox" [id]="lid + '-' + a.replace(':', '-')" [checked]="l.actions.includes(a)" (change)="toggleAction(i, a, checked($event))"
                        [grcSlaAnchor]="first ? lp + '.actions' : []" [summaryLabel]="t('slaAdmin.ladderStepN', { n: i + 1 }) + ' — ' + t('slaAdmin.actions')" />
                      <label [for]="lid + '-' + a.replace(':', '-')">{{ t(actionLabel[a]) }}</label>
                    </div>
                  }
                </div>
              </fieldset>
              <button type="button" class="btn btn-secondary btn-small" (click)="removeLadderStep(i)">
                {{ t('slaAdmin.remove') }}<span class="sr-only"> {{ t('slaAdmin.ladderStepN', { n: i + 1 }) }}</span>
              </button>
            </fieldset>
          } @empty {
            <p class="muted">{{ t('slaAdmin.noLadder') }}</p>
          }
          <button type="button" id="pol-add-ladder" class="btn btn-secondary btn-small" (click)="addLadderStep()" grcSlaAnchor="ladder">{{ t('slaAdmin.addLadderStep') }}</button>
        </fieldset>

        <grc-sla-json-io idPrefix="pol" [value]="body()" (imported)="import($event.doc, $event.accept)" />

        @if (policy()) {
          <div class="field sla-apply">
            <div class="check">
              <input type="checkbox" id="pol-apply" [checked]="applyToOpen()" (change)="applyToOpen.set(checked($event))" aria-describedby="pol-apply-hint" />
              <label for="pol-apply">{{ t('slaAdmin.applyToOpen') }}</label>
            </div>
            <p class="hint" id="pol-apply-hint">{{ t('slaAdmin.applyToOpenHint') }}</p>
          </div>
        }
        <div class="actions">
          <button type="submit" class="btn btn-primary" [disabled]="busy()" data-testid="policy-save">{{ policy() ? t('slaAdmin.save') : t('slaAdmin.create') }}</button>
          <button type="button" class="btn btn-secondary" (click)="closed.emit()">{{ t('slaAdmin.close') }}</button>
        </div>
        <p class="live" role="status" data-testid="policy-status">{{ notice() }}</p>
      </form>
    </section>
  `,
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
    return [...this.categories()].sort((a, b) => name(a).localeCompare(name(b), this.i18n.lang()));
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
      id: '', name: '', active: true, match: {},
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
    this.submit(local, (): Observable<SlaPolicyDto> => current
      ? this.api.put<SlaPolicyDto>(`/sla/policies/${current.id}`, { ...body, id: current.id, version: current.version, ...apply })
      : this.api.post<SlaPolicyDto>('/sla/policies', body));
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
