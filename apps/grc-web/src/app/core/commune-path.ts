/**
 * Public pages per commune (issue 15): opened under `/c/<code>/…` (`/c/val-fleuri/demande`), the console
 * works for that commune — its router's base is `/c/<code>/` and its API calls go to `/c/<code>/api/v1/…`,
 * which the server answers as that commune. Opened anywhere else: '' (the host's commune, or the default).
 */
const PREFIX = /^\/c\/([a-z0-9]+(?:-[a-z0-9]+)*)(?=\/|$)/;

export function communePrefix(path: string = typeof location === 'undefined' ? '/' : location.pathname): string {
  const m = PREFIX.exec(path);
  return m ? `/c/${m[1]}` : '';
}
