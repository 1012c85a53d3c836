import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
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
import { API, Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { FORM_ERRORS } from '../../shared/form-errors';
import { WF_STYLES, WorkflowDiagramView } from './workflow-diagram';

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

/** Administration › Circuits de validation: list, editor with errors in place, versions, diagram, import/export, bindings. */
@Component({
  selector: 'grc-admin-workflows',
  imports: [FormsModule, WorkflowDiagramView, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [WF_STYLES],
  templateUrl: './admin-workflows.html',
})
export class AdminWorkflowsPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
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

  protected newCircuit(): void {
    this.selected.set(null);
    this.source.set(TEMPLATE);
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
    this.run(this.api.post<WorkflowValidation>('/workflows/definitions/validate', { source: this.source() }), (v) => {
      this.problems.set({ errors: v.errors, warnings: v.warnings });
      this.diagram.set(v.diagram);
      this.notice.set(v.ok ? this.t('wf.admin.valid') : this.t('wf.admin.errors', { count: v.errors.length }));
    });
  }

  protected saveDraft(): void {
    this.run(
      this.api.post<WorkflowDefinitionVersion & { warnings: WorkflowDefinitionProblem[] }>('/workflows/definitions', {
        source: this.source(),
      }),
      (v) => {
        this.selected.set(v.code);
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
        const body = (err as { error?: { errors?: Array<{ field: string; message: string; code?: string }> } }).error;
        if (e.status === 422 && body?.errors) {
          if (sourceForErrors !== undefined) this.source.set(sourceForErrors);
          this.problems.set({
            errors: body.errors.map((x) => ({ path: x.field, message: x.message, code: x.code, severity: 'error' })),
            warnings: [],
          });
        }
      },
    });
  }
}
