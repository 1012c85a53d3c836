import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { HttpErrorResponse } from '@angular/common/http';
import {
  describeArea,
  type AreaCollection,
  type Polygon,
  type RoutingAreasImportReport,
  type RoutingRule,
  type RoutingRuleInput,
} from '@grc/domain';
import { AreaEditor } from '../../shared/places/area-editor';
import { PlacesApi } from '../../shared/places/places-api';
import type { MsgKey } from '../../core/i18n.fr';
import { localError, toUiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AdminBase } from './admin-base';
import { AdminFormActions, AdminListStatus } from './admin-parts';

interface RuleDraft {
  departmentId: string;
  areaName: string;
  areaText: string;
  position: number | null;
}

function parsePolygon(text: string): Polygon | null | undefined {
  if (!text.trim()) return null;
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v) || v.length < 3) return undefined;
    const ok = v.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number' && Number.isFinite(n)));
    return ok ? (v as Polygon) : undefined;
  } catch {
    return undefined;
  }
}

@Component({
  selector: 'grc-admin-routing',
  imports: [FormsModule, ...FORM_ERRORS, AdminListStatus, AdminFormActions, AreaEditor],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './routing-rules.html',
})
export class RoutingRulesAdmin extends AdminBase<RoutingRule, RuleDraft> {
  protected readonly path = '/routing-rules';
  protected readonly departments = toSignal(this.ref.departments(), { initialValue: [] });
  protected readonly categories = toSignal(this.ref.categories(), { initialValue: [] });
  private readonly chosen = signal<string>('');
  protected readonly categoryId = computed(() => this.chosen() || this.categories()[0]?.id || '');
  protected readonly categoryName = computed(() => this.i18n.categoryName(this.categories().find((c) => c.id === this.categoryId())));
  protected readonly rules = computed(() =>
    this.items()
      .filter((r) => r.categoryId === this.categoryId())
      .sort((a, b) => a.position - b.position),
  );

  protected readonly mapSettings = toSignal(inject(PlacesApi).mapSettings('agent'), { initialValue: null });
  protected readonly geoNotice = signal('');
  /** the file read and its preview (what each feature would do), before the admin confirms */
  protected readonly geoFile = signal<{ name: string; body: unknown } | null>(null);
  protected readonly geoPreview = signal<RoutingAreasImportReport | null>(null);
  /** the file's errors, one line per feature and field at fault (nothing was imported) */
  protected readonly geoErrors = signal<string[]>([]);
  protected readonly geoBusy = signal(false);

  constructor() {
    super();
    this.load();
  }

  protected areaOf(text: string): Polygon | null {
    return parsePolygon(text) ?? null;
  }

  /** The area in words (the map's text alternative): centre, extent, surface. */
  protected describe(area: Polygon): string {
    const d = describeArea(area);
    const n = (v: number) => new Intl.NumberFormat(this.i18n.lang() === 'fr' ? 'fr-FR' : 'en-GB').format(v);
    return this.t('areas.describe', {
      points: d.points,
      lat: d.centre.lat,
      lng: d.centre.lng,
      width: n(d.widthMetres),
      height: n(d.heightMetres),
      hectares: n(d.hectares),
    });
  }

  /** The polygon drawn on the map goes to the text field (what is saved). */
  protected drawn(ring: Array<[number, number]> | null): void {
    this.draft.update((d) => ({ ...d, areaText: ring ? JSON.stringify(ring) : '' }));
  }

  /** Every rule's area as a GeoJSON FeatureCollection (GET /routing-rules/areas: category and department codes in the properties). */
  protected exportGeoJson(): void {
    this.api.get<AreaCollection>(`${this.path}/areas`).subscribe({
      next: (fc) => {
        const url = URL.createObjectURL(new Blob([JSON.stringify(fc, null, 2)], { type: 'application/geo+json' }));
        const a = document.createElement('a');
        a.href = url;
        a.download = 'zones-aiguillage.geojson';
        a.click();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
      },
      error: (err: unknown) => this.listError.set(toUiError(err)),
    });
  }

