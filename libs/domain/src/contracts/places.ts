/** REST contract of places (modules/places): addresses of the BAN, the map's settings and data. */

export interface AddressSuggestion {
  /** the BAN id of the address, or `street:<key>` for a street without the number typed */
  id: string;
  kind: 'address' | 'street';
  number: number | null;
  rep: string | null;
  street: string;
  postcode: string;
  commune: string;
  /** "12 bis Rue Nationale, 37999 Saint-Aubin-sur-Loire" (names as the BAN writes them) */
  label: string;
  lat: number;
  lng: number;
  /** reverse geocoding only: metres from the point asked */
  distanceMetres?: number;
}

export interface BanImportReport {
  /** lines read (header excluded) */
  lines: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** addresses of the file's communes that the file no longer has */
  removed: number;
  /** lines refused (the first ones listed, with their line number, field and code) */
  rejected: number;
  rejections: Array<{ line: number; field: string; code: string }>;
  communes: string[];
}

export interface PlacesSummary {
  addresses: number;
  streets: number;
  communes: Array<{ insee: string; name: string; addresses: number }>;
  lastImportAt: string | null;
}

/** The map's tile source (configuration); null: no map, every page works without it. */
export interface MapSettings {
  tiles: { url: string; attribution: string; maxZoom: number } | null;
  /** where the map opens when nothing is placed yet (the town's addresses' centre), null without addresses */
  centre: { lat: number; lng: number } | null;
}

export interface NearbyRequest {
  id: string;
  reference: string;
  subject: string;
  status: string;
  address: string | null;
  lat: number;
  lng: number;
  distanceMetres: number;
}

/** One cell of the map of requests at a zoom level: a single request or a cluster. */
export interface RequestsMapCell {
  lat: number;
  lng: number;
  count: number;
  /** the worst SLA state among the cell's requests */
  sla: 'breached' | 'due_soon' | 'ok' | 'none';
  /** the most frequent status of the cell */
  status: string;
  /** only when count = 1 */
  ticket?: { id: string; reference: string; subject: string; status: string; address: string | null };
}

export interface RequestsMap {
  zoom: number;
  /** open, placed requests of the filters in the viewport (all of them, even when `truncated`) */
  total: number;
  cells: RequestsMapCell[];
  /** more cells than the answer carries (the most populated are given): zoom in to see the others */
  truncated: boolean;
  /** requests of the filters that have no position (not on the map) */
  unplaced: number;
}

/** The GeoJSON import of routing areas: what each feature does (the preview) or did (applied, in one transaction). */
export interface RoutingAreasImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  items: Array<{
    /** the feature's index in the file (0-based) */
    index: number;
    kind: 'create' | 'update' | 'unchanged';
    /** the rule updated, or created (null in a preview of a creation) */
    ruleId: string | null;
    categoryId: string;
    departmentId: string;
    areaName: string;
    /** the fields an update changes */
    changes: Array<'area' | 'areaName' | 'departmentId'>;
  }>;
}
