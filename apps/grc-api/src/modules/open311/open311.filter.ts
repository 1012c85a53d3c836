import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemException } from '../../common/problem';
import { formatOfUrl, Open311Error, type Open311Status } from './open311.errors';
import { sendOpen311 } from './open311.format';

// PostgreSQL errors that can only come from a value sent by the client (bad text, out of range, too long, check).
const INPUT_SQLSTATES = new Set(['22P02', '22003', '22001', '22007', '22008', '23514', '22021']);

/**
 * Scoped to the Open311 controller: every error leaves in the standard's format
 * (`[{"code":400,"description":"…"}]` or `<errors><error><code>…`) with one of its codes;
 * bad input never becomes a 5xx.
 */
@Catch()
export class Open311ExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('Open311');

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const { status, description } = this.map(error);
    if (status >= 500) this.log.error(`${req.method} ${req.originalUrl}`, (error as Error)?.stack ?? String(error));
    if (res.headersSent) return;
    sendOpen311(res, formatOfUrl(req.originalUrl), status, 'errors', 'error', [{ code: status, description }]);
  }

  map(error: unknown): { status: Open311Status; description: string } {
    if (error instanceof Open311Error) return { status: error.status, description: error.description };
    if (error instanceof ProblemException || error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse() as { detail?: string; message?: unknown } | string;
      const message = typeof body === 'string' ? body : (body.detail ?? (typeof body.message === 'string' ? body.message : null));
      if (status === 401 || status === 403) return { status: 403, description: message ?? 'Accès refusé.' };
      if (status === 404 || status === 405) return { status: 404, description: 'Cette adresse ne correspond à aucune ressource Open311.' };
      if (status === 413) return { status: 413, description: 'Le contenu envoyé est trop volumineux.' };
      if (status < 500) return { status: 400, description: message ?? 'Requête invalide.' };
    }
    const err = error as { type?: string; code?: string; status?: number };
    if (err?.type === 'entity.parse.failed') return { status: 400, description: "Le corps de la requête n'est pas valide." };
    if (err?.type === 'charset.unsupported' || err?.type === 'encoding.unsupported')
      return { status: 400, description: 'Jeu de caractères non pris en charge : envoyez de l’UTF-8.' };
    if (err?.type === 'entity.too.large') return { status: 413, description: 'Le contenu envoyé est trop volumineux.' };
    if (typeof err?.code === 'string' && INPUT_SQLSTATES.has(err.code))
      return { status: 400, description: 'Valeur invalide dans la requête.' };
    return { status: 500, description: "Une erreur inattendue s'est produite. Elle a été journalisée." };
  }
}
