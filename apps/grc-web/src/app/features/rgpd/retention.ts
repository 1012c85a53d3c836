import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import type { Category } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { fieldMessage, toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { RETENTION_I18N, type RetentionKey } from './retention-i18n';

interface Rule {
  categoryId: string | null;
  months: number;
  action: 'anonymise' | 'delete';
}
interface Run {
  id: string;
  kind: 'retention' | 'purge';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, unknown>;
  error: string | null;
}

/** RGPD › Conservation: the retention rules (edited as a whole) and the reports of the last runs. */
@Component({
  selector: 'grc-retention',
  imports: [FormsModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './retention.html',
})
export class RetentionPage {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly rules = signal<Rule[]>([]);
  protected readonly runs = signal<Run[]>([]);
  protected readonly categories = signal<Category[]>([]);
  protected readonly error = signal<UiError | null>(null);
  protected readonly saved = signal(false);
  protected readonly forbidden = signal(false);
  protected readonly saving = signal(false);
  private readonly byCode = computed(() => new Map(this.categories().map((c) => [c.code, c])));

  constructor() {
    inject(RefData)
      .categories()
      .subscribe((c) => this.categories.set(c));
    this.load();
  }

  protected tr(key: RetentionKey, params?: Record<string, string | number>): string {
    let text = RETENTION_I18N[this.i18n.lang()][key];
    for (const [k, v] of Object.entries(params ?? {})) text = text.split(`{${k}}`).join(String(v));
    return text;
  }

  protected categoryName(c: Category): string {
    return this.i18n.lang() === 'en' ? c.nameEn : c.nameFr;
  }
  protected codeName(code: string): string {
    const c = this.byCode().get(code);
    return c ? this.categoryName(c) : code;
  }
  protected sentence(r: Rule): string {
    return this.tr('sentence', { months: r.months, action: this.tr(r.action) });
  }
  protected fieldError(i: number, field: string): string | null {
    // the service names a rule `rules[i].field`, the request's validation `rules.i.field`
    return fieldMessage(this.error(), `rules[${i}].${field}`) ?? fieldMessage(this.error(), `rules.${i}.${field}`);
  }
  protected date(iso: string): string {
    return new Date(iso).toLocaleString(this.i18n.lang() === 'en' ? 'en-GB' : 'fr-FR');
  }

  protected update(i: number, patch: Partial<Rule>): void {
    this.saved.set(false);
    this.rules.update((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  }
  protected add(): void {
    this.saved.set(false);
    this.rules.update((rs) => [
      ...rs,
      { categoryId: rs.some((r) => r.categoryId === null) ? (this.categories()[0]?.id ?? null) : null, months: 24, action: 'anonymise' },
    ]);
  }
  protected remove(i: number): void {
    this.saved.set(false);
    this.rules.update((rs) => rs.filter((_, j) => j !== i));
  }

  protected save(): void {
    this.saving.set(true);
    this.error.set(null);
    this.api
      .put<Rule[]>('/retention/rules', {
        rules: this.rules().map((r) => ({ categoryId: r.categoryId, months: Number(r.months), action: r.action })),
      })
      .subscribe({
        next: (rules) => {
          this.rules.set(rules.map((r) => ({ categoryId: r.categoryId, months: r.months, action: r.action })));
          this.saving.set(false);
          this.saved.set(true);
        },
        error: (e) => {
          this.saving.set(false);
          this.error.set(toUiError(e));
        },
      });
  }

  protected report(run: Run): string[] {
    const c = run.counts as Record<string, unknown>;
    if (run.kind === 'purge')
      return [
        this.tr('purges', {
          sessions: Number(c['expiredSessions'] ?? 0),
          bodies: Number(c['outboxBodies'] ?? 0),
          quarantine: Number(c['quarantine'] ?? 0),
          ips: Number(c['loginIps'] ?? 0),
          files: Number(c['orphanFiles'] ?? 0),
        }),
      ];
    const byCategory = (c['byCategory'] ?? {}) as Record<string, { anonymise?: number; delete?: number }>;
    return [
      this.tr('requests', { n: Number(c['requests'] ?? 0) }),
      ...Object.entries(byCategory).map(([code, n]) =>
        this.tr('perCategory', { category: this.codeName(code), anonymise: n.anonymise ?? 0, delete: n.delete ?? 0 }),
      ),
    ];
  }

  private load(): void {
    this.api.get<Rule[]>('/retention/rules').subscribe({
      next: (rules) => this.rules.set(rules.map((r) => ({ categoryId: r.categoryId, months: r.months, action: r.action }))),
      error: () => this.forbidden.set(true),
    });
    this.api.get<Run[]>('/retention/runs').subscribe({ next: (r) => this.runs.set(r), error: () => undefined });
  }
}
