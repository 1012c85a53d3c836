/**
 * Routing: which department receives a new ticket. Rules are data (edited by admins):
 * the rules of the ticket's category run in `position` order (lower first, then id);
 * a rule with an area matches only when the ticket's location lies inside the polygon
 * (boundary counts as inside); a rule without area always matches; when nothing matches,
 * the category's default department takes the ticket.
 */
import { kinks } from '@turf/kinks';
import { FieldError, Validation, fieldError, validation } from '../errors';

/** [lng, lat] — GeoJSON order. */
export type LngLat = [number, number];

export interface RoutingRuleData {
  id: string;
  categoryId: string;
  departmentId: string;
  areaName: string | null;
  area: ReadonlyArray<readonly [number, number]> | null;
  position: number;
}

export interface RoutingInput {
  categoryId: string;
  location?: { lat: number; lng: number } | null;
}

export type RoutingReason = 'area_match' | 'rule_without_area' | 'category_default';

export interface RoutingDecision {
  departmentId: string;
  ruleId: string | null;
  reason: RoutingReason;
  /** French, for the timeline: why this department. */
  explanation: string;
}

const compareRules = (a: RoutingRuleData, b: RoutingRuleData): number =>
  a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The rules that apply to a category, in the order they are tried. */
export const rulesForCategory = (rules: readonly RoutingRuleData[], categoryId: string): RoutingRuleData[] =>
  rules.filter((r) => r.categoryId === categoryId).sort(compareRules);

export function routeTicket(rules: readonly RoutingRuleData[], categoryDefaultDepartmentId: string, input: RoutingInput): RoutingDecision {
  const loc = input.location;
  const point: LngLat | null = loc && Number.isFinite(loc.lat) && Number.isFinite(loc.lng) ? [loc.lng, loc.lat] : null;
  for (const rule of rulesForCategory(rules, input.categoryId)) {
    if (rule.area === null) {
      return {
        departmentId: rule.departmentId,
        ruleId: rule.id,
        reason: 'rule_without_area',
        explanation: 'Règle d’aiguillage de la catégorie (sans zone).',
      };
    }
    if (point !== null && pointInPolygon(point, rule.area)) {
      const name = rule.areaName ? ` « ${rule.areaName} »` : '';
      return {
        departmentId: rule.departmentId,
        ruleId: rule.id,
        reason: 'area_match',
        explanation: `Règle d’aiguillage de la catégorie : la localisation est dans la zone${name}.`,
      };
    }
  }
  return {
    departmentId: categoryDefaultDepartmentId,
    ruleId: null,
    reason: 'category_default',
    explanation: 'Aucune règle d’aiguillage ne correspond : service par défaut de la catégorie.',
  };
}

/** Is p on the segment a–b (collinear within a tiny tolerance, and between the ends)? */
function onSegment(p: readonly [number, number], a: readonly [number, number], b: readonly [number, number]): boolean {
  const [px, py] = p;
  const [ax, ay] = a;
  const [bx, by] = b;
  const cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax);
  const scale = Math.max(Math.abs(bx - ax), Math.abs(by - ay), 1);
  if (Math.abs(cross) > 1e-12 * scale) return false;
  return px >= Math.min(ax, bx) && px <= Math.max(ax, bx) && py >= Math.min(ay, by) && py <= Math.max(ay, by);
}

/**
 * Ray casting (even–odd) on a [lng, lat] polygon, closed or not. Points on an edge or a vertex
 * count as inside. Planar: fine for a town's neighbourhoods, not for polygons crossing ±180°.
 */
export function pointInPolygon(point: readonly [number, number], polygon: ReadonlyArray<readonly [number, number]>): boolean {
  const n = polygon.length;
  if (n < 3) return false;
  const [x, y] = point;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = polygon[i] as readonly [number, number];
    const b = polygon[j] as readonly [number, number];
    if (onSegment(point, a, b)) return true;
    const [xi, yi] = a;
    const [xj, yj] = b;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Twice the signed area (shoelace); 0 for a flat polygon. */
const doubleArea = (pts: ReadonlyArray<readonly [number, number]>): number => {
  let s = 0;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const a = pts[i] as readonly [number, number];
    const b = pts[j] as readonly [number, number];
    s += (b[0] - a[0]) * (b[1] + a[1]);
  }
  return s;
};

/**
 * Where the ring's sides cross or touch each other (not at the vertex two neighbouring sides share): a
 * bow-tie's crossing. `@turf/kinks` (pairs of sides, O(n²): an area has at most a thousand points).
 */
export function selfIntersections(open: ReadonlyArray<readonly [number, number]>): LngLat[] {
  const ring = [...open.map(([x, y]) => [x, y]), [open[0]![0], open[0]![1]]];
  return kinks({ type: 'Polygon', coordinates: [ring] }).features.map((f) => f.geometry.coordinates as LngLat);
}

/**
 * Checks an area coming from the admin screen or an import: an array of at least 3 distinct
 * [lng, lat] points, lng in [-180, 180], lat in [-90, 90], not flat, its sides not crossing each other (a
 * bow-tie has no clear inside: the even-odd point-in-polygon test would route half of it by chance).
 * Returns the polygon without the closing point (if the first point was repeated at the end).
 */
export function validatePolygon(area: unknown, field = 'area'): Validation<LngLat[]> {
  const errors: FieldError[] = [];
  if (!Array.isArray(area)) {
    return validation(
      [fieldError(field, 'polygon.not_an_array', 'La zone doit être une liste de points [longitude, latitude].')],
      () => [],
    );
  }
  const points: LngLat[] = [];
  area.forEach((pt: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!Array.isArray(pt) || pt.length !== 2 || !pt.every((c) => typeof c === 'number' && Number.isFinite(c))) {
      errors.push(fieldError(f, 'polygon.point_invalid', `Le point n° ${i + 1} doit être une paire de nombres [longitude, latitude].`));
      return;
    }
    const [lng, lat] = pt as [number, number];
    if (lng < -180 || lng > 180) {
      errors.push(
        fieldError(f, 'polygon.longitude_out_of_range', `Le point n° ${i + 1} a une longitude hors de l’intervalle [-180, 180].`),
      );
    }
    if (lat < -90 || lat > 90) {
      errors.push(fieldError(f, 'polygon.latitude_out_of_range', `Le point n° ${i + 1} a une latitude hors de l’intervalle [-90, 90].`));
    }
    points.push([lng, lat]);
  });
  if (errors.length > 0) return validation(errors, () => []);
  const first = points[0];
  const last = points[points.length - 1];
  const open = points.length > 1 && first && last && first[0] === last[0] && first[1] === last[1] ? points.slice(0, -1) : points;
  const distinct = new Set(open.map(([lng, lat]) => `${lng},${lat}`));
  if (distinct.size < 3) {
    errors.push(fieldError(field, 'polygon.too_few_points', 'La zone doit compter au moins 3 points distincts.'));
  } else if (doubleArea(open) === 0) {
    errors.push(fieldError(field, 'polygon.flat', 'Les points de la zone sont alignés : la zone n’a pas de surface.'));
  } else {
    const [crossing] = selfIntersections(open);
    if (crossing)
      errors.push(
        fieldError(
          field,
          'polygon.self_intersecting',
          `Les côtés de la zone se croisent (vers ${crossing[0].toFixed(5)}, ${crossing[1].toFixed(5)}) : redessinez son contour sans croisement.`,
        ),
      );
  }
  return validation(errors, () => open);
}
