import { oneLine } from '../mail/headers';

/** A ticket's subject is at most this many characters (the column and the inbox). */
export const SUBJECT_MAX = 300;
/** A subject taken from a description's first line is shortened to this many characters (with an ellipsis). */
export const DERIVED_SUBJECT_LINE_MAX = 120;
/** Fewer characters than this do not make a subject: the fallback is used instead. */
const SUBJECT_MIN = 3;

const chars = (s: string) => [...s];
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/g;
/** Reply and forward prefixes of the languages our citizens write in (Re:, TR:, Fwd:, AW:…), repeated or not. */
const REPLY_PREFIXES = /^\s*((re|tr|fw|fwd|aw)\s*:\s*)+/i;

/**
 * The subject of a request that came without one (public form, Open311): the description's first
 * non-blank line, shortened to 120 characters; when that line is too short to say anything (under 3
 * characters), `fallback` (the category's or service's name), at most 300 characters.
 */
export function subjectFromDescription(description: string, fallback: string): string {
  const line =
    description
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  const c = chars(line);
  if (c.length < SUBJECT_MIN) return chars(fallback).slice(0, SUBJECT_MAX).join('');
  return c.length > DERIVED_SUBJECT_LINE_MAX ? `${c.slice(0, DERIVED_SUBJECT_LINE_MAX - 1).join('')}…` : line;
}

/**
 * The subject of a request that came by e-mail: the message's subject without reply/forward prefixes,
 * on one line (no control characters), at most 300 characters; when nothing is left, "Courriel de" and
 * the sender's name (else address).
 */
export function subjectFromEmail(subject: string, sender: { name: string; address: string }): string {
  const s = oneLine(subject.replace(NUL, '').replace(REPLY_PREFIXES, ''), SUBJECT_MAX);
  if (chars(s).length >= SUBJECT_MIN) return s;
  return chars(`Courriel de ${sender.name || sender.address}`)
    .slice(0, SUBJECT_MAX)
    .join('');
}

/** The subject of a request that came through Open311: as a description's, else the service's name marked "(Open311)". */
export const subjectFromOpen311 = (description: string, serviceName: string): string =>
  subjectFromDescription(description, `${serviceName} (Open311)`);
