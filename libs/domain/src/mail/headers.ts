/**
 * Header safety: what goes into an e-mail header (subject, address, display name) must be one line.
 * Values typed by admins are refused when they contain CR/LF; values coming from citizens (ticket
 * subjects) are flattened to one line instead, since they are only data inside our headers.
 */
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export const hasHeaderInjection = (value: string): boolean => LINE_BREAK.test(value) || CONTROL.test(value);

/** One line, no control characters, collapsed spaces, at most `max` characters. */
export function oneLine(value: string, max = 250): string {
  const flat = value
    .replace(/[\r\n\u0085\u2028\u2029\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  const chars = [...flat];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : flat;
}

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** A bare address we are willing to put in To/From: one line, one @, no display name, no list. */
export const isSafeAddress = (value: string): boolean => value.length <= 254 && !hasHeaderInjection(value) && ADDRESS.test(value);

/** `"Mairie" <mairie@x.fr>` or `mairie@x.fr` → its parts; null when it is not one safe address. */
export function parseMailbox(value: string): { name: string | null; address: string } | null {
  if (hasHeaderInjection(value)) return null;
  const m = /^\s*(?:"?([^"<>]*?)"?\s*)?<([^<>]+)>\s*$/.exec(value);
  const address = (m ? m[2] : value).trim();
  if (!isSafeAddress(address)) return null;
  const name = m?.[1]?.trim() || null;
  return { name, address };
}

/** `town+GRC-2026-000123@x.fr` for `town@x.fr`: the per-ticket reply address. */
export function plusAddress(address: string, tag: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).split('+')[0];
  return `${local}+${tag}@${address.slice(at + 1)}`;
}

/** The domain part of an address, lowercased. */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();
