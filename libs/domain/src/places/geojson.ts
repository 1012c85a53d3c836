/**
 * Routing areas as GeoJSON (RFC 7946): the admin's import and export of the polygons that refine routing.
 * A routing rule's `area` is an open ring of [longitude, latitude] points (the domain's point-in-polygon test
 * reads it as is); GeoJSON wants closed rings, so the export closes it and the import opens it again.
 */
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

export type GeoJsonAreasResult =
  | { ok: true; areas: Array<{ name: string | null; ruleId: string | null; area: Array<[number, number]> }> }
  | { ok: false; code: string; index: number | null };

const MAX_POINTS = 1000;

/** Reads a FeatureCollection (or one Feature) of Polygons: each one's outer ring, opened; holes are refused. */
export function geoJsonToAreas(input: unknown): GeoJsonAreasResult {
  const obj = input as { type?: unknown; features?: unknown };
  const features: unknown[] =
    obj?.type === 'FeatureCollection' && Array.isArray(obj.features) ? obj.features : obj?.type === 'Feature' ? [obj] : [];
  if (!features.length) return { ok: false, code: 'geojson.empty', index: null };
  const areas: Array<{ name: string | null; ruleId: string | null; area: Array<[number, number]> }> = [];
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
    areas.push({
      name: typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : null,
      ruleId: typeof ruleId === 'string' ? ruleId : null,
      area: points,
    });
  }
  return { ok: true, areas };
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
