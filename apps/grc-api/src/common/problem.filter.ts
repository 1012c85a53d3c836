import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { problemCodeOf, type Problem } from '@grc/domain';
import { ProblemException } from './problem';

const TITLES: Record<number, string> = {
  400: 'Requête invalide',
  401: 'Authentification requise',
  403: 'Accès refusé',
  404: 'Introuvable',
  405: 'Méthode non autorisée',
  409: 'Conflit',
  413: 'Contenu trop volumineux',
  415: 'Type de contenu non pris en charge',
  429: 'Trop de requêtes',
  500: 'Erreur interne',
};

/** Framework errors whose own message is not for people: the sentence said instead. */
const HTTP_DETAILS: Record<number, string> = {
  404: 'Cette adresse ne correspond à aucune ressource.',
  413: 'Le contenu envoyé est trop volumineux.',
  429: 'Trop de requêtes : patientez une minute avant de réessayer.',
};

/**
 * Every error leaves as application/problem+json; internals never leak. Standards with an error
 * format of their own (Open311) get their errors — even those raised before routing, such as a
 * malformed body — through the filter registered for their URL prefix.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly log = new Logger('ProblemFilter');

  constructor(private readonly byPrefix: Array<[prefix: string, filter: ExceptionFilter]> = []) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const delegate = this.byPrefix.find(([prefix]) => req.originalUrl.startsWith(prefix));
    if (delegate) return delegate[1].catch(error, host);
    // the path only: a query string may hold a secret (a tracking key), never echoed nor logged
    const path = req.originalUrl.split('?')[0];
    const problem = this.toProblem(error, path);
    if (problem.status >= 500) this.log.error(`${req.method} ${path}`, (error as Error)?.stack ?? String(error));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(error: unknown, instance: string): Problem {
    if (error instanceof ProblemException) return error.toProblem(instance);
    const problem = (status: number, detail: string, extra: Partial<Pick<Problem, 'errors' | 'code'>> = {}): Problem => ({
      type: 'about:blank',
      title: TITLES[status] ?? 'Erreur',
      status,
      detail,
      code: problemCodeOf(status),
      instance,
      ...extra,
    });
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return problem(status, HTTP_DETAILS[status] ?? (typeof message === 'string' ? message : (TITLES[status] ?? 'Erreur')));
    }
    const err = error as { type?: string; status?: number; expose?: boolean; code?: string; driverError?: { code?: string } };
    // body-parser errors (malformed JSON, too large, charset)
    if (err?.type === 'entity.parse.failed') return problem(400, "Le corps de la requête n'est pas un JSON valide.");
    if (err?.type === 'entity.too.large') return problem(413, HTTP_DETAILS[413]!);
    if (err?.type === 'charset.unsupported' || err?.type === 'encoding.unsupported') {
      return problem(415, 'Jeu de caractères ou encodage non pris en charge : envoyez de l’UTF-8.', {
        errors: [{ field: 'content-type', message: 'Jeu de caractères non pris en charge.', code: 'input.charset' }],
      });
    }
    if (err?.expose && typeof err.status === 'number' && err.status >= 400 && err.status < 500) {
      return { ...problem(err.status, TITLES[err.status] ?? 'Requête invalide.'), title: TITLES[err.status] ?? 'Requête invalide' };
    }
    if (isRowSecurityRefusal(err)) {
      // the application's own checks should have refused it with the field named: logged as an error, answered 403
      this.log.error(`row-level security refused a write on ${instance}: ${(error as Error).message}`);
      return problem(403, 'Cette modification sortirait des données du périmètre de votre commune : elle est refusée.', {
        code: 'tenant.out_of_reach',
      });
    }
    const sqlstate = inputSqlState(err);
    if (sqlstate) {
      this.log.warn(`input refused by PostgreSQL (${sqlstate}) on ${instance}: ${(error as Error).message}`);
      return problem(400, 'Une valeur de la requête est invalide ou hors des limites permises.');
    }
    return problem(500, "Une erreur inattendue s'est produite. Elle a été journalisée.");
  }
}

/**
 * PostgreSQL errors that only a value sent by the client can cause — data exceptions (class 22: bad
 * text for a type, out of range, too long, bad date, NUL…), a check constraint, too deep or too
 * complex (54: stack depth, tsquery) — are the client's fault: 400, never 500. Validation should
 * have caught them with the field named; this is the net under it (logged as a warning).
 */
function inputSqlState(err: { code?: string; driverError?: { code?: string } } | undefined): string | null {
  const code = err?.driverError?.code ?? err?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  return code.startsWith('22') || code.startsWith('54') || code === '23514' ? code : null;
}

/**
 * PostgreSQL's row-level security refusing a row the statement wrote (`new row violates row-level security
 * policy`, SQLSTATE 42501): the tenant net under the application's checks (a commune's request moved out of its
 * commune's reach). The request is refused, never a 500.
 */
function isRowSecurityRefusal(err: { code?: string; message?: string; driverError?: { code?: string } } | undefined): boolean {
  const code = err?.driverError?.code ?? err?.code;
  return code === '42501' && typeof err?.message === 'string' && err.message.includes('row-level security');
}
