import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { areasToGeoJson, describeArea, geoJsonToAreas, type Polygon, type RoutingRule, type RoutingRuleInput } from '@grc/domain';
import { from, concatMap, toArray } from 'rxjs';
import { AreaEditor } from '../../shared/places/area-editor';
import { PlacesApi } from '../../shared/places/places-api';
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

  /** Every rule's area as a GeoJSON FeatureCollection (category and department codes in the properties). */
  protected exportGeoJson(): void {
    const cats = this.categories(),
      depts = this.departments();
    const fc = areasToGeoJson(
      this.items().map((r) => ({
        id: r.id,
        areaName: r.areaName,
        area: r.area,
        category: cats.find((c) => c.id === r.categoryId)?.code,
        department: depts.find((d) => d.id === r.departmentId)?.code,
      })),
    );
    const url = URL.createObjectURL(new Blob([JSON.stringify(fc, null, 2)], { type: 'application/geo+json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'zones-aiguillage.geojson';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** A GeoJSON file whose features name an existing rule (`ruleId`): their polygons replace those rules' areas. */
  protected importGeoJson(e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    void file.text().then((text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return this.geoNotice.set(this.t('areas.importError', { code: 'json', index: '-' }));
      }
      const r = geoJsonToAreas(parsed);
      if (!r.ok) return this.geoNotice.set(this.t('areas.importError', { code: r.code, index: r.index === null ? '-' : r.index + 1 }));
      const known = r.areas.filter((a) => a.ruleId && this.items().some((x) => x.id === a.ruleId));
      if (known.length !== r.areas.length)
        return this.geoNotice.set(this.t('areas.importError', { code: 'geojson.unknown_rule', index: '-' }));
      from(known)
        .pipe(
          concatMap((a) => {
            const rule = this.items().find((x) => x.id === a.ruleId)!;
            return this.api.put<RoutingRule>(`${this.path}/${rule.id}`, {
              categoryId: rule.categoryId,
              departmentId: rule.departmentId,
              areaName: a.name ?? rule.areaName,
              area: a.area,
              position: rule.position,
              version: rule.version,
            });
          }),
          toArray(),
        )
        .subscribe({
          next: (done) => {
            this.geoNotice.set(this.t('areas.imported', { count: done.length }));
            this.ref.invalidate();
            this.load();
          },
          error: (err: unknown) => this.listError.set(toUiError(err)),
        });
    });
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
