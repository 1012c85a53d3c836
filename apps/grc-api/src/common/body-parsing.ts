import type { INestApplication } from '@nestjs/common';
import express from 'express';
import { findInputFault, inputFault } from './input-guard';
import { ProblemException } from './problem';

/** Deeper JSON is refused before parsing: no form of the product nests beyond a few levels. */
export const MAX_JSON_DEPTH = 32;
export const MAX_BODY = '1mb';

const tooDeep = () =>
  Object.assign(
    new ProblemException(
      400,
      'Requête invalide',
      `Le corps de la requête est imbriqué trop profondément (${MAX_JSON_DEPTH} niveaux au plus).`,
      [{ field: 'body', message: `Imbrication trop profonde (${MAX_JSON_DEPTH} niveaux au plus).`, code: 'input.too_deep' }],
    ),
    // body-parser keeps the status of an error thrown by `verify`
    { status: 400, type: 'entity.too.deep' },
  );

/** Counts brackets outside strings on the raw bytes: O(n), no recursion, before JSON.parse or any walk. */
export function checkJsonDepth(buf: Buffer): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw tooDeep();
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Decoded path segments: a bad escape is a 400, and NUL/lone surrogates are refused like any field. */
function pathFault(path: string) {
  for (const segment of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { field: 'path', message: 'Adresse mal encodée.', code: 'input.path_encoding' };
    }
    const fault = findInputFault(decoded, 'path');
    if (fault) return fault;
  }
  return null;
}

/**
 * Body parsing at the edge: JSON (UTF-8/16/32 only: another charset is 415) and urlencoded forms,
 * both size-limited, JSON depth-limited; then every input of the request — path, query, parsed body —
 * is checked for NUL bytes, lone surrogates and prototype keys, refused with a 400 naming the field.
 * Header values cannot hold either (Node's HTTP parser refuses NUL; headers are Latin-1).
 */
export function installBodyParsing(app: INestApplication): void {
  app.use(express.json({ limit: MAX_BODY, verify: (_req, _res, buf) => checkJsonDepth(buf) }));
  app.use(express.urlencoded({ extended: false, limit: MAX_BODY, parameterLimit: 200 }));
  app.use((req: express.Request, _res: express.Response, next: express.NextFunction) => {
    const fault = pathFault(req.path) ?? findInputFault(req.query) ?? findInputFault(req.body);
    next(fault ? inputFault(fault) : undefined);
  });
}
