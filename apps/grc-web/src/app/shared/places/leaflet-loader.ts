/**
 * Leaflet is loaded only when a page shows a map and a tile source is configured: a dynamic import (its own
 * chunk, so the initial bundle does not grow) and its stylesheet, copied by the build under /vendor/leaflet
 * (same origin: the CSP's style-src 'self'). Geoman (drawing routing areas) is loaded on top for the admin only.
 */
export type Leaflet = typeof import('leaflet');

let leaflet: Promise<Leaflet> | null = null;
let geoman: Promise<Leaflet> | null = null;

function stylesheet(href: string): void {
  if (document.querySelector(`link[data-grc="${href}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  link.dataset['grc'] = href;
  document.head.appendChild(link);
}

export function loadLeaflet(): Promise<Leaflet> {
  stylesheet('vendor/leaflet/leaflet.css');
  return (leaflet ??= import('leaflet').then((m) => ((m as unknown as { default?: Leaflet }).default ?? m) as Leaflet));
}

/** Leaflet with @geoman-io/leaflet-geoman-free's editing tools (it patches the global L). */
export function loadGeoman(): Promise<Leaflet> {
  stylesheet('vendor/leaflet/leaflet-geoman.css');
  return (geoman ??= loadLeaflet().then(async (L) => {
    (window as unknown as { L: Leaflet }).L = L;
    await import('@geoman-io/leaflet-geoman-free');
    return L;
  }));
}

/** The configured attribution is text: escaped before Leaflet puts it in the page as HTML. */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
