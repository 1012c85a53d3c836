import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ProblemException } from './problem';

/** French messages for class-validator's constraints; the field is named by its path. */
function message(constraint: string, raw: string): string {
  switch (constraint) {
    case 'whitelistValidation':
      return 'Champ inconnu : il n’est pas accepté ici.';
    case 'isNotEmpty':
    case 'isDefined':
      return 'Ce champ est obligatoire.';
    case 'isString':
      return 'Ce champ doit être un texte.';
    case 'isInt':
      return 'Ce champ doit être un nombre entier.';
    case 'isNumber':
      return 'Ce champ doit être un nombre.';
    case 'isBoolean':
      return 'Ce champ doit valoir vrai ou faux.';
    case 'isEmail':
      return 'Adresse e-mail invalide.';
    case 'isUuid':
      return 'Identifiant invalide.';
    case 'isIn':
    case 'isEnum':
      return `Valeur non autorisée. ${raw.replace(/^.*must be one of the following values: /, 'Valeurs possibles : ')}`;
    case 'maxLength':
      return `Texte trop long (${raw.match(/\d+/)?.[0] ?? ''} caractères au plus).`;
    case 'minLength':
      return `Texte trop court (${raw.match(/\d+/)?.[0] ?? ''} caractères au moins).`;
    case 'min':
      return `Valeur trop petite (minimum ${raw.match(/-?\d+(\.\d+)?/)?.[0] ?? ''}).`;
    case 'max':
      return `Valeur trop grande (maximum ${raw.match(/-?\d+(\.\d+)?/)?.[0] ?? ''}).`;
    case 'isDateString':
    case 'isISO8601':
      return 'Date invalide (format attendu : AAAA-MM-JJ).';
    case 'isArray':
      return 'Ce champ doit être une liste.';
    case 'isLatitude':
      return 'Latitude invalide (entre -90 et 90).';
    case 'isLongitude':
      return 'Longitude invalide (entre -180 et 180).';
    case 'nestedValidation':
      return 'Objet invalide.';
    default:
      return raw;
  }
}

/** The constraint's figures, for the console's wording of the code (`maxLength` → `{ max: 200 }`…). */
function params(constraint: string, raw: string): Record<string, string | number> | null {
  const n = raw.match(/-?\d+(\.\d+)?/)?.[0];
  switch (constraint) {
    case 'maxLength':
    case 'max':
    case 'arrayMaxSize':
      return n === undefined ? null : { max: Number(n) };
    case 'minLength':
    case 'min':
    case 'arrayMinSize':
      return n === undefined ? null : { min: Number(n) };
    case 'isIn':
    case 'isEnum': {
      const values = raw.match(/must be one of the following values: (.*)$/)?.[1];
      return values ? { values } : null;
    }
    default:
      return null;
  }
}

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const [constraint, raw] of Object.entries(e.constraints ?? {})) {
      const p = params(constraint, raw);
      out.push({ field, message: message(constraint, raw), code: constraint, ...(p ? { params: p } : {}) });
    }
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** Whitelisting pipe: unknown fields are refused, not silently dropped. */
export const validationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flattenValidationErrors(errors);
      const detail =
        fieldErrors.length === 1 ? `${fieldErrors[0]!.field} : ${fieldErrors[0]!.message}` : `${fieldErrors.length} champs sont invalides.`;
      return new ProblemException(400, 'Données invalides', detail, fieldErrors);
    },
  });
