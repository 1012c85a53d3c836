import type express from 'express';
import type { DataSource } from 'typeorm';
import { enterCommune, enterPublicPrefix } from '../../database/tenancy';
import { PublicCommunesRepository, type PublicCommuneRow } from './public-communes.repository';

/** `/c/<code>/…`: a commune's public pages (and its API calls) by path. */
const PREFIX = /^\/c\/([a-z0-9]+(?:-[a-z0-9]+)*)(\/.*)?$/;
const TTL_MS = 30_000;
/** an unknown code reloads the list, at most this often */
const RELOAD_MS = 2_000;

/**
 * Public pages per commune (issue 15): the request's commune, before any route runs — `/c/<code>/…` (the
 * prefix is removed: `/c/val-fleuri/demande` is the page `/demande`, `/c/val-fleuri/api/v1/public/form` the
 * API's `/api/v1/public/form`, both as Val-Fleuri), else the commune whose `public_host` is the request's
 * Host, else the install's default. A signed-in agent's session still decides for the console (AuthGuard).
 * An unknown code: 404. The communes are read once per 30 s (a small shared table).
 */
let generation = 0;
/**
 * The communes changed in this process (Administration › Communes): the next request reads them again (another
 * process of the install within its 30 s; an unknown code within 2 s).
 */
export function invalidatePublicCommunes(): void {
  generation++;
}

export function publicCommune(ds: DataSource): express.RequestHandler {
  const rows = new PublicCommunesRepository(ds);
  interface Communes {
    at: number;
    generation: number;
    byCode: Map<string, string>;
    byHost: Map<string, string>;
  }
  let cache: Communes | null = null;
  let loading: Promise<Communes> | null = null;
  const load = (maxAge: number): Promise<Communes> => {
    if (cache && cache.generation === generation && Date.now() - cache.at < maxAge) return Promise.resolve(cache);
    const read = generation;
    loading ??= rows
      .all()
      .then((list: PublicCommuneRow[]) => {
        const fresh: Communes = {
          at: Date.now(),
          generation: read,
          byCode: new Map(list.map((c) => [c.code, c.id])),
          byHost: new Map(list.filter((c) => c.public_host).map((c) => [c.public_host!, c.id])),
        };
        cache = fresh;
        return fresh;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  };

  return (req, res, next) => {
    const path = PREFIX.exec(req.url);
    // the common case: no prefix, and (known) no commune has a host of its own
    if (!path && cache && cache.byHost.size === 0 && cache.generation === generation && Date.now() - cache.at < TTL_MS) return next();
    const host = String(req.headers.host ?? '')
      .toLowerCase()
      .replace(/:\d+$/, '');
    const answer = async (): Promise<void> => {
      if (path) {
        let c = await load(TTL_MS);
        if (!c.byCode.has(path[1]!)) c = await load(RELOAD_MS);
        const id = c.byCode.get(path[1]!);
        if (!id) {
          res
            .status(404)
            .type('application/problem+json')
            .send(
              JSON.stringify({
                type: 'about:blank',
                title: 'Not Found',
                status: 404,
                code: 'commune_not_found',
                detail: 'Aucune commune de ce code.',
              }),
            );
          return;
        }
        req.url = path[2] ?? '/';
        enterCommune(id);
        enterPublicPrefix(`/c/${path[1]}`);
      } else {
        const id = (await load(TTL_MS)).byHost.get(host);
        if (id) {
          enterCommune(id);
          enterPublicPrefix('');
        }
      }
      next();
    };
    answer().catch(next);
  };
}
