import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectEntityManager } from '@nestjs/typeorm';
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
import { CategoriesRepository } from '../reference/categories.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { checkDefinition, diagramOf, exportDefinition, readSource } from './definition-source';
import { DefinitionsRepository, type DefinitionRow } from './definitions.repository';

/** 422 listing every problem (path, reason): nothing was saved. */
export const invalidDefinition = (errors: WorkflowDefinitionProblem[], detail = 'Le circuit est invalide : rien n’a été enregistré.') =>
  new ProblemException(
    422,
    'Circuit invalide',
    detail,
    errors.map((e) => ({ field: e.path, message: e.message, code: e.code ?? 'invalid', ...(e.params ? { params: e.params } : {}) })),
  );

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
    /** reads outside a transaction */
    @InjectEntityManager() private readonly reader: EntityManager,
    private readonly repo: DefinitionsRepository,
    private readonly categories: CategoriesRepository,
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
  ) {}

  /** The town's codes, for the static analysis of references. */
  analysisContext(m: EntityManager = this.reader): Promise<AnalysisContext> {
    return this.repo.analysisContext(m);
  }

  /** Reads and checks one definition (text or object) without saving anything. */
  async validate(req: WorkflowSourceRequest): Promise<WorkflowValidation & { definition?: WorkflowDefinition }> {
    const input = this.input(req);
    if (!input.ok) return { ok: false, errors: input.errors, warnings: [], code: null, diagram: null };
    const checked = checkDefinition(input.value, await this.analysisContext());
    return { ...checked.validation, ...(checked.definition && checked.validation.ok ? { definition: checked.definition } : {}) };
  }

  /** Reads and checks one definition; the definition whenever the schema accepts it (analysis errors or not). */
  async check(req: WorkflowSourceRequest): Promise<{ validation: WorkflowValidation; definition: WorkflowDefinition | null }> {
    const input = this.input(req);
    if (!input.ok) return { validation: { ok: false, errors: input.errors, warnings: [], code: null, diagram: null }, definition: null };
    return checkDefinition(input.value, await this.analysisContext());
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
    const [rows, counts] = [await this.repo.summaries(this.reader), await this.repo.usage(this.reader)];
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
    const r = await this.repo.version(this.reader, code, version);
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
        await this.repo.lockCode(m, def.id);
        const draft = await this.repo.draft(m, def.id);
        let version: number;
        if (draft) {
          version = draft.version;
          await this.repo.updateDraft(m, draft.id, def, def.name, actorId(actor));
        } else {
          version = await this.repo.insertDraft(m, def.id, def, def.name, actorId(actor));
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
      const version = await this.repo.deleteDraft(m, code);
      if (version === null) throw notFound('Brouillon de circuit');
      await this.audit.record(m, auditActor(actor), 'workflow.draft_discard', 'workflow', code, {
        version: { before: version, after: null },
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
    await this.repo.lockCode(m, code);
    const draft = await this.repo.draft(m, code);
    if (!draft) {
      if (!(await this.repo.codeExists(m, code))) throw notFound('Circuit');
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
    const previous = await this.repo.publishDraft(m, code, draft.id);
    await this.audit.record(m, auditActor(actor), 'workflow.publish', 'workflow', code, {
      version: { before: previous, after: draft.version },
    });
    return { version: draft.version as number, warnings: checked.validation.warnings };
  }

  /** An exact published (or archived) version, parsed once and cached (frozen by construction). */
  async resolve(code: string, version: number, m: EntityManager = this.reader): Promise<PublishedDefinition> {
    const key = `${code}@${version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const r = await this.repo.exactVersion(m, code, version);
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
    return this.repo.boundFor(m, categoryId, departmentId);
  }

  // ---------------------------------------------------------------- bindings
  async bindings(): Promise<WorkflowBinding[]> {
    const rows = await this.repo.bindings(this.reader);
    return rows.map((r) => ({
      id: r.id,
      categoryId: r.category_id,
      departmentId: r.department_id,
      definitionCode: r.definition_code,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** Binds (or re-binds) a scope to a published circuit. */
  async bind(actor: Actor, input: WorkflowBindingInput): Promise<WorkflowBinding> {
    const categoryId = input.categoryId ?? null;
    const departmentId = input.departmentId ?? null;
    const id = await this.db.transaction(async (m) => {
      const errors: Array<{ field: string; message: string; code: string }> = [];
      if (!(await this.repo.isPublished(m, input.definitionCode)))
        errors.push({ field: 'definitionCode', message: 'Aucune version publiée de ce circuit.', code: 'unpublished' });
      if (categoryId && !(await this.categories.lockExisting(categoryId, m)))
        errors.push({ field: 'categoryId', message: 'Catégorie inconnue.', code: 'unknown' });
      if (departmentId && !(await this.departments.lockExisting([departmentId], m)).size)
        errors.push({ field: 'departmentId', message: 'Service inconnu.', code: 'unknown' });
      if (errors.length) throw new ProblemException(422, 'Rattachement invalide', errors.map((e) => e.message).join(' '), errors);
      const old = await this.repo.deleteBindingOf(m, categoryId, departmentId);
      const id = await this.repo.insertBinding(m, categoryId, departmentId, input.definitionCode, actorId(actor));
      await this.audit.record(m, auditActor(actor), 'workflow.bind', 'workflow_binding', id, {
        categoryId: { before: null, after: categoryId },
        departmentId: { before: null, after: departmentId },
        definitionCode: { before: old, after: input.definitionCode },
      });
      return id;
    });
    return (await this.bindings()).find((b) => b.id === id)!;
  }

  async unbind(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const old = await this.repo.deleteBinding(m, id);
      if (old === null) throw notFound('Rattachement');
      await this.audit.record(m, auditActor(actor), 'workflow.unbind', 'workflow_binding', id, {
        definitionCode: { before: old, after: null },
      });
    });
  }
}
