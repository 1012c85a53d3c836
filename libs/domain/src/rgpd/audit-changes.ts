import { PERSONAL_DATA, type PersonalColumn } from './personal-data';
import { CHANGED } from './redaction';

/**
 * The audit trail carries no more personal data than needed: in an audit event's diff, a personal field
 * (as the registry lists them) is recorded as "changed", never its values; the values go to the
 * citizen's own history (`citizen_revisions`), which anonymisation removes. Pure: no SQL.
 */

// CHANGED (redaction.ts): what the audit records instead of a personal field's before and after

export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

/** The registry's table behind an audited entity type (audit_events.entity_type). */
const ENTITY_TABLE: Readonly<Record<string, string>> = { citizen: 'citizens', ticket: 'tickets' };

/**
 * Diff keys that hold a message body in a ticket's audit event (its timeline's `ticket_events.body`,
 * a personal column): the text stays in the timeline, the audit says that a reply was written.
 */
const TICKET_MESSAGE_KEYS = ['reply', 'note', 'public_note', 'transferred'] as const;

/** The kinds of column that copy the person (ids of other rows, such as `citizen_id`, do not). */
const COPIES_THE_PERSON: ReadonlySet<PersonalColumn['holds']> = new Set(['identity', 'contact', 'free-text', 'location', 'message']);

const camel = (column: string): string => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The diff keys (camelCase of the registry's columns) of an entity type's personal fields: a
 * citizen's identity and contacts, a ticket's subject, description, address, position, attributes and
 * message bodies. `citizen_id` is a link, not a copy of the person: it stays, so the trail still says
 * whose request it was.
 */
export function personalAuditKeys(entityType: string): ReadonlySet<string> {
  const table = ENTITY_TABLE[entityType];
  const entry = table ? PERSONAL_DATA.find((t) => t.table === table) : undefined;
  const keys = new Set<string>();
  for (const c of entry?.columns ?? []) if (COPIES_THE_PERSON.has(c.holds) && !c.column.endsWith('_id')) keys.add(camel(c.column));
  if (entityType === 'ticket') for (const k of TICKET_MESSAGE_KEYS) keys.add(k);
  return keys;
}

export interface SplitChanges {
  /** what the audit event keeps: personal fields as {before: "changed", after: "changed"} (null stays null) */
  audited: AuditChanges;
  /** the personal fields' values, for the citizen's own history (empty: nothing personal changed) */
  personal: AuditChanges;
}

const mask = (v: unknown): unknown => (v === null || v === undefined ? null : CHANGED);

/**
 * Splits an audit diff: personal fields leave the audit with their values masked (a value that was or
 * becomes null stays null, so the trail still tells a field set from a field cleared) and go, with their
 * values, to the citizen's history. Other fields are kept as they are.
 */
export function splitPersonalChanges(entityType: string, changes: AuditChanges): SplitChanges {
  const keys = personalAuditKeys(entityType);
  const audited: AuditChanges = {};
  const personal: AuditChanges = {};
  for (const [k, v] of Object.entries(changes)) {
    if (keys.has(k) && v && typeof v === 'object') {
      audited[k] = { before: mask(v.before), after: mask(v.after) };
      personal[k] = v;
    } else audited[k] = v;
  }
  return { audited, personal };
}
