/**
 * Where the product copies a person's data: the one list that the anonymisation job, the purges and the
 * citizen's access export all read (invariant 8 of the architecture). A table that holds personal data is
 * not done until it is here; `test/personal-data-registry.spec.ts` fails the build when a table of the
 * schema is neither in `PERSONAL_DATA` nor in `NO_PERSONAL_DATA`.
 *
 * Pure data: no SQL. The API's repositories turn each entry into statements.
 */

/** How a column's value leaves when its person is anonymised. */
export type Treatment =
  /** set to NULL (identity fields, contacts, technical identifiers) */
  | 'null'
  /** keep the text, with e-mail addresses, phone numbers and the person's known names replaced (`redactText`) */
  | 'redact'
  /** keep a coarse position (rounded, `coarseCoordinate`) so that maps and figures by area stay true */
  | 'round'
  /** replace by a fixed placeholder (NOT NULL columns) */
  | 'placeholder'
  /** keep the JSON's keys, values of personal fields replaced by "changed" or redacted */
  | 'redact-json'
  /** the file or blob itself is deleted */
  | 'delete-content';

/** How a row is tied to the person. */
export type Link =
  /** the row is the person (citizens) */
  | { via: 'self' }
  /** a column holds the citizen's id */
  /** a column holds the citizen's id; `ticketColumn`: the row also belongs to one request (it goes with that request's anonymisation) */
  | { via: 'citizen'; column: string; ticketColumn?: string }
  /** a column holds a ticket's id; the ticket's requester is the person */
  | { via: 'ticket'; column: string }
  /** a type column and an id column name the record (audit events: entity_type 'ticket' or 'citizen' + entity_id) */
  | { via: 'entity'; typeColumn: string; idColumn: string; ticket: string; citizen: string }
  /** no id, but a column holds the person's e-mail address (a quarantined mail's sender): rows removed with the person */
  | { via: 'contact'; column: string }
  /** no reliable link to one citizen (quarantined mail, sessions): purged on their own clock instead */
  | { via: 'none' };

export interface PersonalColumn {
  column: string;
  /** what the column holds, for the processing register and the DPO's view */
  holds: 'identity' | 'contact' | 'free-text' | 'location' | 'file' | 'message' | 'network' | 'diff';
  treatment: Treatment;
}

export interface PersonalTable {
  table: string;
  /** the column(s) that identify a row, for the statements that rewrite redacted values */
  key: readonly string[];
  link: Link;
  columns: readonly PersonalColumn[];
  /** included in a citizen's access export (right of access, art. 15) */
  exported: boolean;
  /** whole rows removed on anonymisation instead of column treatments (tokens, keys) */
  deleteRowsOnAnonymise?: boolean;
  /** a technical purge removes or blanks these rows on its own clock, whoever they belong to */
  purge?: 'expired-sessions' | 'sent-outbox-bodies' | 'quarantine' | 'login-ip' | 'imported-mail';
}

