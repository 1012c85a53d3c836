import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { FieldError, Validation, fieldError, textLength, validation } from '../errors';
import { oneLine } from '../mail/headers';
import { Channel, isChannel } from '../ticket/channel';

/** A requester is a resident or an organisation (business, association) with a contact person. */
export const REQUESTER_KINDS = ['resident', 'organisation'] as const;
export type RequesterKind = (typeof REQUESTER_KINDS)[number];

export const isRequesterKind = (v: unknown): v is RequesterKind => (REQUESTER_KINDS as readonly unknown[]).includes(v);

/** A citizen as validated and stored: every field present, trimmed, null when empty. */
export interface CitizenFields {
  kind: RequesterKind;
  firstName: string | null;
  lastName: string | null;
  organisationName: string | null;
  contactPerson: string | null;
  email: string | null;
  /** E.164, e.g. +33612345678 */
  phone: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  preferredChannel: Channel | null;
}

/** What a form or an API body may hold: any field may be missing. */
export type CitizenDraft = { [K in keyof CitizenFields]?: CitizenFields[K] | string | null | undefined };

const NAME_MAX = 200;
const EMAIL_MAX = 254;
const ADDRESS_MAX = 500;
const POSTCODE_MAX = 20;

// pragmatic: something@domain.tld, no spaces, no consecutive dots, one @
const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]*[A-Za-z0-9\u00c0-\uffff])?(?:\.[A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff-]*[A-Za-z0-9\u00c0-\uffff])?)+$/;

export const isEmail = (text: string): boolean =>
  textLength(text) <= EMAIL_MAX && EMAIL.test(text) && !text.includes('..') && !text.startsWith('.') && !/\.@/.test(text);

/** Trims, lowercases the domain (the local part is case-sensitive in theory). Null when invalid. */
export function normalizeEmail(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  if (!isEmail(t)) return null;
  const at = t.lastIndexOf('@');
  return t.slice(0, at) + '@' + t.slice(at + 1).toLowerCase();
}

/**
 * A phone number as typed ("06 12 34 56 78", "+33 6 12 34 56 78", "0033 6 12…", "06.12.34.56.78")
 * to E.164 ("+33612345678"). National numbers are read as French; foreign numbers need their
 * "+" (or "00") prefix. Null when not a valid number.
 */
export function normalizePhone(text: string | null | undefined): string | null {
  const t = (text ?? '').trim();
  if (t === '' || t.length > 40) return null;
  const p = parsePhoneNumberFromString(t, 'FR');
  return p && p.isValid() ? p.number : null;
}

const clean = (v: unknown): string | null => {
  if (typeof v !== 'string') return null;
  const t = v.trim().replace(/\s+/g, ' ');
  return t === '' ? null : t;
};
/** Same, keeping line breaks (postal addresses). */
const cleanLines = (v: unknown): string | null => {
  if (typeof v !== 'string') return null;
  const t = v
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '')
    .join('\n');
  return t === '' ? null : t;
};

/**
 * Validates a resident or organisation. Residents need a last name (first name optional),
 * organisations a name; everyone needs at least one way to be reached (email, phone or postal
 * address); email and phone must be valid; the preferred channel needs the matching contact.
 * Returns the normalized fields (trimmed, email domain lowercased, phone in E.164) or the list
 * of field errors with French messages. The "no contact" error is on field `contact`.
 */
