/**
 * The map's tile source is configuration (GRC_MAP_TILES_URL, GRC_MAP_TILES_ATTRIBUTION, GRC_MAP_MAX_ZOOM): the
 * town names the raster tiles it may use (IGN Géoplateforme, its own server, OpenStreetMap's under their
 * policy…) and the attribution their licence asks for. None configured: no map anywhere, no tile is ever
 * fetched, and every page works without it. The tiles' origin is added to the CSP's img-src only then.
 */
export interface MapTilesConfig {
  /** Leaflet URL template: {z}/{x}/{y}, optionally {s} (subdomains a, b, c) and {r} */
  url: string;
  attribution: string;
  maxZoom: number;
  /** for the CSP: scheme://host[:port], `*.` in front when the host has a {s} subdomain */
  origin: string;
}

export function loadMapTiles(env: NodeJS.ProcessEnv = process.env): MapTilesConfig | null {
  const url = (env['GRC_MAP_TILES_URL'] ?? '').trim();
  if (!url) return null;
  if (!/\{z\}/.test(url) || !/\{x\}/.test(url) || !/\{y\}/.test(url))
    throw new Error(`GRC_MAP_TILES_URL must be a tile URL template with {z}, {x} and {y} (got "${url}")`);
  const m = /^(https?):\/\/([^/?#]+)(?:[/?#]|$)/i.exec(url);
  const host = m?.[2] ?? '';
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host);
  if (!m || (m[1]!.toLowerCase() !== 'https' && !loopback))
    throw new Error(`GRC_MAP_TILES_URL must be an https:// URL (http:// only on loopback, for tests) (got "${url}")`);
  const hostForCsp = host.replace(/^\{s\}\./, '*.');
  if (!/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[::1\](:\d{1,5})?$/i.test(hostForCsp))
    throw new Error(`GRC_MAP_TILES_URL: {s} may only be the first label of the host (got "${url}")`);
  const attribution = (env['GRC_MAP_TILES_ATTRIBUTION'] ?? '').trim();
  if (!attribution) throw new Error("GRC_MAP_TILES_ATTRIBUTION is required with GRC_MAP_TILES_URL (the tiles' licence asks for it)");
  const zoom = Number(env['GRC_MAP_MAX_ZOOM'] ?? '19');
  return {
    url,
    attribution: attribution.slice(0, 500),
    maxZoom: Number.isInteger(zoom) && zoom >= 1 && zoom <= 22 ? zoom : 19,
    origin: `${m[1]!.toLowerCase()}://${hostForCsp.toLowerCase()}`,
  };
}
