/** Routing as a town pack states it: first matching rule by position, else the category's default department. */
import type { PackPolygon, TownPack } from './schema';

/** Ray casting; the polygon is a list of [lng, lat] points, closed or not. */
export function isPointInPackArea(lng: number, lat: number, polygon: PackPolygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] as [number, number];
    const [xj, yj] = polygon[j] as [number, number];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Department code a request of `categoryCode` at `point` goes to, following the pack's rules
 * (sorted by position; a rule with an area matches only a point inside it). Null for an unknown category.
 */
export function routeInPack(
  pack: Pick<TownPack, 'categories' | 'routing'>,
  categoryCode: string,
  point: { lat: number; lng: number } | null,
): string | null {
  const category = pack.categories.find((c) => c.code === categoryCode);
  if (!category) return null;
  const rules = pack.routing.filter((r) => r.category === categoryCode).sort((a, b) => a.position - b.position);
  for (const r of rules) {
    if (r.area === null) return r.department;
    if (point && isPointInPackArea(point.lng, point.lat, r.area)) return r.department;
  }
  return category.department;
}