export function validateCitizen(input: CitizenDraft): Validation<CitizenFields> {
  const errors: FieldError[] = [];
  const kind = input.kind;
  if (!isRequesterKind(kind)) {
    errors.push(fieldError('kind', 'citizen.kind_invalid', 'Indiquez s’il s’agit d’un particulier ou d’une organisation.'));
  }
  const v = {
    firstName: clean(input.firstName),
    lastName: clean(input.lastName),
    organisationName: clean(input.organisationName),
    contactPerson: clean(input.contactPerson),
    email: clean(input.email),
    phone: clean(input.phone),
    address: cleanLines(input.address),
    postcode: clean(input.postcode),
    city: clean(input.city),
  };

  if (kind === 'resident' && v.lastName === null) {
    errors.push(fieldError('lastName', 'citizen.last_name_required', 'Le nom de l’usager est obligatoire.'));
  }
  if (kind === 'organisation' && v.organisationName === null) {
    errors.push(fieldError('organisationName', 'citizen.organisation_name_required', 'Le nom de l’organisation est obligatoire.'));
  }
  const limits: Array<[keyof typeof v, number, string]> = [
    ['firstName', NAME_MAX, 'Le prénom'],
    ['lastName', NAME_MAX, 'Le nom'],
    ['organisationName', NAME_MAX, 'Le nom de l’organisation'],
    ['contactPerson', NAME_MAX, 'Le nom du contact'],
    ['address', ADDRESS_MAX, 'L’adresse'],
    ['postcode', POSTCODE_MAX, 'Le code postal'],
    ['city', NAME_MAX, 'La commune'],
  ];
  for (const [field, max, label] of limits) {
    const value = v[field];
    if (value !== null && textLength(value) > max) {
      errors.push(fieldError(field, 'citizen.too_long', `${label} ne doit pas dépasser ${max} caractères.`));
    }
  }

  let email: string | null = null;
  if (v.email !== null) {
    email = normalizeEmail(v.email);
    if (email === null)
      errors.push(fieldError('email', 'citizen.email_invalid', 'L’adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr).'));
  }
  let phone: string | null = null;
  if (v.phone !== null) {
    phone = normalizePhone(v.phone);
    if (phone === null)
      errors.push(fieldError('phone', 'citizen.phone_invalid', 'Le numéro de téléphone n’est pas valide (exemple : 06 12 34 56 78).'));
  }
  if (v.email === null && v.phone === null && v.address === null) {
    errors.push(
      fieldError('contact', 'citizen.contact_required', 'Indiquez au moins un moyen de contact : e-mail, téléphone ou adresse postale.'),
    );
  }

  const preferred = input.preferredChannel ?? null;
  let preferredChannel: Channel | null = null;
  if (preferred !== null && preferred !== '') {
    if (!isChannel(preferred)) {
      errors.push(fieldError('preferredChannel', 'citizen.channel_invalid', 'Le canal de contact préféré n’est pas reconnu.'));
    } else {
      preferredChannel = preferred;
      if (preferred === 'email' && v.email === null) {
        errors.push(
          fieldError(
            'preferredChannel',
            'citizen.channel_without_contact',
            'Pour être contacté par e-mail, l’usager doit avoir une adresse e-mail.',
          ),
        );
      } else if (preferred === 'phone' && v.phone === null) {
        errors.push(
          fieldError(
            'preferredChannel',
            'citizen.channel_without_contact',
            'Pour être contacté par téléphone, l’usager doit avoir un numéro.',
          ),
        );
      } else if (preferred === 'mail' && v.address === null) {
        errors.push(
          fieldError(
            'preferredChannel',
            'citizen.channel_without_contact',
            'Pour être contacté par courrier, l’usager doit avoir une adresse postale.',
          ),
        );
      }
    }
  }

  return validation(errors, () => ({
    kind: kind as RequesterKind,
    firstName: kind === 'resident' ? v.firstName : null,
    lastName: kind === 'resident' ? v.lastName : null,
    organisationName: kind === 'organisation' ? v.organisationName : null,
    contactPerson: kind === 'organisation' ? v.contactPerson : null,
    email,
    phone,
    address: v.address,
    postcode: v.postcode,
    city: v.city,
    preferredChannel,
  }));
}

/**
 * The name agents see: "Marie Dupont", "Association Les Amis du Parc (Jean Martin)".
 * Falls back on "Usager sans nom" when nothing is known.
 */
