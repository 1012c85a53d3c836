import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AnalysisContext, PublishedDefinition, WorkflowDefinition } from '@grc/workflows';
import type {
  WorkflowBinding,
  WorkflowBindingInput,
  WorkflowDefinitionProblem,
  WorkflowDefinitionSummary,
  WorkflowDefinitionVersion,
  WorkflowFileFormat,
  WorkflowImportRequest,
  WorkflowSourceRequest,
  WorkflowValidation,
  WorkflowVersionSummary,
} from '@grc/domain';
import { conflict, notFound, ProblemException } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import { actorId, type Actor } from '../auth/authenticated-agent';
import { checkDefinition, diagramOf, exportDefinition, readSource } from './definition-source';

/** 422 listing every problem (path, reason): nothing was saved. */
export const invalidDefinition = (errors: WorkflowDefinitionProblem[], detail = 'Le circuit est invalide : rien n’a été enregistré.') =>
  new ProblemException(
    422,
    'Circuit invalide',
    detail,
    errors.map((e) => ({ field: e.path, message: e.message, code: e.code ?? 'invalid' })),
  );

interface DefinitionRow {
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

const toVersionSummary = (r: DefinitionRow): WorkflowVersionSummary => ({
  version: r.version,
  status: r.status,
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by ? { id: r.created_by, displayName: r.created_by_name ?? '' } : null,
  publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
});

/**
 * Workflow definitions (drafts and frozen published versions) and their bindings to categories and
 * departments. Published versions are immutable and cached: a running ticket always finds the
 * exact version it started with.
 */
@Injectable()
export class WorkflowDefinitionsService {
  private readonly cache = new Map<string, PublishedDefinition>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The town's codes, for the static analysis of references. */
  async analysisContext(m: EntityManager = this.db.manager): Promise<AnalysisContext> {
    const [row] = await m.query(
      `SELECT (SELECT coalesce(array_agg(code), '{}') FROM departments WHERE active) AS departments,
              (SELECT coalesce(array_agg(code), '{}') FROM categories WHERE active) AS categories,
              (SELECT coalesce(array_agg(id::text), '{}') FROM agents WHERE active) AS agents`,
    );
    return { departments: row.departments, categories: row.categories, agents: row.agents };
  }

  /** Reads and checks one definition (text or object) without saving anything. */
  async validate(req: WorkflowSourceRequest): Promise<WorkflowValidation & { definition?: WorkflowDefinition }> {
    const input = this.input(req);
    if (!input.ok) return { ok: false, errors: input.errors, warnings: [], code: null, diagram: null };
    const checked = checkDefinition(input.value, await this.analysisContext());
    return { ...checked.validation, ...(checked.definition && checked.validation.ok ? { definition: checked.definition } : {}) };
  }

  private input(req: WorkflowSourceRequest): { ok: true; value: unknown } | { ok: false; errors: WorkflowDefinitionProblem[] } {
    if (req.definition !== undefined && req.definition !== null) return { ok: true, value: req.definition };
    if (typeof req.source !== 'string')
      return {
        ok: false,
        errors: [
          { path: 'source', message: 'texte du circuit (YAML ou JSON) ou objet definition attendu', code: 'required', severity: 'error' },
        ],
      };
    return readSource(req.source, req.format);
  }

