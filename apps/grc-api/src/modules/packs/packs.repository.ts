/**
 * Every statement of the town packs module (issue 15): the loader's bulk inserts into an empty town,
 * the export's reads of the whole configuration, and the import's upserts into a running town. Each
 * runs on the caller's EntityManager (the pack's one transaction). Tickets and their timelines go
 * through TicketsRepository (importMany), the town's row through TownSettingsRepository, the circuits'
 * first load through the workflows' definitions repository.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { METROPOLE_REF } from '@grc/domain';
import type {
  PackAgent, PackCategory, PackDepartment, PackRetention, PackRoutingRule, PackSla, PackSlaCalendar, PackTemplates,
} from '@grc/domain';

export interface PackCitizenRow {
  id: string;
  kind: string;
  firstName: string | null;
  lastName: string | null;
  organisationName: string | null;
  contactPerson: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  postcode: string | null;
  city: string | null;
  preferredChannel: string | null;
  firstAt: string | null;
}

/** A published circuit as the export writes it. */
export interface PublishedWorkflow {
  code: string;
  name: string;
  definition: Record<string, unknown>;
}
export interface BindingRow {
  category: string | null;
  department: string | null;
  workflow: string;
}

const col = <T, K extends keyof T>(rows: readonly T[], k: K): Array<T[K]> => rows.map((r) => r[k]);

export class PacksRepository {
  /** Two loads or imports at once: the second waits for the first (transaction-scoped). */
  async lock(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:pack-load'))`);
  }

