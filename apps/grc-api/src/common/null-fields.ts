import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem';

type ModelFactory = { _OPENAPI_METADATA_FACTORY?: () => Record<string, { nullable?: boolean }> };

/**
 * `null` is accepted exactly where the DTO's type says `| null` (it then means "clear"): class-validator's
 * IsOptional lets null through everywhere, and a null subject or priority then reached the database.
 * Elsewhere a null is refused with the field named. Which fields are nullable is read from the
 * OpenAPI model metadata the Swagger plugin writes from the TypeScript types (build and tests alike).
 */
@Injectable()
export class NullFieldsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || !value || typeof value !== 'object' || Array.isArray(value)) return value;
    // a DTO's own fields and those it inherits (Update…Dto extends Create…Dto)
    const model: Record<string, { nullable?: boolean }> = {};
    for (
      let c = metadata.metatype as (ModelFactory & object) | undefined;
      c && c !== Object && c !== Function.prototype;
      c = Object.getPrototypeOf(c)
    ) {
      if (Object.prototype.hasOwnProperty.call(c, '_OPENAPI_METADATA_FACTORY'))
        Object.assign(model, { ...c._OPENAPI_METADATA_FACTORY!(), ...model });
    }
    const errors = Object.entries(value as Record<string, unknown>)
      .filter(([key, v]) => v === null && key in model && !model[key]!.nullable)
      .map(([field]) => ({ field, message: 'Valeur nulle non acceptée : omettez ce champ ou donnez une valeur.', code: 'isNotNull' }));
    if (errors.length) {
      throw new ProblemException(
        400,
        'Données invalides',
        errors.length === 1 ? `${errors[0]!.field} : ${errors[0]!.message}` : `${errors.length} champs sont invalides.`,
        errors,
      );
    }
    return value;
  }
}