export const PERSONAL_DATA: readonly PersonalTable[] = [
  {
    table: 'citizens',
    key: ['id'],
    link: { via: 'self' },
    exported: true,
    columns: [
      { column: 'first_name', holds: 'identity', treatment: 'null' },
      { column: 'last_name', holds: 'identity', treatment: 'null' },
      { column: 'organisation_name', holds: 'identity', treatment: 'null' },
      { column: 'contact_person', holds: 'identity', treatment: 'null' },
      { column: 'email', holds: 'contact', treatment: 'null' },
      { column: 'phone', holds: 'contact', treatment: 'null' },
      { column: 'address', holds: 'contact', treatment: 'null' },
      { column: 'postcode', holds: 'contact', treatment: 'null' },
      { column: 'city', holds: 'contact', treatment: 'null' },
    ],
  },
  {
    table: 'tickets',
    key: ['id'],
    link: { via: 'ticket', column: 'id' },
    exported: true,
    columns: [
      { column: 'citizen_id', holds: 'identity', treatment: 'null' },
      { column: 'subject', holds: 'free-text', treatment: 'redact' },
      { column: 'description', holds: 'free-text', treatment: 'redact' },
      { column: 'address', holds: 'location', treatment: 'null' },
      { column: 'latitude', holds: 'location', treatment: 'round' },
      { column: 'longitude', holds: 'location', treatment: 'round' },
      { column: 'attributes', holds: 'free-text', treatment: 'redact-json' },
    ],
  },
  {
    table: 'ticket_events',
    key: ['id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: true,
    columns: [
      { column: 'body', holds: 'message', treatment: 'redact' },
      // the e-mail channel's 'created' event keeps the sender's address; attachments their file name
      { column: 'data', holds: 'diff', treatment: 'redact-json' },
    ],
  },
  {
    table: 'attachments',
    key: ['id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: true,
    columns: [
      { column: 'filename', holds: 'file', treatment: 'placeholder' },
      // the file under GRC_DATA_DIR is deleted; the key then names no file
      { column: 'storage_key', holds: 'file', treatment: 'delete-content' },
      // a file's hash could confirm that a known document was sent
      { column: 'sha256', holds: 'file', treatment: 'placeholder' },
    ],
  },
  {
    table: 'audit_events',
    key: ['id'],
    // entity_type 'ticket' / 'citizen' with entity_id = the ticket's or the citizen's id. Append-only: rewritten
    // only through grc_audit_redact (migration 1763800000840), which may change nothing else.
    link: { via: 'entity', typeColumn: 'entity_type', idColumn: 'entity_id', ticket: 'ticket', citizen: 'citizen' },
    exported: true,
    columns: [
      { column: 'changes', holds: 'diff', treatment: 'redact-json' },
      // the citizen's own address (public form, Open311 client): events without an agent (actor_id NULL)
      { column: 'ip', holds: 'network', treatment: 'null' },
    ],
    purge: 'login-ip',
  },
  {
    // the values of a person's personal fields at each change (the audit records them as "changed"): the
    // citizen's own history, part of the access export, gone with the person
    table: 'citizen_revisions',
    key: ['id'],
    link: { via: 'citizen', column: 'citizen_id', ticketColumn: 'ticket_id' },
    exported: true,
    deleteRowsOnAnonymise: true,
    columns: [{ column: 'changes', holds: 'diff', treatment: 'redact-json' }],
  },
  {
    table: 'mail_outbox',
    key: ['id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: true,
    columns: [
      { column: 'to_address', holds: 'contact', treatment: 'placeholder' },
      { column: 'subject', holds: 'free-text', treatment: 'redact' },
      { column: 'text', holds: 'message', treatment: 'placeholder' },
      { column: 'html', holds: 'message', treatment: 'null' },
      { column: 'sealed_link', holds: 'network', treatment: 'null' },
      { column: 'last_error', holds: 'free-text', treatment: 'null' },
    ],
    purge: 'sent-outbox-bodies',
  },
  {
    // replies by post (modules/letters): the recipient's block as printed and the letter's text
    table: 'ticket_letters',
    key: ['id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: true,
    columns: [
      { column: 'recipient_name', holds: 'identity', treatment: 'placeholder' },
      { column: 'recipient_address', holds: 'location', treatment: 'null' },
      { column: 'body', holds: 'message', treatment: 'redact' },
    ],
  },
  {
    table: 'mail_imported',
    key: ['message_key'],
    link: { via: 'ticket', column: 'ticket_id' },
    // the e-mails received from the person (their text is the ticket's description or a timeline event)
    exported: true,
    columns: [{ column: 'reason', holds: 'free-text', treatment: 'null' }],
    purge: 'imported-mail',
  },
  {
    table: 'mail_quarantine',
    key: ['id'],
    link: { via: 'contact', column: 'from_address' },
    deleteRowsOnAnonymise: true,
    exported: false,
    columns: [
      { column: 'from_address', holds: 'contact', treatment: 'null' },
      { column: 'subject', holds: 'free-text', treatment: 'null' },
      { column: 'raw', holds: 'message', treatment: 'delete-content' },
    ],
    purge: 'quarantine',
  },
  {
    table: 'notifications',
    key: ['id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: false,
    columns: [{ column: 'data', holds: 'diff', treatment: 'redact-json' }],
  },
  {
    table: 'ticket_tracking_keys',
    key: ['id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: false,
    deleteRowsOnAnonymise: true,
    columns: [{ column: 'key_hash', holds: 'network', treatment: 'null' }],
  },
  {
    table: 'open311_requests',
    key: ['ticket_id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: true,
    columns: [
      { column: 'description', holds: 'free-text', treatment: 'redact' },
      { column: 'address_id', holds: 'location', treatment: 'null' },
      { column: 'media_url', holds: 'file', treatment: 'null' },
      { column: 'device_id', holds: 'network', treatment: 'null' },
      { column: 'account_id', holds: 'identity', treatment: 'null' },
    ],
  },
  {
    table: 'ticket_workflows',
    key: ['ticket_id'],
    link: { via: 'ticket', column: 'ticket_id' },
    exported: true,
    // circuit state keeps comments and draft bodies
    columns: [{ column: 'state', holds: 'message', treatment: 'redact-json' }],
  },
  {
    table: 'sessions',
    key: ['token_hash'],
    link: { via: 'none' },
    exported: false,
    columns: [
      { column: 'ip', holds: 'network', treatment: 'null' },
      { column: 'user_agent', holds: 'network', treatment: 'null' },
    ],
    purge: 'expired-sessions',
  },
];

/**
 * Tables that hold no citizen's personal data (configuration, read models, agents' own accounts — agents are
 * the town's staff, their data is handled by the agents' administration, not by the citizens' lifecycle).
 */
export const NO_PERSONAL_DATA: readonly string[] = [
  // the Base Adresse Nationale's public addresses (Licence Ouverte) and the imports' reports (modules/places)
  'address_imports',
  'address_streets',
  'addresses',
  // an agent's communes (staff membership, issue 15)
  'agent_communes',
  'agent_departments',
  // an agent's (provider, sub) link: the agent's own account (modules/auth/oidc)
  'agent_identities',
  'agent_recovery_codes',
  'agent_totp',
  'agents',
  'categories',
  'category_attributes',
  // the tenants: a commune's code and name (issue 15)
  'communes',
  'delegations',
  'departments',
  'identity_providers',
  'inbox_counters',
  'login_challenges',
  'mail_mailboxes',
  'mail_reply_templates',
  'mail_templates',
  'migrations',
  'notification_reads',
  // a sign-in under way (state hash, PKCE verifier, nonce) and the agents' ID tokens, gone with their session
  'oidc_sessions',
  'oidc_transactions',
  'open311_api_keys',
  // the town's controller and DPO contact (staff), no citizen
  'privacy_settings',
  'retention_rules',
  'retention_runs',
  // figures (modules/reporting): aggregates' rows per request, no citizen, no text; an agent's id at most
  'report_dirty',
  'report_step_facts',
  'report_ticket_facts',
  // the figures' monthly cube: counts and duration histograms per month × department × category × channel ×
  // priority × area (a routing area's name) — no request, no person
  'report_cube',
  'report_cube_durations',
  'report_cube_state',
  'open_data_files',
  'open_data_settings',
  'routing_rules',
  // an agent's inbox filters, sort and columns (staff settings; a text filter is the agent's own search words)
  'saved_views',
  'security_settings',
  // an agent's one-time sign-in links (grc create-admin): staff, the token's hash only
  'sign_in_links',
  'sla_calendars',
  'sla_policies',
  'ticket_sla',
  'timers',
  'town_settings',
  'workflow_bindings',
  'workflow_definitions',
];

/** The fixed values of `placeholder` columns (NOT NULL columns whose value must go). */
export const PLACEHOLDERS: Readonly<Record<string, string>> = {
  'attachments.filename': 'fichier-supprime',
  'attachments.storage_key': 'deleted',
  'attachments.sha256': '0'.repeat(64),
  'mail_outbox.to_address': 'anonymise@invalid',
  'mail_outbox.text': '[anonymisé]',
  'ticket_letters.recipient_name': '[anonymisé]',
};

/** The columns of a table with a treatment, e.g. columnsTreated(t, 'null') → ['email', 'phone']. */
export const columnsTreated = (t: PersonalTable, ...treatments: Treatment[]): string[] =>
  t.columns.filter((c) => treatments.includes(c.treatment)).map((c) => c.column);

export const personalTable = (table: string): PersonalTable | undefined => PERSONAL_DATA.find((t) => t.table === table);

/** Every table of the schema must be classified: the names missing from both lists. */
export const unclassifiedTables = (schemaTables: readonly string[]): string[] =>
  schemaTables.filter((t) => !personalTable(t) && !NO_PERSONAL_DATA.includes(t)).sort();
