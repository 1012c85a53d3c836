import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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

/** GRC_LOG_LEVEL=error|warn|log|debug (default log). */
function logLevels(): LogLevel[] {
  const order: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];
  const wanted = (process.env['GRC_LOG_LEVEL'] ?? 'log') as LogLevel;
  return order.slice(0, Math.max(1, order.indexOf(wanted) + 1));
}

/** Builds the Nest application for a role: REST API, OpenAPI, the built console, or only the worker. */
export async function createApp(config: GrcConfig): Promise<INestApplication> {
  if (config.role === 'worker') {
    const app = await NestFactory.createApplicationContext(AppModule.forRole('worker'), { logger: logLevels() });
    app.enableShutdownHooks();
    return app as unknown as INestApplication;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(config.role), {
    logger: logLevels(),
    bodyParser: false,
  });
  app.use(httpMetrics(app.get(MetricsRegistry)));
  applySecurityHeaders(app, config);
  app.use(cookieParser());
  installBodyParsing(app);
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

/** The built Angular console, same origin as the API, with SPA fallback for its routes. */
function serveConsole(app: NestExpressApplication, config: GrcConfig): void {
  if (!existsSync(join(config.webDist, 'index.html'))) {
    new Logger('Console').warn(`console not built (${config.webDist}); serving the API only`);
    return;
  }
  app.use(
    express.static(config.webDist, {
      index: false,
      setHeaders: (res, path) => {
        if (/-[A-Z0-9]{8}\.(js|css)$/.test(path)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || req.path.startsWith('/api/') || req.path.startsWith('/open311/') || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(config.webDist, 'index.html'));
  });
}
