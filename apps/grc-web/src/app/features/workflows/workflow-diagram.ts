import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import type { WorkflowDiagram } from '@grc/domain';
import { toSignal } from '@angular/core/rxjs-interop';
import { I18n, type MsgKey } from '../../core/i18n';
import { RefData } from '../../core/ref-data';
import { guardWords } from './condition-text';

/** Styles shared by the workflow screens (contrast checked: AA on white). */
export const WF_STYLES = `
  .badge-late { color: #b60000; background: #ffe9e9; margin-left: 0.35rem; }
  .badge-success { color: #18753c; background: #e7f6ec; margin-left: 0.35rem; }
  .wf-draft, blockquote { margin: 0.5rem 0; padding: 0.5rem 0.75rem; border-left: 4px solid #000091; background: #f5f5f7; white-space: pre-wrap; }
  .wf-diagram { padding-left: 1.25rem; }
  .wf-diagram > li { margin: 0.5rem 0; padding: 0.4rem 0.6rem; border: 1px solid #d0d0d0; border-radius: 4px; }
  .wf-diagram > li.wf-current { border: 2px solid #000091; background: #e8f0fb; }
  .wf-step-kind { display: inline-block; min-width: 9rem; font-weight: 600; color: #4a4a4a; }
  .wf-guard { color: #4a4a4a; font-style: italic; margin-left: 0.25rem; }
  .wf-problems li { margin: 0.25rem 0; }
  .wf-source { font-family: ui-monospace, monospace; width: 100%; }
  table.wf-table { border-collapse: collapse; width: 100%; }
  table.wf-table th, table.wf-table td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #d0d0d0; vertical-align: top; }
`;

/**
 * Read-only diagram of a circuit as an accessible nested list: each step (kind, label, who acts)
 * with its outgoing transitions; the current step is marked with aria-current.
 */
@Component({
  selector: 'grc-workflow-diagram',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: [WF_STYLES],
  templateUrl: './workflow-diagram.html',
})
export class WorkflowDiagramView {
  readonly diagram = input.required<WorkflowDiagram>();
  readonly current = input<string | null>(null);
  readonly idPrefix = input('wf-step-');
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly ref = inject(RefData);
  private readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  private readonly departments = toSignal(this.ref.departments(), { initialValue: [] });

  /** A transition's guard in words (roles, departments, the condition's rows), else the API's text. */
  protected guard(tr: WorkflowDiagram['steps'][number]['transitions'][number]): string | null {
    if (tr.roles === undefined && tr.when === undefined) return tr.guard;
    return guardWords(this.i18n, tr, { categories: this.categories(), departments: this.departments() }) ?? tr.guard;
  }

  protected kind(k: string): string {
    return this.t(`wf.kind.${k}` as MsgKey);
  }

  protected labelOf(id: string): string {
    return this.diagram().steps.find((s) => s.id === id)?.label ?? id;
  }

  protected jump(event: Event, id: string): void {
    event.preventDefault();
    const el = document.getElementById(this.idPrefix() + id);
    if (el) {
      el.setAttribute('tabindex', '-1');
      el.focus();
    }
  }
}
