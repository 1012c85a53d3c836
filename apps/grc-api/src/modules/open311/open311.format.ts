import type { Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';
import type { Open311Format } from './open311.errors';

/** A value as GeoReport v2 shows it: null becomes an empty element in XML and null in JSON. */
export type Open311Value = string | number | boolean | null | Open311Object | Open311Object[];
export interface Open311Object {
  [key: string]: Open311Value;
}

const builder = new XMLBuilder({ format: true, ignoreAttributes: false, suppressEmptyNode: true, processEntities: true });

// Characters XML 1.0 forbids (a description pasted with control characters must not break the document).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** `{attributes: [a, b]}` stays an array in JSON; in XML a list is wrapped in its container, one element per item. */
function toXmlTree(value: Open311Value, listItem: Record<string, string>, key = ''): unknown {
  if (value === null) return '';
  if (Array.isArray(value)) {
    const item = listItem[key];
    return { [item ?? 'item']: value.map((v) => toXmlTree(v, listItem)) };
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toXmlTree(v, listItem, k)]));
  }
  if (typeof value === 'string') return value.replace(INVALID_XML_CHARS, '');
  return String(value);
}

/** Element names of list items inside objects: a service definition's attributes and an attribute's values. */
const LIST_ITEMS: Record<string, string> = { attributes: 'attribute', values: 'value' };

/**
 * Sends a GeoReport v2 document. `root`/`item` name the XML wrapper and its repeated element
 * (`<services><service>…`, `<service_requests><request>…`, `<errors><error>…`); JSON is the bare array,
 * or the bare object when `item` is null (a service definition).
 */
export function sendOpen311(
  res: Response,
  format: Open311Format,
  status: number,
  root: string,
  item: string | null,
  body: Open311Object | Open311Object[],
): void {
  res.status(status);
  res.setHeader('Cache-Control', 'no-store');
  if (format === 'json') {
    res.type('application/json; charset=utf-8').send(JSON.stringify(body));
    return;
  }
  const content =
    item === null
      ? toXmlTree(body as Open311Object, LIST_ITEMS)
      : { [item]: (body as Open311Object[]).map((o) => toXmlTree(o, LIST_ITEMS)) };
  const xml = builder.build({ '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, [root]: content });
  res.type('text/xml; charset=utf-8').send(xml);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** W3C/ISO 8601 with the town's UTC offset, as the standard wants: `2026-03-01T10:15:00+01:00`. */
export function w3cDateTime(date: Date | string | null, timeZone: string): string | null {
  if (date === null) return null;
  const d = new Date(date);
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  const offset = String(parts['timeZoneName'] ?? '').replace('GMT', '') || '+00:00';
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}${offset}`;
}
