import { registerDecorator, type ValidationOptions } from 'class-validator';

/** YYYY-MM-DD naming a day that exists (2026-02-30 does not; class-validator's IsDateString lets it through). */
export function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'Date invalide : un jour qui existe, au format AAAA-MM-JJ.', ...options },
      validator: { validate: isCalendarDate },
    });
}
