/**
 * Routing areas as GeoJSON (RFC 7946): the admin's import and export of the polygons that refine routing.
 * A routing rule's `area` is an open ring of [longitude, latitude] points (the domain's point-in-polygon test
 * reads it as is); GeoJSON wants closed rings, so the export closes it and the import opens it again.
 */
import { validatePolygon } from '../routing/routing';
import { distanceMetres } from './address-query';

export type Ring = ReadonlyArray<readonly [number, number]>;

export interface AreaFeature {
  type: 'Feature';
  properties: { name: string | null; ruleId?: string; category?: string; department?: string };
  geometry: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
}
export interface AreaCollection {
  type: 'FeatureCollection';
  features: AreaFeature[];
}

export interface AreaRule {
  id: string;
  areaName: string | null;
  area: Ring | null;
  category?: string;
  department?: string;
}

export function areasToGeoJson(rules: readonly AreaRule[]): AreaCollection {
  return {
    type: 'FeatureCollection',
    features: rules
      .filter((r): r is AreaRule & { area: Ring } => r.area !== null && r.area.length >= 3)
      .map((r) => {
        const ring = r.area.map(([x, y]) => [x, y] as [number, number]);
        const [fx, fy] = ring[0]!;
        const [lx, ly] = ring[ring.length - 1]!;
        if (fx !== lx || fy !== ly) ring.push([fx, fy]);
        return {
          type: 'Feature' as const,
          properties: {
            name: r.areaName,
            ruleId: r.id,
            ...(r.category ? { category: r.category } : {}),
            ...(r.department ? { department: r.department } : {}),
          },
          geometry: { type: 'Polygon' as const, coordinates: [ring] },
        };
      }),
  };
}

export interface GeoJsonArea {
  name: string | null;
  ruleId: string | null;
  /** the category's and department's codes of the properties (the export writes them), null when absent */
  category: string | null;
  department: string | null;
  area: Array<[number, number]>;
}
export type GeoJsonAreasResult = { ok: true; areas: GeoJsonArea[] } | { ok: false; code: string; index: number | null };

const MAX_POINTS = 1000;
/** a town's routing areas: a few dozen; the import is one transaction */
export const MAX_AREA_FEATURES = 500;
const MAX_FEATURES = MAX_AREA_FEATURES;

/** Reads a FeatureCollection (or one Feature) of Polygons: each one's outer ring, opened; holes are refused. */
export function geoJsonToAreas(input: unknown): GeoJsonAreasResult {
  const obj = input as { type?: unknown; features?: unknown };
  const features: unknown[] =
    obj?.type === 'FeatureCollection' && Array.isArray(obj.features) ? obj.features : obj?.type === 'Feature' ? [obj] : [];
  if (!features.length) return { ok: false, code: 'geojson.empty', index: null };
  if (features.length > MAX_FEATURES) return { ok: false, code: 'geojson.too_many', index: null };
  const areas: GeoJsonArea[] = [];
  for (const [index, f] of features.entries()) {
    const feature = f as {
      type?: unknown;
      geometry?: { type?: unknown; coordinates?: unknown };
      properties?: Record<string, unknown> | null;
    };
    if (feature?.type !== 'Feature' || feature.geometry?.type !== 'Polygon' || !Array.isArray(feature.geometry.coordinates))
      return { ok: false, code: 'geojson.not_polygon', index };
    const rings = feature.geometry.coordinates as unknown[];
    if (rings.length !== 1) return { ok: false, code: 'geojson.holes', index };
    const ring = rings[0];
    if (!Array.isArray(ring) || ring.length < 4 || ring.length > MAX_POINTS + 1) return { ok: false, code: 'geojson.ring', index };
    const points: Array<[number, number]> = [];
    for (const p of ring) {
      if (!Array.isArray(p) || p.length < 2) return { ok: false, code: 'geojson.point', index };
      const [x, y] = p as unknown[];
      if (typeof x !== 'number' || typeof y !== 'number' || !(x >= -180 && x <= 180) || !(y >= -90 && y <= 90))
        return { ok: false, code: 'geojson.point', index };
      points.push([x, y]);
    }
    const [fx, fy] = points[0]!;
    const [lx, ly] = points[points.length - 1]!;
    if (fx === lx && fy === ly) points.pop();
    if (points.length < 3) return { ok: false, code: 'geojson.ring', index };
    const name = feature.properties?.['name'];
    const ruleId = feature.properties?.['ruleId'];
    const code = (k: string) => {
      const v = feature.properties?.[k];
      return typeof v === 'string' && v.trim() ? v.trim() : null;
    };
    areas.push({
      name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : null,
      ruleId: typeof ruleId === 'string' && ruleId.trim() ? ruleId.trim() : null,
      category: code('category'),
      department: code('department'),
      area: points,
    });
  }
  return { ok: true, areas };
}