  async list(): Promise<WorkflowDefinitionSummary[]> {
    const rows: Array<DefinitionRow> = await this.db.query(
      `SELECT w.id, w.code, w.version, w.status, w.name, '{}'::jsonb AS definition, w.created_at, w.published_at, w.created_by, a.display_name AS created_by_name
       FROM workflow_definitions w LEFT JOIN agents a ON a.id = w.created_by ORDER BY w.code, w.version`,
    );
    const counts: Array<{ code: string; bindings: number; running: number }> = await this.db.query(
      `SELECT code, sum(b)::int AS bindings, sum(r)::int AS running FROM (
         SELECT definition_code AS code, 1 AS b, 0 AS r FROM workflow_bindings
         UNION ALL SELECT definition_code, 0, 1 FROM ticket_workflows WHERE status = 'active') x GROUP BY code`,
    );
    const byCode = new Map<string, DefinitionRow[]>();
    for (const r of rows) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
    return [...byCode.entries()].map(([code, versions]) => {
      const published = versions.filter((v) => v.status === 'published').at(-1);
      const draft = versions.find((v) => v.status === 'draft');
      const c = counts.find((x) => x.code === code);
      return {
        code,
        name: (published ?? draft ?? versions.at(-1)!).name,
        publishedVersion: published?.version ?? null,
        draftVersion: draft?.version ?? null,
        versions: versions.map(toVersionSummary),
        bindings: c?.bindings ?? 0,
        running: c?.running ?? 0,
      };
    });
  }

  async version(code: string, version: number | 'latest' | 'draft'): Promise<WorkflowDefinitionVersion> {
    const where = version === 'draft' ? `w.status = 'draft'` : version === 'latest' ? `w.status = 'published'` : `w.version = $2`;
    const [r]: DefinitionRow[] = await this.db.query(
      `SELECT w.*, a.display_name AS created_by_name FROM workflow_definitions w LEFT JOIN agents a ON a.id = w.created_by
       WHERE w.code = $1 AND ${where} ORDER BY w.version DESC LIMIT 1`,
      typeof version === 'number' ? [code, version] : [code],
    );
    if (!r) throw notFound('Circuit (ou version)');
    return {
      ...toVersionSummary(r),
      code: r.code,
      name: r.name,
      definition: r.definition,
      yaml: exportDefinition(r.definition, r.version, 'yaml'),
      diagram: diagramOf(r.definition as unknown as WorkflowDefinition),
    };
  }

  async export(
    code: string,
    version: number | 'latest',
    format: WorkflowFileFormat,
  ): Promise<{ filename: string; contentType: string; body: string }> {
    const v = await this.version(code, version);
    return {
      filename: `${code}-v${v.version}.${format === 'json' ? 'json' : 'yaml'}`,
      contentType: format === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8',
      body: exportDefinition(v.definition, v.version, format),
    };
  }

  /** Saves the definition as the draft of its code (creating or replacing it). Invalid: 422, nothing saved. */
  async saveDraft(
    actor: Actor,
    req: WorkflowSourceRequest,
    expectedCode?: string,
  ): Promise<WorkflowDefinitionVersion & { warnings: WorkflowDefinitionProblem[] }> {
    return this.saveMany(actor, req, { publish: false, expectedCode }).then((r) => r[0]!);
  }

  /** Import: one definition or a list; all valid or nothing saved; optionally published at once. */
  async import(
    actor: Actor,
    req: WorkflowImportRequest,
  ): Promise<Array<WorkflowDefinitionVersion & { warnings: WorkflowDefinitionProblem[] }>> {
    return this.saveMany(actor, req, { publish: req.publish === true });
  }

