import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Communes as tenants (issue 15), second step: every remaining commune's table (what database/tenancy.ts
 * listed as NOT_YET_SCOPED) gets `commune_id` and the same forced policy as the core tables of
 * 1763800001090, and what was unique for the install becomes unique per commune (a department's code, a
 * template's name, a singleton's row: one per commune).
 *
 * Never locks a big table for long, and needs no backfill: the column comes with a constant default (the
 * existing rows' commune, the install's default), which PostgreSQL keeps in the catalogue without
 * rewriting the table (audit_events, ticket_sla, the reporting facts at 10 M rows: milliseconds under the
 * lock, `lock_timeout` 5 s so that a busy table fails the migration instead of queueing every request
 * behind it); the default then becomes the current commune (`grc_row_commune()`). The foreign keys are
 * added NOT VALID, validated by 1763800001410 in a transaction of its own. The unique indexes rebuilt here
 * are on configuration tables (a few hundred rows at most).
 *
 * The policy reads the setting once per statement (`(SELECT grc_commune())`: an InitPlan, then an
 * equality on a uuid column — leakproof, so it never keeps a query's own conditions off its indexes).
 */
/** The tables this migration scoped, frozen (database/tenancy.ts TENANT_TABLES grows with later migrations). */
export const SCOPED_1400 = [
  'agent_departments',
  'town_settings',
  'inbox_counters',
  'audit_events',
  'citizen_revisions',
  'open311_api_keys',
  'open311_requests',
  'timers',
  'sla_calendars',
  'sla_policies',
  'ticket_sla',
  'notifications',
  'notification_reads',
  'workflow_definitions',
  'workflow_bindings',
  'ticket_workflows',
  'delegations',
  'mail_outbox',
  'mail_templates',
  'mail_reply_templates',
  'mail_mailboxes',
  'mail_imported',
  'mail_quarantine',
  'ticket_tracking_keys',
  'retention_rules',
  'retention_runs',
  'privacy_settings',
  'address_imports',
  'address_streets',
  'addresses',
  'open_data_files',
  'open_data_settings',
  'report_dirty',
  'report_step_facts',
  'report_ticket_facts',
  'saved_views',
] as const;

/** [table, constraint or index to drop, its kind, the per-commune replacement (after `ADD` / `CREATE`)] */
const PER_COMMUNE: ReadonlyArray<readonly [string, string, 'constraint' | 'index', string]> = [
  ['departments', 'departments_code_key', 'constraint', 'CONSTRAINT departments_code_key UNIQUE (commune_id, code)'],
  ['categories', 'categories_code_key', 'constraint', 'CONSTRAINT categories_code_key UNIQUE (commune_id, code)'],
  ['town_settings', 'town_settings_pkey', 'constraint', 'CONSTRAINT town_settings_pkey PRIMARY KEY (commune_id)'],
  ['privacy_settings', 'privacy_settings_pkey', 'constraint', 'CONSTRAINT privacy_settings_pkey PRIMARY KEY (commune_id)'],
  ['open_data_settings', 'open_data_settings_pkey', 'constraint', 'CONSTRAINT open_data_settings_pkey PRIMARY KEY (commune_id)'],
  ['open_data_files', 'open_data_files_pkey', 'constraint', 'CONSTRAINT open_data_files_pkey PRIMARY KEY (commune_id, name)'],
  ['sla_policies', 'sla_policies_pkey', 'constraint', 'CONSTRAINT sla_policies_pkey PRIMARY KEY (commune_id, id)'],
  ['mail_templates', 'mail_templates_pkey', 'constraint', 'CONSTRAINT mail_templates_pkey PRIMARY KEY (commune_id, event, locale)'],
  [
    'mail_reply_templates',
    'mail_reply_templates_name_key',
    'constraint',
    'CONSTRAINT mail_reply_templates_name_key UNIQUE (commune_id, name)',
  ],
  ['mail_mailboxes', 'mail_mailboxes_name_key', 'constraint', 'CONSTRAINT mail_mailboxes_name_key UNIQUE (commune_id, name)'],
  [
    'sla_calendars',
    'sla_calendars_one_default',
    'index',
    'UNIQUE INDEX sla_calendars_one_default ON sla_calendars (commune_id) WHERE department_id IS NULL',
  ],
  [
    'retention_rules',
    'retention_rules_one_default',
    'index',
    'UNIQUE INDEX retention_rules_one_default ON retention_rules (commune_id) WHERE category_id IS NULL',
  ],
  [
    'retention_runs',
    'retention_runs_one_running',
    'index',
    `UNIQUE INDEX retention_runs_one_running ON retention_runs (commune_id, kind) WHERE state = 'running'`,
  ],
  [
    'workflow_definitions',
    'workflow_definitions_one_draft',
    'index',
    `UNIQUE INDEX workflow_definitions_one_draft ON workflow_definitions (commune_id, code) WHERE status = 'draft'`,
  ],
  [
    'workflow_bindings',
    'workflow_bindings_scope',
    'index',
    `UNIQUE INDEX workflow_bindings_scope ON workflow_bindings (commune_id, COALESCE(category_id, '00000000-0000-0000-0000-000000000000'::uuid),
      COALESCE(department_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
  ],
];

export class CommunesScopeAll1763800001400 implements MigrationInterface {
  name = 'CommunesScopeAll1763800001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    const [row]: Array<{ id: string } | undefined> = await q.query(`SELECT id FROM communes WHERE is_default`);
    // a new database has no commune yet, only the open data options' row of defaults (1763800001020): each
    // commune's row is written when its options are first saved, the defaults apply until then
    if (!row) await q.query(`DELETE FROM open_data_settings`);
    for (const t of SCOPED_1400) {
      if (row) await q.query(`ALTER TABLE ${t} ADD COLUMN commune_id uuid NOT NULL DEFAULT '${row.id}'::uuid`);
      else await q.query(`ALTER TABLE ${t} ADD COLUMN commune_id uuid NOT NULL`); // an empty database: no row to fill
      await q.query(`ALTER TABLE ${t} ALTER COLUMN commune_id SET DEFAULT grc_row_commune()`);
      await q.query(`ALTER TABLE ${t} ADD CONSTRAINT ${t}_commune_fk FOREIGN KEY (commune_id) REFERENCES communes(id) NOT VALID`);
      await q.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${t}_commune ON ${t}
        USING (commune_id = (SELECT grc_commune())) WITH CHECK (commune_id = (SELECT grc_commune()))`);
    }
    // a circuit's instances name its definition by (code, version): now within the commune
    await q.query(`ALTER TABLE ticket_workflows DROP CONSTRAINT IF EXISTS ticket_workflows_definition_code_version_fkey`);
    for (const [t, old, kind, replacement] of PER_COMMUNE) {
      if (kind === 'constraint') {
        await q.query(`ALTER TABLE ${t} DROP CONSTRAINT ${old}`);
        await q.query(`ALTER TABLE ${t} ADD ${replacement}`);
      } else {
        await q.query(`DROP INDEX ${old}`);
        await q.query(`CREATE ${replacement}`);
      }
    }
    await q.query(`ALTER TABLE workflow_definitions DROP CONSTRAINT workflow_definitions_code_version_key`);
    await q.query(
      `ALTER TABLE workflow_definitions ADD CONSTRAINT workflow_definitions_code_version_key UNIQUE (commune_id, code, version)`,
    );
    await q.query(`ALTER TABLE ticket_workflows ADD CONSTRAINT ticket_workflows_definition_fk
      FOREIGN KEY (commune_id, definition_code, version) REFERENCES workflow_definitions (commune_id, code, version) NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ticket_workflows DROP CONSTRAINT IF EXISTS ticket_workflows_definition_fk`);
    await q.query(`ALTER TABLE workflow_definitions DROP CONSTRAINT workflow_definitions_code_version_key`);
    await q.query(`ALTER TABLE workflow_definitions ADD CONSTRAINT workflow_definitions_code_version_key UNIQUE (code, version)`);
    await q.query(`ALTER TABLE ticket_workflows ADD CONSTRAINT ticket_workflows_definition_code_version_fkey
      FOREIGN KEY (definition_code, version) REFERENCES workflow_definitions (code, version)`);
    await q.query(`DROP INDEX workflow_bindings_scope`);
    await q.query(`CREATE UNIQUE INDEX workflow_bindings_scope ON workflow_bindings (COALESCE(category_id, '00000000-0000-0000-0000-000000000000'::uuid),
      COALESCE(department_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
    await q.query(`DROP INDEX workflow_definitions_one_draft`);
    await q.query(`CREATE UNIQUE INDEX workflow_definitions_one_draft ON workflow_definitions (code) WHERE status = 'draft'`);
    await q.query(`DROP INDEX retention_runs_one_running`);
    await q.query(`CREATE UNIQUE INDEX retention_runs_one_running ON retention_runs (kind) WHERE state = 'running'`);
    await q.query(`DROP INDEX retention_rules_one_default`);
    await q.query(`CREATE UNIQUE INDEX retention_rules_one_default ON retention_rules ((category_id IS NULL)) WHERE category_id IS NULL`);
    await q.query(`DROP INDEX sla_calendars_one_default`);
    await q.query(`CREATE UNIQUE INDEX sla_calendars_one_default ON sla_calendars ((department_id IS NULL)) WHERE department_id IS NULL`);
    const restore: Array<[string, string, string]> = [
      ['departments', 'departments_code_key', 'UNIQUE (code)'],
      ['categories', 'categories_code_key', 'UNIQUE (code)'],
      ['town_settings', 'town_settings_pkey', 'PRIMARY KEY (id)'],
      ['privacy_settings', 'privacy_settings_pkey', 'PRIMARY KEY (id)'],
      ['open_data_settings', 'open_data_settings_pkey', 'PRIMARY KEY (id)'],
      ['open_data_files', 'open_data_files_pkey', 'PRIMARY KEY (name)'],
      ['sla_policies', 'sla_policies_pkey', 'PRIMARY KEY (id)'],
      ['mail_templates', 'mail_templates_pkey', 'PRIMARY KEY (event, locale)'],
      ['mail_reply_templates', 'mail_reply_templates_name_key', 'UNIQUE (name)'],
      ['mail_mailboxes', 'mail_mailboxes_name_key', 'UNIQUE (name)'],
    ];
    for (const [t, c, def] of restore) {
      await q.query(`ALTER TABLE ${t} DROP CONSTRAINT ${c}`);
      await q.query(`ALTER TABLE ${t} ADD CONSTRAINT ${c} ${def}`);
    }
    for (const t of [...SCOPED_1400].reverse()) {
      await q.query(`DROP POLICY IF EXISTS ${t}_commune ON ${t}`);
      await q.query(`ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${t} DROP COLUMN IF EXISTS commune_id`);
    }
  }
}