// ------------------------------------------------------------------ import plan

export interface AreaImportRule {
  id: string;
  categoryId: string;
  departmentId: string;
  areaName: string | null;
  area: Ring | null;
}
export interface AreaImportContext {
  rules: readonly AreaImportRule[];
  categories: ReadonlyArray<{ id: string; code: string }>;
  departments: ReadonlyArray<{ id: string; code: string }>;
}
/** What one feature does: a new rule, a rule's area (name, department) replaced, or nothing. */
export type AreaImportAction =
  | { kind: 'create'; index: number; categoryId: string; departmentId: string; areaName: string; area: Array<[number, number]> }
  | {
      kind: 'update';
      index: number;
      ruleId: string;
      categoryId: string;
      departmentId: string;
      areaName: string;
      area: Array<[number, number]>;
      /** which of the rule's fields change */
      changes: Array<'area' | 'areaName' | 'departmentId'>;
    }
  | { kind: 'unchanged'; index: number; ruleId: string; categoryId: string; departmentId: string; areaName: string };
export interface AreaImportError {
  /** the feature's index (0-based), null for the whole file */
  index: number | null;
  /** where in the file: `features[2].properties.department` */
  field: string;
  code: string;
  params?: Record<string, string | number>;
}
export type AreaImportPlan = { ok: true; actions: AreaImportAction[] } | { ok: false; errors: AreaImportError[] };

const samePolygon = (a: Ring | null, b: Ring) =>
  a !== null && a.length === b.length && a.every((p, i) => p[0] === b[i]![0] && p[1] === b[i]![1]);

/**
 * The GeoJSON import of routing areas, planned before anything is written (the admin's preview, then the same
 * plan applied in one transaction): each Polygon feature either
 * - names an existing rule (`properties.ruleId`): its area (and name, and department when `department` is given)
 *   is replaced; its category cannot change (`category`, when given, must be the rule's);
 * - or creates a rule (no `ruleId`, or one this town does not have: an export of another installation) from its
 *   `category` and `department` codes, both required, and its `name` (an area always has a name).
 * Every error of the file is reported (the feature and the field at fault); any error and nothing is done.
 */