  /**
   * A GeoJSON file: previewed first (POST /routing-rules/areas/import?dryRun=true: which rules are created, which
   * areas replaced), then applied on confirmation, all or nothing, by the API.
   */
  protected importGeoJson(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    this.geoPreview.set(null);
    this.geoErrors.set([]);
    this.geoNotice.set('');
    if (!file) return;
    void file.text().then((text) => {
      input.value = '';
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        this.geoErrors.set([this.t('areas.err.json')]);
        return;
      }
      this.geoFile.set({ name: file.name, body });
      this.sendGeoJson(true);
    });
  }

  protected applyGeoJson(): void {
    this.sendGeoJson(false);
  }

  protected cancelGeoJson(): void {
    this.geoFile.set(null);
    this.geoPreview.set(null);
    this.geoNotice.set(this.t('areas.importCancelled'));
  }

  private sendGeoJson(dryRun: boolean): void {
    const file = this.geoFile();
    if (!file) return;
    this.geoBusy.set(true);
    this.api.post<RoutingAreasImportReport>(`${this.path}/areas/import${dryRun ? '?dryRun=true' : ''}`, file.body).subscribe({
      next: (r) => {
        this.geoBusy.set(false);
        if (dryRun) {
          this.geoPreview.set(r);
          this.geoNotice.set(this.t('areas.previewReady', { created: r.created, updated: r.updated, unchanged: r.unchanged }));
          return;
        }
        this.geoFile.set(null);
        this.geoPreview.set(null);
        this.geoNotice.set(this.t('areas.imported', { created: r.created, updated: r.updated, unchanged: r.unchanged }));
        this.ref.invalidate();
        this.load();
      },
      error: (err: unknown) => {
        this.geoBusy.set(false);
        this.geoPreview.set(null);
        const problem = err instanceof HttpErrorResponse && err.status === 400 ? (err.error as { errors?: unknown }) : null;
        const errors = Array.isArray(problem?.errors) ? (problem.errors as Array<{ code?: string; params?: Record<string, unknown> }>) : [];
        if (!errors.length) return this.listError.set(toUiError(err));
        this.geoFile.set(null);
        this.geoErrors.set(errors.map((x) => this.geoErrorLine(x.code ?? '', x.params ?? {})));
      },
    });
  }

  private geoErrorLine(code: string, params: Record<string, unknown>): string {
    const key = `areas.err.${code}`;
    const what = this.i18n.has(key) ? this.t(key as MsgKey, { code: String(params['code'] ?? '') }) : this.t('areas.err.other', { code });
    return params['feature'] ? this.t('areas.errFeature', { feature: String(params['feature']), what }) : what;
  }

  protected kindLabel(kind: RoutingAreasImportReport['items'][number]['kind']): string {
    return this.t(`areas.kind.${kind}` as MsgKey);
  }
  protected categoryLabel(id: string): string {
    const c = this.categories().find((x) => x.id === id);
    return c ? this.i18n.categoryName(c) : id;
  }
  protected changesLabel(changes: readonly string[]): string {
    return changes.map((c) => this.t(`areas.change.${c}` as MsgKey)).join(', ');
  }

  protected selectCategory(id: string): void {
    this.chosen.set(id);
    this.formOpen.set(false);
  }

  protected deptName(id: string): string {
    return this.departments().find((d) => d.id === id)?.name ?? id;
  }

  protected remove(rule: RoutingRule): void {
    if (!confirm(this.t('admin.confirmDelete'))) return;
    this.api.delete<unknown>(`${this.path}/${rule.id}`).subscribe({
      next: () => {
        this.notice.set(this.t('admin.deleted'));
        if (this.editing()?.id === rule.id) this.formOpen.set(false);
        this.load();
      },
      error: (err: unknown) => this.listError.set(toUiError(err)),
    });
  }

  protected blank(): RuleDraft {
    const max = this.rules?.().reduce((m, r) => Math.max(m, r.position), 0) ?? 0;
    return { departmentId: '', areaName: '', areaText: '', position: max + 10 };
  }
  protected toInput(r: RoutingRule): RuleDraft {
    return {
      departmentId: r.departmentId,
      areaName: r.areaName ?? '',
      areaText: r.area ? JSON.stringify(r.area) : '',
      position: r.position,
    };
  }
  protected body(d: RuleDraft): RoutingRuleInput | null {
    const fields: Record<string, string> = {};
    if (!d.departmentId) fields['departmentId'] = this.t('common.fieldRequired');
    const area = parsePolygon(d.areaText);
    if (area === undefined) fields['area'] = this.t('admin.areaInvalid');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      return null;
    }
    const body: RoutingRuleInput = {
      categoryId: this.categoryId(),
      departmentId: d.departmentId,
      areaName: d.areaName.trim() || null,
      area: area ?? null,
    };
    if (d.position !== null && Number.isFinite(d.position)) body.position = Number(d.position);
    return body;
  }
}
