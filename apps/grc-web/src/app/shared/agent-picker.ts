import { ChangeDetectionStrategy, Component, computed, effect, inject, input, model, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Agent } from '@grc/domain';
import type { Subscription } from 'rxjs';
import { Api } from '../core/api';
import { I18n } from '../core/i18n';
import type { UiError } from '../core/problem';
import { RefData } from '../core/ref-data';
import { FieldDirective, FieldError } from './form-errors';

/** How many agents a picker lists at most; the search narrows the rest (a town may have hundreds of agents). */
export const AGENT_PICKER_MAX = 50;
/** the pause after a keystroke before the search is sent */
export const AGENT_PICKER_DEBOUNCE_MS = 250;

/** An option a picker shows before or after the agents ("me", "nobody", "any"). */
export interface PickerOption {
  value: string;
  label: string;
}

/**
 * The console's one agent picker: a search box ("name or address", accents ignored) above a select of the
 * matching active agents of the relevant departments, asked to the API (`GET /agents?q=&departmentId=&limit=`),
 * never the whole town's directory; at most AGENT_PICKER_MAX, with a "narrow the search" hint beyond. The
 * chosen agent stays listed when a search leaves it out. Used by the ticket's assignment, the inbox's assignee
 * filter, the delegations screen and the audit viewer's actor filter.
 */
@Component({
  selector: 'grc-agent-picker',
  imports: [FormsModule, FieldDirective, FieldError],
  changeDetection: ChangeDetectionStrategy.OnPush,
  // its two fields take their places in the form's grid
  host: { style: 'display: contents' },
  template: `
    <div class="field">
      <label [for]="pickerId() + '-search'">{{ t('picker.searchAgents') }}</label>
      <input
        [id]="pickerId() + '-search'"
        [name]="pickerId() + '-search'"
        type="search"
        autocomplete="off"
        [attr.data-testid]="testid() ? testid() + '-search' : null"
        [ngModel]="query()"
        (ngModelChange)="query.set($event)"
      />
    </div>
    <div class="field">
      <label [for]="pickerId()">{{ label() }}</label>
      <select
        [id]="pickerId()"
        [name]="pickerId()"
        [attr.data-testid]="testid() || null"
        [ngModel]="value()"
        (ngModelChange)="value.set($event)"
        [grcField]="field()"
        [grcErrors]="errors()"
      >
        @for (o of leading(); track o.value) {
          <option [value]="o.value">{{ o.label }}</option>
        }
        @if (chosenOutside(); as c) {
          <option [value]="c.id">{{ c.displayName }}</option>
        }
        @for (a of shown(); track a.id) {
          <option [value]="a.id">{{ a.displayName }}{{ withEmail() ? ' (' + a.email + ')' : '' }}</option>
        }
        @for (o of trailing(); track o.value) {
          <option [value]="o.value">{{ o.label }}</option>
        }
      </select>
      @if (more()) {
        <p class="hint" role="status" [attr.data-testid]="testid() ? testid() + '-more' : null">{{ t('picker.narrow') }}</p>
      }
      @if (field()) {
        <grc-field-error [errors]="errors()" [field]="field()" [controlId]="pickerId()" />
      }
    </div>
  `,
})
export class AgentPicker {
  private readonly api = inject(Api);
  private readonly ref = inject(RefData);
  protected readonly t = inject(I18n).t;

  /** the select's id (its search box is `<id>-search`) */
  readonly pickerId = input.required<string>();
  readonly label = input.required<string>();
  /** the chosen agent's id, or one of the leading/trailing options' values */
  readonly value = model<string>('');
  /** agents of any of these departments; null: every department */
  readonly departmentIds = input<readonly string[] | null>(null);
  /** agents left out (the agent itself when a "me" option stands for it, the delegating agent…) */
  readonly exclude = input<readonly (string | null | undefined)[]>([]);
  readonly leading = input<readonly PickerOption[]>([]);
  readonly trailing = input<readonly PickerOption[]>([]);
  /** show each agent's e-mail too (the audit viewer) */
  readonly withEmail = input(false);
  /** the API field an error names (aria-invalid and the message under the select) */
  readonly field = input('');
  readonly errors = input<UiError | null>(null);
  readonly testid = input('');

  protected readonly query = signal('');
  private readonly found = signal<Agent[]>([]);
  protected readonly more = signal(false);
  /** names of agents this picker has shown, so that the chosen one keeps its name when a search leaves it out */
  private readonly known = signal<ReadonlyMap<string, Agent>>(new Map());

  /** the chosen agent (null for a leading/trailing option, or while its name is not known yet) */
  readonly selected = computed(() => this.known().get(this.value()) ?? null);

  private readonly search = computed(() => ({ q: this.query().trim(), departments: this.departmentIds() }), {
    equal: (a, b) => a.q === b.q && (a.departments ?? []).join() === (b.departments ?? []).join() && !a.departments === !b.departments,
  });
  protected readonly shown = computed(() => {
    const out = new Set(this.exclude().filter((x): x is string => !!x));
    return this.found().filter((a) => !out.has(a.id));
  });
  protected readonly chosenOutside = computed(() => {
    const v = this.value();
    if (!v || this.leading().some((o) => o.value === v) || this.trailing().some((o) => o.value === v)) return null;
    if (this.shown().some((a) => a.id === v)) return null;
    return this.known().get(v) ?? null;
  });

  constructor() {
    let first = true;
    effect((onCleanup) => {
      const { q, departments } = this.search();
      let sub: Subscription | undefined;
      const run = () => {
        const params: Record<string, string | string[]> = { limit: String(AGENT_PICKER_MAX + 1) };
        if (q) params['q'] = q;
        if (departments) params['departmentId'] = [...departments];
        sub = this.api.get<Agent[]>('/agents', params).subscribe({
          next: (list) => {
            this.more.set(list.length > AGENT_PICKER_MAX);
            const page = list.slice(0, AGENT_PICKER_MAX);
            this.found.set(page);
            this.remember(page);
          },
          error: () => {
            this.found.set([]);
            this.more.set(false);
          },
        });
      };
      // a department filter that matches nobody (an agent without department): no request
      if (departments && !departments.length) {
        this.found.set([]);
        return;
      }
      if (first) {
        first = false;
        untracked(run);
        onCleanup(() => sub?.unsubscribe());
        return;
      }
      const timer = setTimeout(run, AGENT_PICKER_DEBOUNCE_MS);
      onCleanup(() => {
        clearTimeout(timer);
        sub?.unsubscribe();
      });
    });
    // a value set from outside (a saved view, the ticket's assignee) that no search has shown yet: its name once
    effect(() => {
      const v = this.value();
      if (!v || this.known().has(v) || this.leading().some((o) => o.value === v) || this.trailing().some((o) => o.value === v)) return;
      untracked(() =>
        this.ref.agentNamed(v).subscribe((a) => {
          if (a) this.remember([a]);
        }),
      );
    });
  }

  private remember(list: readonly Agent[]): void {
    if (list.every((a) => this.known().has(a.id))) return;
    const next = new Map(this.known());
    for (const a of list) next.set(a.id, a);
    this.known.set(next);
  }
}