export function planAreaImport(input: unknown, ctx: AreaImportContext): AreaImportPlan {
  const parsed = geoJsonToAreas(input);
  if (!parsed.ok)
    return {
      ok: false,
      errors: [
        {
          index: parsed.index,
          field: parsed.index === null ? 'features' : `features[${parsed.index}].geometry`,
          code: parsed.code,
        },
      ],
    };
  const rules = new Map(ctx.rules.map((r) => [r.id, r]));
  const categoryByCode = new Map(ctx.categories.map((c) => [c.code, c.id]));
  const categoryCode = new Map(ctx.categories.map((c) => [c.id, c.code]));
  const departmentByCode = new Map(ctx.departments.map((d) => [d.code, d.id]));
  const errors: AreaImportError[] = [];
  const actions: AreaImportAction[] = [];
  const seen = new Set<string>();
  parsed.areas.forEach((f, index) => {
    const at = (k: string) => `features[${index}].${k}`;
    const fail = (field: string, code: string, params?: Record<string, string | number>): void => {
      errors.push({ index, field: at(field), code, ...(params ? { params } : {}) });
    };
    const polygon = validatePolygon(f.area, at('geometry'));
    if (!polygon.ok) for (const e of polygon.errors) errors.push({ index, field: e.field, code: e.code });
    const departmentId = f.department === null ? null : (departmentByCode.get(f.department) ?? undefined);
    if (departmentId === undefined) fail('properties.department', 'geojson.unknown_department', { code: f.department! });
    const rule = f.ruleId ? rules.get(f.ruleId) : undefined;
    if (rule) {
      if (seen.has(rule.id)) {
        fail('properties.ruleId', 'geojson.duplicate_rule', { ruleId: rule.id });
        return;
      }
      seen.add(rule.id);
      if (f.category !== null && categoryCode.get(rule.categoryId) !== f.category)
        fail('properties.category', 'geojson.category_changed', { code: f.category });
      const areaName = f.name ?? rule.areaName;
      if (areaName === null) fail('properties.name', 'geojson.name_required');
      if (!polygon.ok || departmentId === undefined || areaName === null) return;
      const next = { departmentId: departmentId ?? rule.departmentId, areaName, area: polygon.value };
      const changes: Array<'area' | 'areaName' | 'departmentId'> = [];
      if (!samePolygon(rule.area, next.area)) changes.push('area');
      if (rule.areaName !== next.areaName) changes.push('areaName');
      if (rule.departmentId !== next.departmentId) changes.push('departmentId');
      actions.push(
        changes.length
          ? { kind: 'update', index, ruleId: rule.id, categoryId: rule.categoryId, ...next, changes }
          : { kind: 'unchanged', index, ruleId: rule.id, categoryId: rule.categoryId, departmentId: next.departmentId, areaName },
      );
      return;
    }
    const categoryId = f.category === null ? null : (categoryByCode.get(f.category) ?? undefined);
    if (categoryId === null) fail('properties.category', 'geojson.category_required');
    else if (categoryId === undefined) fail('properties.category', 'geojson.unknown_category', { code: f.category! });
    if (departmentId === null) fail('properties.department', 'geojson.department_required');
    if (f.name === null) fail('properties.name', 'geojson.name_required');
    if (!polygon.ok || !categoryId || !departmentId || f.name === null) return;
    actions.push({ kind: 'create', index, categoryId, departmentId, areaName: f.name, area: polygon.value });
  });
  return errors.length ? { ok: false, errors: errors.slice(0, 50) } : { ok: true, actions };
}

export interface AreaDescription {
  points: number;
  /** the centre of the ring's bounding box */
  centre: { lat: number; lng: number };
  /** bounding box sides, metres */
  widthMetres: number;
  heightMetres: number;
  /** approximate surface, hectares (planar on a local projection: fine for a town's areas) */
  hectares: number;
}

/** What a screen reader says of an area instead of drawing it: its centre, extent and surface. */
export function describeArea(area: Ring): AreaDescription {
  const xs = area.map((p) => p[0]);
  const ys = area.map((p) => p[1]);
  const minX = Math.min(...xs),
    maxX = Math.max(...xs),
    minY = Math.min(...ys),
    maxY = Math.max(...ys);
  const centre = { lat: (minY + maxY) / 2, lng: (minX + maxX) / 2 };
  const mx = 111_320 * Math.cos((centre.lat * Math.PI) / 180);
  const my = 110_574;
  let twice = 0;
  for (let i = 0; i < area.length; i++) {
    const [x1, y1] = area[i]!;
    const [x2, y2] = area[(i + 1) % area.length]!;
    twice += x1 * mx * (y2 * my) - x2 * mx * (y1 * my);
  }
  return {
    points: area.length,
    centre: { lat: Math.round(centre.lat * 1e5) / 1e5, lng: Math.round(centre.lng * 1e5) / 1e5 },
    widthMetres: distanceMetres({ lat: centre.lat, lng: minX }, { lat: centre.lat, lng: maxX }),
    heightMetres: distanceMetres({ lat: minY, lng: centre.lng }, { lat: maxY, lng: centre.lng }),
    hectares: Math.round(Math.abs(twice) / 2 / 100) / 100,
  };
}
