import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AnalysisContext } from '@grc/workflows';

export interface DefinitionRow {
  id: string;
  code: string;
  version: number;
  status: 'draft' | 'published' | 'archived';
  name: string;
  definition: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
  created_by: string | null;
  created_by_name: string | null;
}

export interface BindingRow {
  id: string;
  category_id: string | null;
  department_id: string | null;
  definition_code: string;
  created_at: Date;
}

/** The rows of an UPDATE/DELETE … RETURNING: TypeORM's postgres driver answers those with [rows, rowCount]. */
const returned = <T>(raw: unknown): T[] => (Array.isArray(raw) && Array.isArray(raw[0]) ? raw[0] : (raw as T[]));

/**
 * Every query on `workflow_definitions` and `workflow_bindings` (a circuit's versions and where it
 * applies). Each method takes the caller's EntityManager: the service decides the transaction.
 */
@Injectable()
export class DefinitionsRepository {
  /** The town's active codes (departments, categories, agents' ids), for the static analysis of references. */
  async analysisContext(m: EntityManager): Promise<AnalysisContext> {
    const [row] = await m.query(
      `SELECT (SELECT coalesce(array_agg(code), '{}') FROM departments WHERE active) AS departments,
              (SELECT coalesce(array_agg(code), '{}') FROM categories WHERE active) AS categories,
              (SELECT coalesce(array_agg(id::text), '{}') FROM agents WHERE active) AS agents`,
    );
    return { departments: row.departments, categories: row.categories, agents: row.agents };
  }

  /** Every version of every circuit (without the definition body), by code and version. */
  summaries(m: EntityManager): Promise<DefinitionRow[]> {
    return m.query(
      `SELECT w.id, w.code, w.version, w.status, w.name, '{}'::jsonb AS definition, w.created_at, w.published_at, w.created_by, a.display_name AS created_by_name
       FROM workflow_definitions w LEFT JOIN agents a ON a.id = w.created_by ORDER BY w.code, w.version`,
    );
  }

  /** Per code: how many bindings, how many running circuits. */
  usage(m: EntityManager): Promise<Array<{ code: string; bindings: number; running: number }>> {
    return m.query(
      `SELECT code, sum(b)::int AS bindings, sum(r)::int AS running FROM (
         SELECT definition_code AS code, 1 AS b, 0 AS r FROM workflow_bindings
         UNION ALL SELECT definition_code, 0, 1 FROM ticket_workflows WHERE status = 'active') x GROUP BY code`,
    );
  }

  /** One version: a number, the latest published, or the draft. */
  async version(m: EntityManager, code: string, version: number | 'latest' | 'draft'): Promise<DefinitionRow | undefined> {
    const where = version === 'draft' ? `w.status = 'draft'` : version === 'latest' ? `w.status = 'published'` : `w.version = $2`;
    const [r]: DefinitionRow[] = await m.query(
      `SELECT w.*, a.display_name AS created_by_name FROM workflow_definitions w LEFT JOIN agents a ON a.id = w.created_by
       WHERE w.code = $1 AND ${where} ORDER BY w.version DESC LIMIT 1`,
      typeof version === 'number' ? [code, version] : [code],
    );
    return r;
  }

  /** Serialises the writers of one code until the transaction ends. */
  async lockCode(m: EntityManager, code: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:workflow:' || $1))`, [code]);
  }

  async draft(m: EntityManager, code: string): Promise<{ id: string; version: number; definition: unknown } | undefined> {
    const [draft] = await m.query(`SELECT id, version, definition FROM workflow_definitions WHERE code = $1 AND status = 'draft'`, [code]);
    return draft;
  }

  async updateDraft(m: EntityManager, id: string, definition: object, name: string, createdBy: string | null): Promise<void> {
    await m.query(`UPDATE workflow_definitions SET definition = $2, name = $3, updated_at = now(), created_by = $4 WHERE id = $1`, [
      id,
      JSON.stringify(definition),
      name,
      createdBy,
    ]);
  }

