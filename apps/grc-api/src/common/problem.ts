import { HttpException } from '@nestjs/common';
import { problemCodeOf, type Problem } from '@grc/domain';

/** `code` + `params` let the console word the error in the agent's language. */
export type FieldError = { field: string; message: string; code: string; params?: Record<string, string | number | null> };

/**
 * An error that becomes an RFC 9457 problem document. Messages are written for people
 * (French, as the console's users), with the field at fault when there is one.
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly problemType = 'about:blank',
  ) {
    super({ title, detail, errors }, status);
  }

  private code?: string;
  private params?: Record<string, string | number | null>;

  /** The code (and parameters) the console words; without one, the status's (`problemCodeOf`). */
  withCode(code: string, params?: Record<string, string | number | null>): this {
    this.code = code;
    this.params = params;
    return this;
  }

  toProblem(instance?: string): Problem {
    return {
      type: this.problemType,
      title: (this.getResponse() as { title: string }).title,
      status: this.getStatus(),
      detail: (this.getResponse() as { detail: string }).detail,
      code: this.code ?? problemCodeOf(this.getStatus()),
      ...(this.params ? { params: this.params } : {}),
      ...(instance ? { instance } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new ProblemException(400, 'Requête invalide', detail, errors);
export const invalidField = (field: string, message: string, code: string, params?: Record<string, string | number | null>) =>
  new ProblemException(400, 'Requête invalide', message, [{ field, message, code, ...(params ? { params } : {}) }]);
export const notFound = (what: string) => new ProblemException(404, 'Introuvable', `${what} introuvable.`);
export const forbidden = (detail = "Vous n'avez pas le droit de faire cette action.") => new ProblemException(403, 'Accès refusé', detail);
export const conflict = (detail: string, errors?: FieldError[]) => new ProblemException(409, 'Conflit', detail, errors);
/** Someone else changed the object since it was read (the console offers to reload). */
export const stale = (detail: string, errors?: FieldError[]) => conflict(detail, errors).withCode('stale');
export const staleTicket = () =>
  stale("Ce ticket a été modifié par quelqu'un d'autre entre-temps. Rechargez-le pour voir ses changements avant de recommencer.", [
    { field: 'version', message: 'Version périmée', code: 'stale_version' },
  ]);