  /**
   * The pack's town as a commune (created, the install's default when there is none yet), made the
   * transaction's commune: every row the load writes is this commune's (database/tenancy.ts).
   */
  async enterCommune(
    m: EntityManager,
    code: string,
    name: string,
    kind: 'commune' | 'metropole' = 'commune',
    metropole?: string,
    members: readonly string[] = [],
  ): Promise<string> {
    let parent: string | null = null;
    if (metropole !== undefined) {
      const [p]: Array<{ id: string; kind: string } | undefined> = await m.query(`SELECT id, kind FROM communes WHERE code = $1`, [metropole]);
      if (!p || p.kind !== 'metropole')
        throw new Error(`town pack: the métropole "${metropole}" (town.yaml metropole) is not loaded: load its pack first`);
      parent = p.id;
    }
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO communes (code, name, kind, parent_id, is_default)
       VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM communes WHERE is_default))
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent_id = coalesce(EXCLUDED.parent_id, communes.parent_id)
       RETURNING id`,
      [code, name, kind, parent],
    );
    if (members.length)
      await m.query(`UPDATE communes SET parent_id = $1 WHERE code = ANY($2::text[]) AND kind = 'commune'`, [row!.id, members]);
    await m.query(`SELECT set_config('grc.commune', $1, true)`, [row!.id]);
    // the owner that migrates may be a superuser, whom no policy holds: the load runs as the application's
    // role, so that every statement sees this commune's rows only (a code the default commune has too)
    await m.query(`DO $$ BEGIN
      IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AND pg_has_role(current_user, 'grc_app', 'MEMBER')
      THEN SET LOCAL ROLE grc_app; END IF; END $$`);
    return row!.id;
  }

  /** Whether the commune of this code (none yet: no) has departments, whoever asks. */
  async hasDepartments(m: EntityManager, communeCode?: string): Promise<boolean> {
    if (communeCode === undefined)
      return (await m.query(`SELECT EXISTS (SELECT 1 FROM departments WHERE commune_id = grc_commune()) AS e`))[0].e === true;
    const [c]: Array<{ id: string } | undefined> = await m.query(`SELECT id FROM communes WHERE code = $1`, [communeCode]);
    if (!c) return false;
    return (await m.query(`SELECT EXISTS (SELECT 1 FROM departments WHERE commune_id = $1) AS e`, [c.id]))[0].e === true;
  }

  /** The shared departments of the current commune's métropole, by reference (`metropole:<code>`). */
  async metropoleDepartments(m: EntityManager): Promise<Map<string, string>> {
    const rows: Array<{ code: string; id: string }> = await m.query(
      `SELECT code, id FROM departments WHERE shared AND commune_id = grc_metropole()`,
    );
    return new Map(rows.map((r) => [`${METROPOLE_REF}${r.code}`, r.id]));
  }

  // ---------------------------------------------------------------- the first load (empty town)

  /** Departments in the given order (parents first), with the ids chosen by the caller. */
  async insertDepartments(m: EntityManager, ordered: readonly PackDepartment[], ids: ReadonlyMap<string, string>): Promise<void> {
    await m.query(
      `INSERT INTO departments (id, code, name, kind, parent_id, email, active, front_desk, shared)
       SELECT id, code, name, kind, parent_id, email, active, front_desk, shared
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::boolean[], $8::boolean[], $9::boolean[]) WITH ORDINALITY
         AS d(id, code, name, kind, parent_id, email, active, front_desk, shared, n) ORDER BY n`,
      [ordered.map((d) => ids.get(d.code)), col(ordered, 'code'), col(ordered, 'name'), col(ordered, 'kind'),
        ordered.map((d) => (d.parent === null ? null : ids.get(d.parent))), col(ordered, 'email'), col(ordered, 'active'), col(ordered, 'frontDesk'),
        ordered.map((d) => d.shared === true)],
    );
  }

  async insertCategories(m: EntityManager, categories: readonly PackCategory[], catIds: ReadonlyMap<string, string>, deptIds: ReadonlyMap<string, string>): Promise<void> {
    await m.query(
      `INSERT INTO categories (id, code, name_fr, name_en, default_department_id, active)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::boolean[])`,
      [categories.map((c) => catIds.get(c.code)), col(categories, 'code'), col(categories, 'nameFr'), col(categories, 'nameEn'),
        categories.map((c) => deptIds.get(c.department)), col(categories, 'active')],
    );
  }

  /** Routing rules, categories and departments named by code. */
  async insertRouting(m: EntityManager, rules: readonly PackRoutingRule[]): Promise<void> {
    if (!rules.length) return;
    await m.query(
      `INSERT INTO routing_rules (category_id, department_id, area_name, area, position)
       SELECT c.id, d.id, r.n, r.a::jsonb, r.p
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) AS r(c, d, n, a, p)
       JOIN categories c ON c.code = r.c AND c.commune_id = grc_commune()
       JOIN departments d ON CASE WHEN r.d LIKE '${METROPOLE_REF}%'
         THEN d.shared AND d.commune_id = grc_metropole() AND d.code = substr(r.d, ${METROPOLE_REF.length + 1})
         ELSE d.commune_id = grc_commune() AND d.code = r.d END`,
      [col(rules, 'category'), col(rules, 'department'), col(rules, 'areaName'), rules.map((r) => (r.area ? JSON.stringify(r.area) : null)), col(rules, 'position')],
    );
  }

  async insertAgents(m: EntityManager, agents: ReadonlyArray<PackAgent & { id: string; hash: string }>): Promise<void> {
    if (!agents.length) return;
    await m.query(
      `INSERT INTO agents (id, email, display_name, password_hash, role, locale, active)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])`,
      [col(agents, 'id'), col(agents, 'email'), col(agents, 'displayName'), col(agents, 'hash'), col(agents, 'role'), col(agents, 'locale'), col(agents, 'active')],
    );
    await this.joinCommune(m, col(agents, 'email'));
  }

  /** The agents (by e-mail) become members of the load's commune (agent_communes), those already members unchanged. */
  async joinCommune(m: EntityManager, emails: readonly string[]): Promise<void> {
    await m.query(
      `INSERT INTO agent_communes (agent_id, commune_id) SELECT id, grc_row_commune() FROM agents WHERE email = ANY($1::text[]) ON CONFLICT DO NOTHING`,
      [emails],
    );
  }

  /** Memberships, agents by e-mail and departments by code. */
  async insertMemberships(m: EntityManager, memberships: ReadonlyArray<readonly [email: string, department: string]>): Promise<void> {
    if (!memberships.length) return;
    await m.query(
      `INSERT INTO agent_departments (agent_id, department_id)
       SELECT a.id, d.id FROM unnest($1::text[], $2::text[]) AS x(e, c) JOIN agents a ON a.email = x.e
       JOIN departments d ON d.code = x.c AND d.commune_id = grc_commune()`,
      [memberships.map(([e]) => e), memberships.map(([, d]) => d)],
    );
  }

  async insertSla(m: EntityManager, sla: PackSla): Promise<void> {
    for (const c of sla.calendars) {
      await m.query(`INSERT INTO sla_calendars (department_id, name, data) VALUES ((SELECT id FROM departments WHERE code = $1), $2, $3)`, [
        c.department ?? null, c.name, JSON.stringify(calendarData(c)),
      ]);
    }
    for (const p of sla.policies) {
      await m.query(`INSERT INTO sla_policies (id, name, data, active) VALUES ($1, $2, $3, $4)`, [
        p.id, p.name, JSON.stringify({ match: p.match, targets: p.targets, ladder: p.ladder }), p.active,
      ]);
    }
  }

  /** The town's default (category null) and one rule per category code. */
  async insertRetention(m: EntityManager, r: PackRetention): Promise<void> {
    const rules = [...(r.default ? [{ category: null as string | null, ...r.default }] : []),
      ...r.categories.map((c) => ({ category: c.category as string | null, months: c.months, action: c.action }))];
    if (!rules.length) return;
    await m.query(
      `INSERT INTO retention_rules (category_id, months, action)
       SELECT c.id, x.months, x.action FROM unnest($1::text[], $2::int[], $3::text[]) AS x(code, months, action)
       LEFT JOIN categories c ON c.code = x.code`,
      [col(rules, 'category'), col(rules, 'months'), col(rules, 'action')],
    );
  }

  /** E-mail templates (event × locale) and reply templates (by name): created or replaced. */
  async upsertTemplates(m: EntityManager, t: PackTemplates): Promise<void> {
    if (t.mail.length) {
      await m.query(
        `INSERT INTO mail_templates (event, locale, subject, body)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (commune_id, event, locale) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, updated_at = now(), updated_by = NULL
         WHERE (mail_templates.subject, mail_templates.body) IS DISTINCT FROM (EXCLUDED.subject, EXCLUDED.body)`,
        [col(t.mail, 'event'), col(t.mail, 'locale'), col(t.mail, 'subject'), col(t.mail, 'body')],
      );
    }
    if (t.replies.length) {
      await m.query(
        `INSERT INTO mail_reply_templates (name, body, active, department_id, category_id)
         SELECT r.name, r.body, r.active, d.id, c.id
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::text[]) AS r(name, body, active, department, category)
         LEFT JOIN departments d ON d.code = r.department LEFT JOIN categories c ON c.code = r.category
         ON CONFLICT (commune_id, name) DO UPDATE SET body = EXCLUDED.body, active = EXCLUDED.active, department_id = EXCLUDED.department_id,
           category_id = EXCLUDED.category_id, updated_at = now()
         WHERE (mail_reply_templates.body, mail_reply_templates.active, mail_reply_templates.department_id, mail_reply_templates.category_id)
           IS DISTINCT FROM (EXCLUDED.body, EXCLUDED.active, EXCLUDED.department_id, EXCLUDED.category_id)`,
        [
          col(t.replies, 'name'),
          col(t.replies, 'body'),
          col(t.replies, 'active'),
          t.replies.map((r) => r.department ?? null),
          t.replies.map((r) => r.category ?? null),
        ],
      );
    }
  }

  /** One number per ticket of the year, from the per-year sequence. */
  async nextTicketNumbers(m: EntityManager, year: number, n: number): Promise<number[]> {
    const rows: Array<{ n: string }> = await m.query(`SELECT grc_next_ticket_number($1) AS n FROM generate_series(1, $2)`, [year, n]);
    return rows.map((r) => Number(r.n)).sort((a, b) => a - b);
  }

  /** The demo's citizens, stored as the citizens module stores them (the caller normalised e-mails and phones). */
  async insertCitizens(m: EntityManager, cs: readonly PackCitizenRow[]): Promise<void> {
    if (!cs.length) return;
    await m.query(
      `INSERT INTO citizens (id, kind, first_name, last_name, organisation_name, contact_person, email, phone, address, postcode, city,
         preferred_channel, created_at, updated_at)
       SELECT c.*, t.first_at, t.first_at
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
         $11::text[], $12::text[]) AS c(id, kind, first_name, last_name, organisation_name, contact_person, email, phone, address, postcode, city, preferred_channel)
       JOIN unnest($1::uuid[], $13::timestamptz[]) AS t(id, first_at) ON t.id = c.id`,
      [col(cs, 'id'), col(cs, 'kind'), col(cs, 'firstName'), col(cs, 'lastName'), col(cs, 'organisationName'), col(cs, 'contactPerson'),
        col(cs, 'email'), col(cs, 'phone'), col(cs, 'address'), col(cs, 'postcode'), col(cs, 'city'), col(cs, 'preferredChannel'), col(cs, 'firstAt')],
    );
  }

  // ---------------------------------------------------------------- the export's reads

  async departments(m: EntityManager): Promise<PackDepartment[]> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT d.code, d.name, d.kind, p.code AS parent, d.email, d.active, d.front_desk, d.shared
       FROM departments d LEFT JOIN departments p ON p.id = d.parent_id WHERE d.commune_id = grc_commune() ORDER BY d.code`,
    );
    return rows.map((r) => ({
      code: r['code'] as string, name: r['name'] as string, kind: r['kind'] as PackDepartment['kind'], parent: (r['parent'] as string) ?? null,
      email: (r['email'] as string) ?? null, active: r['active'] as boolean, frontDesk: r['front_desk'] as boolean,
      ...(r['shared'] ? { shared: true } : {}),
    }));
  }

  /** The categories, without their fields (CategoryFieldsRepository's). */
  async categories(m: EntityManager): Promise<PackCategory[]> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT c.code, c.name_fr, c.name_en, CASE WHEN d.commune_id = grc_commune() THEN d.code ELSE '${METROPOLE_REF}' || d.code END AS department, c.active
       FROM categories c JOIN departments d ON d.id = c.default_department_id WHERE c.commune_id = grc_commune() ORDER BY c.code`,
    );
    return rows.map((r) => ({
      code: r['code'] as string, nameFr: r['name_fr'] as string, nameEn: r['name_en'] as string, department: r['department'] as string,
      active: r['active'] as boolean,
    }));
  }

  async routing(m: EntityManager): Promise<PackRoutingRule[]> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT c.code AS category, CASE WHEN d.commune_id = grc_commune() THEN d.code ELSE '${METROPOLE_REF}' || d.code END AS department, r.area_name, r.area, r.position
       FROM routing_rules r JOIN categories c ON c.id = r.category_id JOIN departments d ON d.id = r.department_id
       ORDER BY r.position, c.code, r.id`,
    );
    return rows.map((r) => ({
      category: r['category'] as string, department: r['department'] as string, areaName: (r['area_name'] as string) ?? null,
      area: (r['area'] as Array<[number, number]>) ?? null, position: r['position'] as number,
    }));
  }

  /** The commune's place in a métropole (town.yaml kind, metropole, communes). */
  async communeLinks(m: EntityManager): Promise<{ kind: string; metropole: string | null; communes: string[] }> {
    const [row]: Array<{ kind: string; metropole: string | null; communes: string[] }> = await m.query(
      `SELECT c.kind, p.code AS metropole, coalesce((SELECT array_agg(k.code ORDER BY k.code) FROM communes k WHERE k.parent_id = c.id), '{}') AS communes
       FROM communes c LEFT JOIN communes p ON p.id = c.parent_id WHERE c.id = grc_commune()`,
    );
    return row ?? { kind: 'commune', metropole: null, communes: [] };
  }

  /** The commune's agents (agent_communes), without any secret (no password hash leaves the database). */
  async agents(m: EntityManager): Promise<PackAgent[]> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT a.email, a.display_name, a.role, a.locale, a.active,
         coalesce(array_agg(d.code ORDER BY d.code) FILTER (WHERE d.code IS NOT NULL), '{}') AS departments
       FROM agents a LEFT JOIN agent_departments ad ON ad.agent_id = a.id AND ad.commune_id = grc_commune()
         LEFT JOIN departments d ON d.id = ad.department_id
       WHERE EXISTS (SELECT 1 FROM agent_communes ac WHERE ac.agent_id = a.id AND ac.commune_id = grc_commune())
       GROUP BY a.id ORDER BY a.email`,
    );
    return rows.map((r) => ({
      email: r['email'] as string, displayName: r['display_name'] as string, role: r['role'] as PackAgent['role'],
      locale: r['locale'] as PackAgent['locale'], departments: r['departments'] as string[], active: r['active'] as boolean,
    }));
  }

  async sla(m: EntityManager): Promise<PackSla> {
    const calendars: Array<Record<string, unknown>> = await m.query(
      `SELECT c.name, d.code AS department, c.data FROM sla_calendars c LEFT JOIN departments d ON d.id = c.department_id
       ORDER BY d.code NULLS FIRST`,
    );
    const policies: Array<Record<string, unknown>> = await m.query(`SELECT id, name, data, active FROM sla_policies ORDER BY id`);
    return {
      calendars: calendars.map((c) => {
        const data = c['data'] as Omit<PackSlaCalendar, 'name' | 'department'>;
        return { name: c['name'] as string, ...(c['department'] ? { department: c['department'] as string } : {}), ...data };
      }),
      policies: policies.map((p) => {
        const data = p['data'] as { match: unknown; targets: unknown; ladder: unknown };
        return { id: p['id'], name: p['name'], active: p['active'], match: data.match, targets: data.targets, ladder: data.ladder } as PackSla['policies'][number];
      }),
    };
  }

  async retention(m: EntityManager): Promise<PackRetention> {
    const rows: Array<{ category: string | null; months: number; action: 'anonymise' | 'delete' }> = await m.query(
      `SELECT c.code AS category, r.months, r.action FROM retention_rules r LEFT JOIN categories c ON c.id = r.category_id
       ORDER BY c.code NULLS FIRST`,
    );
    const def = rows.find((r) => r.category === null);
    return {
      ...(def ? { default: { months: def.months, action: def.action } } : {}),
      categories: rows.filter((r) => r.category !== null).map((r) => ({ category: r.category as string, months: r.months, action: r.action })),
    };
  }

  async templates(m: EntityManager): Promise<PackTemplates> {
    const mail: PackTemplates['mail'] = await m.query(`SELECT event, locale, subject, body FROM mail_templates ORDER BY event, locale`);
    const rows: Array<{ name: string; body: string; active: boolean; department: string | null; category: string | null }> = await m.query(
      `SELECT r.name, r.body, r.active, d.code AS department, c.code AS category
       FROM mail_reply_templates r LEFT JOIN departments d ON d.id = r.department_id LEFT JOIN categories c ON c.id = r.category_id
       ORDER BY r.name`,
    );
    // a scope is written only when there is one (a general template stays three keys)
    const replies: PackTemplates['replies'] = rows.map(({ department, category, ...r }) => ({
      ...r,
      ...(department ? { department } : {}),
      ...(category ? { category } : {}),
    }));
    return { mail, replies };
  }

  /** The published version of each circuit. */
  async publishedWorkflows(m: EntityManager): Promise<PublishedWorkflow[]> {
    return m.query(`SELECT code, name, definition FROM workflow_definitions WHERE status = 'published' ORDER BY code`);
  }

  async bindings(m: EntityManager): Promise<BindingRow[]> {
    return m.query(
      `SELECT c.code AS category, d.code AS department, b.definition_code AS workflow
       FROM workflow_bindings b LEFT JOIN categories c ON c.id = b.category_id LEFT JOIN departments d ON d.id = b.department_id
       ORDER BY c.code NULLS FIRST, d.code NULLS FIRST`,
    );
  }

  // ---------------------------------------------------------------- the import into a running town

  /** Departments created or updated by code (parents set afterwards, once every code exists). */
  async upsertDepartments(m: EntityManager, ds: readonly PackDepartment[]): Promise<void> {
    await m.query(
      `INSERT INTO departments (id, code, name, kind, email, active, front_desk)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::boolean[])
       ON CONFLICT (commune_id, code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, email = EXCLUDED.email, active = EXCLUDED.active,
         front_desk = EXCLUDED.front_desk, updated_at = now(), version = departments.version + 1
       WHERE (departments.name, departments.kind, departments.email, departments.active, departments.front_desk)
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.email, EXCLUDED.active, EXCLUDED.front_desk)`,
      [ds.map(() => randomUUID()), col(ds, 'code'), col(ds, 'name'), col(ds, 'kind'), col(ds, 'email'), col(ds, 'active'), col(ds, 'frontDesk')],
    );
    await m.query(
      `UPDATE departments d SET parent_id = p.id, updated_at = now(), version = d.version + 1
       FROM unnest($1::text[], $2::text[]) AS x(code, parent) LEFT JOIN departments p ON p.code = x.parent
       WHERE d.code = x.code AND d.parent_id IS DISTINCT FROM p.id`,
      [col(ds, 'code'), col(ds, 'parent')],
    );
  }

  async upsertCategories(m: EntityManager, cs: readonly PackCategory[]): Promise<void> {
    await m.query(
      `INSERT INTO categories (code, name_fr, name_en, default_department_id, active)
       SELECT x.code, x.fr, x.en, d.id, x.active FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[]) AS x(code, fr, en, dept, active)
       JOIN departments d ON d.code = x.dept
       ON CONFLICT (commune_id, code) DO UPDATE SET name_fr = EXCLUDED.name_fr, name_en = EXCLUDED.name_en,
         default_department_id = EXCLUDED.default_department_id, active = EXCLUDED.active, updated_at = now(), version = categories.version + 1
       WHERE (categories.name_fr, categories.name_en, categories.default_department_id, categories.active)
         IS DISTINCT FROM (EXCLUDED.name_fr, EXCLUDED.name_en, EXCLUDED.default_department_id, EXCLUDED.active)`,
      [col(cs, 'code'), col(cs, 'nameFr'), col(cs, 'nameEn'), col(cs, 'department'), col(cs, 'active')],
    );
  }

  /** Removes the routing rules of these categories (the import writes the pack's instead). */
  async clearRouting(m: EntityManager, categoryCodes: readonly string[]): Promise<void> {
    await m.query(`DELETE FROM routing_rules WHERE category_id IN (SELECT id FROM categories WHERE code = ANY($1::text[]))`, [categoryCodes]);
  }

  /** Agents created (with the given unusable password hash) or updated by e-mail; their memberships replaced. */
  async upsertAgents(m: EntityManager, agents: readonly PackAgent[], newHashes: ReadonlyMap<string, string>): Promise<void> {
    if (!agents.length) return;
    await m.query(
      `INSERT INTO agents (email, display_name, password_hash, role, locale, active)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[])
       ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role, locale = EXCLUDED.locale,
         active = EXCLUDED.active, updated_at = now(), version = agents.version + 1
       WHERE (agents.display_name, agents.role, agents.locale, agents.active)
         IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.role, EXCLUDED.locale, EXCLUDED.active)`,
      [col(agents, 'email'), col(agents, 'displayName'), agents.map((a) => newHashes.get(a.email) ?? ''), col(agents, 'role'),
        col(agents, 'locale'), col(agents, 'active')],
    );
    await this.joinCommune(m, col(agents, 'email'));
    await m.query(`DELETE FROM agent_departments WHERE agent_id IN (SELECT id FROM agents WHERE email = ANY($1::text[]))`, [col(agents, 'email')]);
    await this.insertMemberships(m, agents.flatMap((a) => [...new Set(a.departments)].map((d) => [a.email, d] as const)));
  }

  /** The e-mails of these agents already known. */
  async knownAgents(m: EntityManager, emails: readonly string[]): Promise<Set<string>> {
    const rows: Array<{ email: string }> = await m.query(`SELECT email FROM agents WHERE email = ANY($1::text[])`, [emails]);
    return new Set(rows.map((r) => r.email));
  }

  /** Calendars by department (none: the town's default) and policies by id: created or replaced (version bumped). */
  async upsertSla(m: EntityManager, sla: PackSla): Promise<void> {
    for (const c of sla.calendars) {
      const updated: unknown[] = await m.query(
        `UPDATE sla_calendars SET name = $2, data = $3::jsonb, version = version + 1, updated_at = now()
         WHERE department_id IS NOT DISTINCT FROM (SELECT id FROM departments WHERE code = $1) AND (name, data) IS DISTINCT FROM ($2, $3::jsonb)
         RETURNING id`,
        [c.department ?? null, c.name, JSON.stringify(calendarData(c))],
      );
      if (updated.length) continue;
      await m.query(
        `INSERT INTO sla_calendars (department_id, name, data)
         SELECT (SELECT id FROM departments WHERE code = $1), $2, $3::jsonb
         WHERE NOT EXISTS (SELECT 1 FROM sla_calendars WHERE department_id IS NOT DISTINCT FROM (SELECT id FROM departments WHERE code = $1))`,
        [c.department ?? null, c.name, JSON.stringify(calendarData(c))],
      );
    }
    for (const p of sla.policies) {
      await m.query(
        `INSERT INTO sla_policies (id, name, data, active) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (commune_id, id) DO UPDATE SET name = EXCLUDED.name, data = EXCLUDED.data, active = EXCLUDED.active,
           version = sla_policies.version + 1, updated_at = now()
         WHERE (sla_policies.name, sla_policies.data, sla_policies.active) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.data, EXCLUDED.active)`,
        [p.id, p.name, JSON.stringify({ match: p.match, targets: p.targets, ladder: p.ladder }), p.active],
      );
    }
  }

  /** The whole rule set replaced by the pack's. */
  async replaceRetention(m: EntityManager, r: PackRetention): Promise<void> {
    await m.query(`DELETE FROM retention_rules`);
    await this.insertRetention(m, r);
  }

  /** A new published version of the circuit (the previous one archived); its number. */
  async publishWorkflow(m: EntityManager, code: string, name: string, definition: object): Promise<number> {
    await m.query(`UPDATE workflow_definitions SET status = 'archived', updated_at = now() WHERE code = $1 AND status = 'published'`, [code]);
    const [row]: Array<{ version: number }> = await m.query(
      `INSERT INTO workflow_definitions (code, version, status, name, definition, published_at)
       SELECT $1::text, coalesce(max(version), 0) + 1, 'published', $2, $3::json, now() FROM workflow_definitions WHERE code = $1::text
       RETURNING version`,
      [code, name, JSON.stringify(definition)],
    );
    return row!.version;
  }

  /** Every binding replaced by the pack's (categories and departments by code). */
  async replaceBindings(m: EntityManager, bindings: readonly BindingRow[]): Promise<void> {
    await m.query(`DELETE FROM workflow_bindings`);
    if (!bindings.length) return;
    await m.query(
      `INSERT INTO workflow_bindings (category_id, department_id, definition_code)
       SELECT (SELECT id FROM categories WHERE code = x.c), (SELECT id FROM departments WHERE code = x.d), x.w
       FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, d, w)`,
      [col(bindings, 'category'), col(bindings, 'department'), col(bindings, 'workflow')],
    );
  }
}

/** A calendar's stored data: what the SLA module reads (closures and holidays with their defaults). */
function calendarData(c: PackSlaCalendar): Record<string, unknown> {
  return { timeZone: c.timeZone, weeklyHours: c.weeklyHours, closures: c.closures ?? [], holidays: c.holidays ?? { france: true } };
}