  /** Inserts the code's next version as its draft; that version. */
  async insertDraft(m: EntityManager, code: string, definition: object, name: string, createdBy: string | null): Promise<number> {
    const [{ next }] = await m.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM workflow_definitions WHERE code = $1`, [code]);
    await m.query(
      `INSERT INTO workflow_definitions (code, version, status, name, definition, created_by) VALUES ($1, $2, 'draft', $3, $4, $5)`,
      [code, next, name, JSON.stringify(definition), createdBy],
    );
    return next;
  }

  /** Deletes the code's draft; its version, or null when there was none. */
  async deleteDraft(m: EntityManager, code: string): Promise<number | null> {
    const rows = returned<{ version: number }>(
      await m.query(`DELETE FROM workflow_definitions WHERE code = $1 AND status = 'draft' RETURNING version`, [code]),
    );
    return rows.length ? rows[0].version : null;
  }

  async codeExists(m: EntityManager, code: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM workflow_definitions WHERE code = $1 LIMIT 1`, [code]);
    return rows.length > 0;
  }

  async isPublished(m: EntityManager, code: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM workflow_definitions WHERE code = $1 AND status = 'published'`, [code]);
    return rows.length > 0;
  }

  /** Archives the published version of the code and publishes the draft `draftId`; the archived version, or null. */
  async publishDraft(m: EntityManager, code: string, draftId: string): Promise<number | null> {
    const previous = returned<{ version: number }>(
      await m.query(
        `UPDATE workflow_definitions SET status = 'archived', updated_at = now() WHERE code = $1 AND status = 'published' RETURNING version`,
        [code],
      ),
    );
    await m.query(`UPDATE workflow_definitions SET status = 'published', published_at = now(), updated_at = now() WHERE id = $1`, [
      draftId,
    ]);
    return previous[0]?.version ?? null;
  }

  async exactVersion(m: EntityManager, code: string, version: number): Promise<{ definition: unknown; status: string } | undefined> {
    const [r] = await m.query(`SELECT definition, status FROM workflow_definitions WHERE code = $1 AND version = $2`, [code, version]);
    return r;
  }

  /** The circuit bound to (category, department): the most specific binding, latest published version. */
  async boundFor(
    m: EntityManager,
    categoryId: string,
    departmentId: string,
  ): Promise<{ code: string; version: number; name: string } | null> {
    const [r] = await m.query(
      `SELECT w.code, w.version, w.name FROM workflow_bindings b
       JOIN workflow_definitions w ON w.code = b.definition_code AND w.status = 'published'
       WHERE (b.category_id = $1 OR b.category_id IS NULL) AND (b.department_id = $2 OR b.department_id IS NULL)
       ORDER BY (b.category_id IS NOT NULL) DESC, (b.department_id IS NOT NULL) DESC LIMIT 1`,
      [categoryId, departmentId],
    );
    return r ? { code: r.code, version: r.version, name: r.name } : null;
  }

  bindings(m: EntityManager): Promise<BindingRow[]> {
    return m.query(`SELECT id, category_id, department_id, definition_code, created_at FROM workflow_bindings ORDER BY created_at, id`);
  }

  /** Removes the binding of exactly this scope; the circuit it named, or null. */
  async deleteBindingOf(m: EntityManager, categoryId: string | null, departmentId: string | null): Promise<string | null> {
    const [old] = returned<{ definition_code: string }>(
      await m.query(
        `DELETE FROM workflow_bindings WHERE category_id IS NOT DISTINCT FROM $1 AND department_id IS NOT DISTINCT FROM $2 RETURNING definition_code`,
        [categoryId, departmentId],
      ),
    );
    return old?.definition_code ?? null;
  }

  async insertBinding(m: EntityManager, categoryId: string | null, departmentId: string | null, code: string, createdBy: string | null) {
    const [row] = await m.query(
      `INSERT INTO workflow_bindings (category_id, department_id, definition_code, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [categoryId, departmentId, code, createdBy],
    );
    return row.id as string;
  }

  /** Removes a binding; the circuit it named, or null when unknown. */
  async deleteBinding(m: EntityManager, id: string): Promise<string | null> {
    const [old] = returned<{ definition_code: string }>(
      await m.query(`DELETE FROM workflow_bindings WHERE id = $1 RETURNING definition_code`, [id]),
    );
    return old?.definition_code ?? null;
  }
}

/** The pack loader's insert: checked workflows (published, version 1) and their bindings by codes. */
export async function insertPackWorkflows(
  m: EntityManager,
  w: {
    definitions: Array<{ id: string; name: string }>;
    bindings: Array<{ category: string | null; department: string | null; workflow: string }>;
  },
): Promise<void> {
  for (const d of w.definitions) {
    await m.query(
      `INSERT INTO workflow_definitions (code, version, status, name, definition, published_at) VALUES ($1, 1, 'published', $2, $3, now())`,
      [d.id, d.name, JSON.stringify(d)],
    );
  }
  for (const b of w.bindings) {
    await m.query(
      `INSERT INTO workflow_bindings (category_id, department_id, definition_code)
       VALUES ((SELECT id FROM categories WHERE code = $1), (SELECT id FROM departments WHERE code = $2), $3)`,
      [b.category, b.department, b.workflow],
    );
  }
}