  private async saveMany(actor: Actor, req: WorkflowSourceRequest, opts: { publish: boolean; expectedCode?: string }) {
    const input = this.input(req);
    if (!input.ok) throw invalidDefinition(input.errors);
    const list = Array.isArray(input.value) ? input.value : [input.value];
    if (list.length === 0)
      throw invalidDefinition([{ path: '', message: 'aucun circuit dans le fichier', code: 'empty', severity: 'error' }]);
    const context = await this.analysisContext();
    const checked = list.map((d, i) => checkDefinition(d, context, Array.isArray(input.value) ? `[${i}]` : ''));
    const errors = checked.flatMap((c) => c.validation.errors);
    const codes = checked.map((c) => c.definition?.id);
    codes.forEach((c, i) => {
      if (c && codes.indexOf(c) !== i)
        errors.push({
          path: `[${i}].id`,
          message: `le circuit « ${c} » figure deux fois dans le fichier`,
          code: 'duplicate',
          severity: 'error',
        });
    });
    if (opts.expectedCode && codes[0] !== undefined && codes[0] !== opts.expectedCode)
      errors.push({ path: 'id', message: `l’identifiant doit rester « ${opts.expectedCode} »`, code: 'id_changed', severity: 'error' });
    if (errors.length) throw invalidDefinition(errors);

    const saved = await this.db.transaction(async (m) => {
      const out: Array<{ code: string; version: number }> = [];
      for (const c of checked) {
        const def = c.definition!;
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:workflow:' || $1))`, [def.id]);
        const [draft] = await m.query(`SELECT id, version FROM workflow_definitions WHERE code = $1 AND status = 'draft'`, [def.id]);
        let version: number;
        if (draft) {
          version = draft.version;
          await m.query(`UPDATE workflow_definitions SET definition = $2, name = $3, updated_at = now(), created_by = $4 WHERE id = $1`, [
            draft.id,
            JSON.stringify(def),
            def.name,
            actorId(actor),
          ]);
        } else {
          const [{ next }] = await m.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM workflow_definitions WHERE code = $1`, [
            def.id,
          ]);
          version = next;
          await m.query(
            `INSERT INTO workflow_definitions (code, version, status, name, definition, created_by) VALUES ($1, $2, 'draft', $3, $4, $5)`,
            [def.id, version, def.name, JSON.stringify(def), actorId(actor)],
          );
        }
        await this.audit.record(m, auditActor(actor), 'workflow.draft_save', 'workflow', def.id, {
          version: { before: null, after: version },
        });
        if (opts.publish) await this.publishIn(m, actor, def.id, context);
        out.push({ code: def.id, version });
      }
      return out;
    });
    return Promise.all(
      saved.map(async (s, i) => ({ ...(await this.version(s.code, s.version)), warnings: checked[i]!.validation.warnings })),
    );
  }

  async discardDraft(actor: Actor, code: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const rows = await m.query(`DELETE FROM workflow_definitions WHERE code = $1 AND status = 'draft' RETURNING version`, [code]);
      if (!rows.length) throw notFound('Brouillon de circuit');
      await this.audit.record(m, auditActor(actor), 'workflow.draft_discard', 'workflow', code, {
        version: { before: rows[0].version, after: null },
      });
    });
  }

  /** Publishes the code's draft (checked again against today's reference data); the previous version is archived. */
  async publish(actor: Actor, code: string): Promise<WorkflowDefinitionVersion & { warnings: WorkflowDefinitionProblem[] }> {
    const context = await this.analysisContext();
    const r = await this.db.transaction((m) => this.publishIn(m, actor, code, context));
    return { ...(await this.version(code, r.version)), warnings: r.warnings };
  }

  private async publishIn(m: EntityManager, actor: Actor, code: string, context: AnalysisContext) {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('grc:workflow:' || $1))`, [code]);
    const [draft] = await m.query(`SELECT id, version, definition FROM workflow_definitions WHERE code = $1 AND status = 'draft'`, [code]);
    if (!draft) {
      const [any] = await m.query(`SELECT 1 FROM workflow_definitions WHERE code = $1 LIMIT 1`, [code]);
      if (!any) throw notFound('Circuit');
      throw conflict(`Le circuit « ${code} » n’a pas de brouillon à publier.`, [
        { field: 'code', message: 'aucun brouillon', code: 'no_draft' },
      ]);
    }
    const checked = checkDefinition(draft.definition, context);
    if (!checked.validation.ok)
      throw invalidDefinition(
        checked.validation.errors,
        'Le brouillon est devenu invalide (données de référence modifiées) : il n’est pas publié.',
      );
    const previous = await m.query(
      `UPDATE workflow_definitions SET status = 'archived', updated_at = now() WHERE code = $1 AND status = 'published' RETURNING version`,
      [code],
    );
    await m.query(`UPDATE workflow_definitions SET status = 'published', published_at = now(), updated_at = now() WHERE id = $1`, [
      draft.id,
    ]);
    await this.audit.record(m, auditActor(actor), 'workflow.publish', 'workflow', code, {
      version: { before: previous[0]?.version ?? null, after: draft.version },
    });
    return { version: draft.version as number, warnings: checked.validation.warnings };
  }

  /** An exact published (or archived) version, parsed once and cached (frozen by construction). */
  async resolve(code: string, version: number, m: EntityManager = this.db.manager): Promise<PublishedDefinition> {
    const key = `${code}@${version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const [r] = await m.query(`SELECT definition, status FROM workflow_definitions WHERE code = $1 AND version = $2`, [code, version]);
    if (!r || r.status === 'draft') throw conflict(`La version ${version} du circuit « ${code} » est introuvable.`);
    const def = { ...(r.definition as WorkflowDefinition), version } as PublishedDefinition;
    this.cache.set(key, def);
    return def;
  }

  /** The circuit bound to a ticket (category + department, category, department, town-wide), latest published version. */
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

  // ---------------------------------------------------------------- bindings
  async bindings(): Promise<WorkflowBinding[]> {
    const rows = await this.db.query(
      `SELECT id, category_id, department_id, definition_code, created_at FROM workflow_bindings ORDER BY created_at, id`,
    );
    return rows.map(
      (r: { id: string; category_id: string | null; department_id: string | null; definition_code: string; created_at: Date }) => ({
        id: r.id,
        categoryId: r.category_id,
        departmentId: r.department_id,
        definitionCode: r.definition_code,
        createdAt: new Date(r.created_at).toISOString(),
      }),
    );
  }

  /** Binds (or re-binds) a scope to a published circuit. */
  async bind(actor: Actor, input: WorkflowBindingInput): Promise<WorkflowBinding> {
    const categoryId = input.categoryId ?? null;
    const departmentId = input.departmentId ?? null;
    const id = await this.db.transaction(async (m) => {
      const errors: Array<{ field: string; message: string; code: string }> = [];
      const [w] = await m.query(`SELECT 1 FROM workflow_definitions WHERE code = $1 AND status = 'published'`, [input.definitionCode]);
      if (!w) errors.push({ field: 'definitionCode', message: 'Aucune version publiée de ce circuit.', code: 'unpublished' });
      if (categoryId && !(await m.query(`SELECT 1 FROM categories WHERE id = $1`, [categoryId])).length)
        errors.push({ field: 'categoryId', message: 'Catégorie inconnue.', code: 'unknown' });
      if (departmentId && !(await m.query(`SELECT 1 FROM departments WHERE id = $1`, [departmentId])).length)
        errors.push({ field: 'departmentId', message: 'Service inconnu.', code: 'unknown' });
      if (errors.length) throw new ProblemException(422, 'Rattachement invalide', errors.map((e) => e.message).join(' '), errors);
      const [old] = await m.query(
        `DELETE FROM workflow_bindings WHERE category_id IS NOT DISTINCT FROM $1 AND department_id IS NOT DISTINCT FROM $2 RETURNING definition_code`,
        [categoryId, departmentId],
      );
      const [row] = await m.query(
        `INSERT INTO workflow_bindings (category_id, department_id, definition_code, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
        [categoryId, departmentId, input.definitionCode, actorId(actor)],
      );
      await this.audit.record(m, auditActor(actor), 'workflow.bind', 'workflow_binding', row.id, {
        categoryId: { before: null, after: categoryId },
        departmentId: { before: null, after: departmentId },
        definitionCode: { before: old?.definition_code ?? null, after: input.definitionCode },
      });
      return row.id as string;
    });
    return (await this.bindings()).find((b) => b.id === id)!;
  }

  async unbind(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const [old] = await m.query(`DELETE FROM workflow_bindings WHERE id = $1 RETURNING definition_code`, [id]);
      if (!old) throw notFound('Rattachement');
      await this.audit.record(m, auditActor(actor), 'workflow.unbind', 'workflow_binding', id, {
        definitionCode: { before: old.definition_code, after: null },
      });
    });
  }
}
