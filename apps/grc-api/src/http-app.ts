import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import compression from 'compression';
import { constants as zlibConstants } from 'node:zlib';
import cookieParser from 'cookie-parser';
import express from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { installBodyParsing } from './common/body-parsing';
import { InputGuardPipe } from './common/input-guard';
import { NullFieldsPipe } from './common/null-fields';
import { ProblemFilter } from './common/problem.filter';
import { applySecurityHeaders } from './common/security-headers';
import { Open311ExceptionFilter } from './modules/open311/open311.filter';
import { validationPipe } from './common/validation';
import { httpMetrics } from './modules/metrics/http-metrics';
import { MetricsRegistry } from './modules/metrics/metrics.registry';
import { GrcConfig } from './config/config';
import { readEnvironment } from './config/environment';
import { DataSource } from 'typeorm';
import { withRequestContext } from './database/tenancy';
import { publicCommune } from './modules/public/public-commune';

/** GRC_LOG_LEVEL=error|warn|log|debug (default log). */
function logLevels(): LogLevel[] {
  const order: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];
  const wanted: LogLevel = readEnvironment().GRC_LOG_LEVEL;
  return order.slice(0, Math.max(1, order.indexOf(wanted) + 1));
}

/** Builds the Nest application for a role: REST API, OpenAPI, the built console, or only the worker. */
export async function createApp(config: GrcConfig, levels: LogLevel[] = logLevels()): Promise<INestApplication> {
  if (config.role === 'worker') {
    const app = await NestFactory.createApplicationContext(AppModule.forRole('worker'), { logger: levels });
    app.enableShutdownHooks();
    return app as unknown as INestApplication;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(config.role), {
    logger: levels,
    bodyParser: false,
  });
  app.use(httpMetrics(app.get(MetricsRegistry)));
  applySecurityHeaders(app, config);
  app.use(compressResponses());
  app.use(cookieParser());
  installBodyParsing(app);
  // each request in a context of its own: the AuthGuard sets its commune (the session's) there
  app.use((_req: express.Request, _res: express.Response, next: express.NextFunction) => withRequestContext(next));
  // a commune's public pages: /c/<code>/… or its own host (modules/public/public-commune.ts)
  app.use(publicCommune(app.get(DataSource)));
  app.setGlobalPrefix('api/v1', { exclude: ['open311/{*path}'] });
  app.useGlobalPipes(new InputGuardPipe(), new NullFieldsPipe(), validationPipe());
  app.useGlobalFilters(new ProblemFilter([['/open311/', new Open311ExceptionFilter()]]));
  app.enableShutdownHooks();

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('GRC — API de la console')
      .setDescription('Gestion de la relation citoyen: tickets, inbox, citoyens, configuration. Errors are application/problem+json.')
      .setVersion('1')
      .addCookieAuth('grc_session')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json' });

  serveConsole(app, config);
  return app;
}

/** The figures' exports: tens of MB of CSV or XLSX streamed at once (a large department's year at 10 M requests: 42 MB). */
const EXPORTS = '/api/v1/reporting/export';

/**
 * gzip or brotli (the browser's choice, brotli first) for every answer worth it (compression's threshold,
 * 1 KB), API and console alike. A server-sent event stream is never compressed (the middleware would hold
 * events back until its buffer fills), nor an answer that says `no-transform`. The exports at the fastest
 * levels (gzip 1, brotli 1): at the default ones compressing a 42 MB CSV took a third of its 2 s, and the fastest
 * still make it about 6 times smaller for a town's remote sites.
 */
function compressResponses(): express.RequestHandler {
  const filter = (req: express.Request, res: express.Response) => {
    const type = String(res.getHeader('Content-Type') ?? '');
    if (type.startsWith('text/event-stream')) return false;
    return compression.filter(req, res);
  };
  const usual = compression({ filter });
  const exports = compression({ filter, level: 1, brotli: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } } });
  return (req, res, next) => (req.path === EXPORTS ? exports : usual)(req, res, next);
}

/** Files of the build whose name carries a content hash (main-ABCD1234.js, chunk-…, styles-…, media/…-HASH.woff2). */
const HASHED_ASSET = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * The built Angular console, same origin as the API, with SPA fallback for its routes. Hashed files never
 * change under their name: cached for a year, `immutable`. index.html (and every other file: favicon,
 * robots) is revalidated each time (`no-cache`), so a new release is picked up on the next load.
 */
function serveConsole(app: NestExpressApplication, config: GrcConfig): void {
  if (!existsSync(join(config.webDist, 'index.html'))) {
    new Logger('Console').warn(`console not built (${config.webDist}); serving the API only`);
    return;
  }
  app.use(
    express.static(config.webDist, {
      index: false,
      setHeaders: (res, path) => {
        res.setHeader('Cache-Control', HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || req.path.startsWith('/api/') || req.path.startsWith('/open311/') || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(config.webDist, 'index.html'));
  });
}
