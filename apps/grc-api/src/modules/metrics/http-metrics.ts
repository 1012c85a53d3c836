import type { NextFunction, Request, Response } from 'express';
import { MetricsRegistry } from './metrics.registry';

/**
 * Express middleware (installed first in http-app.ts): times every request and records it under its
 * route's pattern (`/api/v1/tickets/:id`), never the raw URL — a label per ticket id would grow without
 * end. Requests no route matched (the console's files, 404s) share the label `unmatched`.
 */
export function httpMetrics(metrics: MetricsRegistry) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req as Request & { route?: { path?: unknown } }).route?.path;
      const pattern = typeof route === 'string' ? `${req.baseUrl ?? ''}${route}` : 'unmatched';
      metrics.observeHttp(req.method, pattern, res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
}