export function citizenDisplayName(c: {
  kind: RequesterKind;
  firstName?: string | null;
  lastName?: string | null;
  organisationName?: string | null;
  contactPerson?: string | null;
}): string {
  if (c.kind === 'organisation') {
    const org = clean(c.organisationName);
    const contact = clean(c.contactPerson);
    if (org && contact) return `${org} (${contact})`;
    if (org || contact) return (org ?? contact) as string;
  } else {
    const name = [clean(c.firstName), clean(c.lastName)].filter((x): x is string => x !== null).join(' ');
    if (name) return name;
  }
  return 'Usager sans nom';
}

/**
 * Folds a text for name matching: lowercase, accents stripped (NFD), ligatures expanded
 * (œ → oe, æ → ae, ß → ss), hyphens and apostrophes read as spaces, spaces collapsed.
 * "  Éloïse D'Aubigné-Lœuvre " → "eloise d aubigne loeuvre".
 */
export function normalizeForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[\s'’‘`´\-‐‑‒–—_.,;:/]+/g, ' ')
    .trim();
}

/**
 * Who wrote to us, as a channel knows them (the public form, an e-mail's From, an Open311 client):
 * split names or one display name, an e-mail and/or a phone (already normalised or as typed).
 */
export interface RequesterDescription {
  kind: RequesterKind;
  firstName?: string | null;
  lastName?: string | null;
  /** One display name ("Marie Dupont", an e-mail's From): read as "first names… last name" when no split name is given. */
  displayName?: string | null;
  email?: string | null;
  phone?: string | null;
  /** The last name when none is known (default: the e-mail's local part). */
  fallbackName?: string | null;
}

const PART_MAX = 100;

/**
 * A display name split as "first names… last name" (the last word is the last name), cleaned for a
 * name field: one line, no control characters, no `<>@"` (what an e-mail's From name may carry).
 * "Jean-Pierre de la Fontaine" → firstName "Jean-Pierre de la", lastName "Fontaine".
 */
export function splitDisplayName(name: string | null | undefined): { firstName: string | null; lastName: string | null } {
  const parts = oneLine(name ?? '', NAME_MAX)
    .replace(/[<>@"]/g, '')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  if (parts.length === 0) return { firstName: null, lastName: null };
  return {
    firstName: parts.length > 1 ? parts.slice(0, -1).join(' ').slice(0, PART_MAX) : null,
    lastName: parts[parts.length - 1]!.slice(0, PART_MAX),
  };
}

/**
 * The citizen a channel creates for a requester nobody knows yet (the one intake rule of every channel):
 * - no e-mail and no phone: nobody to reach, no citizen (null) — the ticket is registered without one;
 * - names: the split names, else the display name split; a lone first name becomes the last name;
 *   nothing at all: `fallbackName`, else the e-mail's local part;
 * - the preferred channel is the contact they gave us, the e-mail first (the copies disagreed: the public
 *   form set it, e-mail and Open311 left it empty; a person who wrote with an address expects answers there);
 * - then validateCitizen: invalid contact or names are field errors, never a half-valid row.
 */
export function requesterCitizen(r: RequesterDescription): Validation<CitizenFields> | null {
  const email = clean(r.email);
  const phone = clean(r.phone);
  if (email === null && phone === null) return null;
  let firstName = clean(r.firstName);
  let lastName = clean(r.lastName);
  if (firstName === null && lastName === null) ({ firstName, lastName } = splitDisplayName(r.displayName));
  if (lastName === null) [lastName, firstName] = [firstName, null];
  if (lastName === null) lastName = clean(r.fallbackName) ?? (email !== null ? (clean(email.split('@')[0]) ?? email) : null);
  const preferredChannel = email !== null ? 'email' : 'phone';
  if (r.kind === 'organisation') {
    // an organisation is named by its display name; the split names are its contact person
    const person = [clean(r.firstName), clean(r.lastName)].filter((x): x is string => x !== null).join(' ');
    const organisationName = clean(r.displayName) ?? (person || null);
    return validateCitizen({ kind: r.kind, organisationName, contactPerson: person || null, email, phone, preferredChannel });
  }
  return validateCitizen({ kind: r.kind, firstName, lastName, email, phone, preferredChannel });
}
