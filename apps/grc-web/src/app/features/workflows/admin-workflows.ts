import { ChangeDetectionStrategy, Component, OnInit, computed, effect, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import type {
  WorkflowBinding,
  WorkflowDefinitionProblem,
  WorkflowDefinitionSummary,
  WorkflowDefinitionVersion,
  WorkflowDiagram,
  WorkflowValidation,
} from '@grc/domain';
import type { WorkflowDefinition } from '@grc/workflows';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { API, Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { FORM_ERRORS } from '../../shared/form-errors';
import { CircuitDryRunPanel } from './circuit-dry-run';
import { CircuitEditor } from './circuit-editor';
import { WF_STYLES, WorkflowDiagramView } from './workflow-diagram';
import { circuitProblemText } from './circuit-problems-i18n';

const TEMPLATE = `id: nouveau-circuit
name: Nouveau circuit
initial: redaction
steps:
  redaction:
    kind: draft
    label: Rédaction de la réponse
    writers: { roles: [agent], departments: [$ticket] }
    transitions:
      - { on: submitted, to: validation_chef }
  validation_chef:
    kind: approval
    label: Validation par le responsable du service
    mode: one
    approvers: [{ role: head, department: $ticket }]
    allowEditAndApprove: true
    transitions:
      - { on: approved, to: envoi }
  envoi:
    kind: end
    label: Réponse envoyée
`;

/**
 * Administration › Circuits de validation: list; the editor — forms and graph (the definition object
 * itself, checked as it changes, errors on the step at fault, a dry run) or the YAML text, either
 * way saving the same definition —; versions, diagram, import/export, bindings.
 */
@Component({
  selector: 'grc-admin-workflows',
  imports: [FormsModule, WorkflowDiagramView, CircuitEditor, CircuitDryRunPanel, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [WF_STYLES],
  templateUrl: './admin-workflows.html',
})
export class AdminWorkflowsPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly problemText = (p: WorkflowDefinitionProblem): string => circuitProblemText(p, this.i18n);
  private readonly ref = inject(RefData);
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly API = API;

  protected readonly list = signal<WorkflowDefinitionSummary[]>([]);
  protected readonly bindings = signal<WorkflowBinding[]>([]);
  protected readonly selected = signal<string | null>(null);
  protected readonly source = signal(TEMPLATE);
  protected readonly problems = signal<{ errors: WorkflowDefinitionProblem[]; warnings: WorkflowDefinitionProblem[] } | null>(null);
  protected readonly diagram = signal<WorkflowDiagram | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);
  protected readonly importPublish = signal(false);
  protected readonly bindCategory = signal('');
  protected readonly bindDepartment = signal('');
  protected readonly bindCode = signal('');

  /** forms (the definition object) or yaml (the text); switching converts one into the other */
  protected readonly mode = signal<'forms' | 'yaml'>('forms');
  protected readonly model = signal<WorkflowDefinition>(parseYaml(TEMPLATE) as WorkflowDefinition);
  protected readonly dryPath = signal<string[]>([]);
  protected readonly allProblems = computed(() => [...(this.problems()?.errors ?? []), ...(this.problems()?.warnings ?? [])]);
  private checkSeq = 0;

  constructor() {
    // the forms' circuit is checked as it changes (schema and static analysis): errors go on their step
    effect((onCleanup) => {
      const def = this.model();
      if (this.mode() !== 'forms') return;
      const seq = ++this.checkSeq;
      const h = setTimeout(
        () =>
          this.api.post<WorkflowValidation>('/workflows/definitions/validate', { definition: def }).subscribe({
            next: (v) => {
              if (seq !== this.checkSeq) return;
              this.problems.set({ errors: v.errors, warnings: v.warnings });
              this.diagram.set(v.diagram);
            },
            error: () => undefined,
          }),
        300,
      );
      onCleanup(() => clearTimeout(h));
    });
  }

  protected readonly current = computed(() => this.list().find((d) => d.code === this.selected()) ?? null);
  protected readonly publishable = computed(() => this.list().filter((d) => d.publishedVersion !== null));

  ngOnInit(): void {
    this.refresh();
  }

  private refresh(): void {
    this.api
      .get<WorkflowDefinitionSummary[]>('/workflows/definitions')
      .subscribe({ next: (l) => this.list.set(l), error: (e: unknown) => this.error.set(toUiError(e)) });
    this.api
      .get<WorkflowBinding[]>('/workflows/bindings')
      .subscribe({ next: (b) => this.bindings.set(b), error: (e: unknown) => this.error.set(toUiError(e)) });
  }

  protected vstatus(s: string): string {
    return this.t(`wf.admin.vstatus.${s}` as MsgKey);
  }

  protected categoryName(id: string | null): string {
    if (!id) return this.t('wf.admin.anyCategory');
    const c = this.categories().find((x) => x.id === id);
    return c ? this.i18n.categoryName(c) : id;
  }

  protected departmentName(id: string | null): string {
    if (!id) return this.t('wf.admin.anyDepartment');
    return this.departments().find((x) => x.id === id)?.name ?? id;
  }

  protected setMode(mode: 'forms' | 'yaml'): void {
    if (mode === this.mode()) return;
    if (mode === 'yaml') {
      this.source.set(toYaml(this.model(), { lineWidth: 0 }));
      this.mode.set('yaml');
      return;
    }
    try {
      const value: unknown = parseYaml(this.source());
      if (!value || typeof value !== 'object' || Array.isArray(value) || typeof (value as { steps?: unknown }).steps !== 'object')
        throw new Error('steps');
      this.model.set(value as WorkflowDefinition);
      this.mode.set('forms');
      this.error.set(null);
    } catch (e) {
      this.error.set({
        status: 400,
        detail: this.t('ce.yamlUnreadable', { message: (e as Error).message.split('\n')[0] ?? '' }),
        fallbackKey: 'common.formHasErrors',
        fields: {},
      });
    }
  }

  protected setCircuit(key: 'id' | 'name' | 'description', value: string): void {
    const next: WorkflowDefinition = { ...this.model(), [key]: value };
    if (key === 'description' && value.trim() === '') delete next.description;
    this.model.set(next);
  }

  /** What the editor saves: the forms' object, or the YAML text. */
  private body(): { definition: WorkflowDefinition } | { source: string } {
    return this.mode() === 'forms' ? { definition: this.model() } : { source: this.source() };
  }

  protected newCircuit(): void {
    this.selected.set(null);
    this.source.set(TEMPLATE);
    this.model.set(parseYaml(TEMPLATE) as WorkflowDefinition);
    this.dryPath.set([]);
    this.problems.set(null);
    this.diagram.set(null);
    this.focusEditor();
  }

  protected open(code: string, version?: number): void {
    const d = this.list().find((x) => x.code === code);
    const path =
      version !== undefined
        ? `/workflows/definitions/${code}/versions/${version}`
        : d?.draftVersion
          ? `/workflows/definitions/${code}/draft`
          : `/workflows/definitions/${code}`;
    this.api.get<WorkflowDefinitionVersion>(path).subscribe({
      next: (v) => {
        this.selected.set(code);
        this.source.set(
          v.yaml
            .split('\n')
            .filter((l) => !l.startsWith('#'))
            .join('\n'),
        );
        this.model.set(v.definition as unknown as WorkflowDefinition);
        this.dryPath.set([]);
        this.diagram.set(v.diagram);
        this.problems.set(null);
        this.focusEditor();
      },
      error: (e: unknown) => this.error.set(toUiError(e)),
    });
  }

  private focusEditor(): void {
    setTimeout(() => document.getElementById('wf-editor-h')?.focus());
  }

  protected validate(): void {
    this.run(this.api.post<WorkflowValidation>('/workflows/definitions/validate', this.body()), (v) => {
      this.problems.set({ errors: v.errors, warnings: v.warnings });
      this.diagram.set(v.diagram);
      this.notice.set(v.ok ? this.t('wf.admin.valid') : this.t('wf.admin.errors', { count: v.errors.length }));
    });
  }

  protected saveDraft(): void {
    this.run(
      this.api.post<WorkflowDefinitionVersion & { warnings: WorkflowDefinitionProblem[] }>('/workflows/definitions', this.body()),
      (v) => {
        this.selected.set(v.code);
        this.model.set(v.definition as unknown as WorkflowDefinition);
        this.problems.set({ errors: [], warnings: v.warnings ?? [] });
        this.diagram.set(v.diagram);
        this.notice.set(this.t('wf.admin.saved', { version: v.version }));
        this.refresh();
      },
    );
  }

  protected publish(): void {
    const code = this.selected();
    if (!code) return;
    this.run(this.api.post<WorkflowDefinitionVersion>(`/workflows/definitions/${code}/publish`, {}), (v) => {
      this.notice.set(this.t('wf.admin.publishedNotice', { version: v.version }));
      this.refresh();
    });
  }

  protected discard(): void {
    const code = this.selected();
    if (!code) return;
    this.run(this.api.delete<void>(`/workflows/definitions/${code}/draft`), () => {
      this.notice.set(this.t('admin.saved'));
      this.refresh();
    });
  }

  protected async importFile(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    const format = /\.json$/i.test(file.name) ? 'json' : 'yaml';
    this.run(
      this.api.post<WorkflowDefinitionVersion[]>('/workflows/definitions/import', { source: text, format, publish: this.importPublish() }),
      (list) => {
        input.value = '';
        this.notice.set(this.t('wf.admin.imported', { count: list.length }));
        this.refresh();
        if (list[0]) this.open(list[0].code, list[0].version);
      },
      text,
    );
  }

  protected bind(): void {
    if (!this.bindCode()) {
      this.error.set({
        status: 400,
        detail: null,
        fallbackKey: 'common.formHasErrors',
        fields: { definitionCode: this.t('common.fieldRequired') },
      });
      return;
    }
    this.run(
      this.api.post<WorkflowBinding>('/workflows/bindings', {
        categoryId: this.bindCategory() || null,
        departmentId: this.bindDepartment() || null,
        definitionCode: this.bindCode(),
        townWide: !this.bindCategory() && !this.bindDepartment(),
      }),
      () => {
        this.notice.set(this.t('wf.admin.bound'));
        this.refresh();
      },
    );
  }

  protected unbind(b: WorkflowBinding): void {
    this.run(this.api.delete<void>(`/workflows/bindings/${b.id}`), () => this.refresh());
  }

  /** Runs a request; a 422 of an invalid definition lists its errors in place (path, reason). */
  private run<T>(req: import('rxjs').Observable<T>, next: (v: T) => void, sourceForErrors?: string): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.notice.set('');
    req.subscribe({
      next: (v) => {
        this.busy.set(false);
        next(v);
      },
      error: (err: unknown) => {
        this.busy.set(false);
        const e = toUiError(err);
        this.error.set(e);
        const body = (
          err as { error?: { errors?: Array<{ field: string; message: string; code?: string; params?: Record<string, string | number> }> } }
        ).error;
        if (e.status === 422 && body?.errors) {
          if (sourceForErrors !== undefined) this.source.set(sourceForErrors);
          this.problems.set({
            errors: body.errors.map((x) => ({ path: x.field, message: x.message, code: x.code, params: x.params, severity: 'error' })),
            warnings: [],
          });
        }
      },
    });
  }
}
