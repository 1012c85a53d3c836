import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { GrcConfig } from '../config/config';

/**
 * The headers every answer carries, with helmet: a strict Content-Security-Policy for the console (scripts
 * only from our origin, never inline — the Angular build inlines none, see apps/grc-web/project.json; styles
 * may be inline because Angular injects its components' styles at run time), no framing, no sniffing, and
 * HSTS when the app is served over TLS (secure cookies). Downloads override the CSP with a sandbox.
 * `trust proxy` decides which X-Forwarded-For hops are believed (GRC_TRUST_PROXY): rate limits count per
 * client address, so behind a reverse proxy it must name that proxy.
 */
export function applySecurityHeaders(app: NestExpressApplication, config: GrcConfig): void {
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          // the map's tiles (GRC_MAP_TILES_URL): their origin only when a source is configured
          'img-src': ["'self'", 'data:', 'blob:', ...(config.mapTiles ? [config.mapTiles.origin] : [])],
          'font-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          ...(config.secureCookies ? { 'upgrade-insecure-requests': [] } : {}),
        },
      },
      strictTransportSecurity: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: false } : false,
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    // API answers hold personal data and depend on the session or on a header (the tracking key): never
    // kept in a browser's cache (a shared counter PC), never replayed for another key (a 410 is cacheable by default)
    if (req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store');
    next();
  });
}
