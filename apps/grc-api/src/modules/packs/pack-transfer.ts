/**
 * Configuration that travels (issue 15): a running town's whole configuration exported as a town pack
 * (the YAML files the loader reads), and a pack imported into a running town — a preview of the
 * differences, then an all-or-nothing apply (one transaction).
 *
 * What an import does, per file: departments and categories are created or updated by code (never
 * deleted: requests point to them; deactivate with `active: false`), a named category's fields and
 * routing rules are replaced by the pack's, agents are created (unusable password, the admin sets one)
 * or updated by e-mail with their departments replaced, SLA calendars (by department) and policies (by
 * id) created or replaced, the retention rules replaced as a set, templates created or replaced, each
 * circuit that differs published as a new version, the bindings replaced when `workflows/bindings.yaml`
 * is there. Demo data (demo-tickets.yaml) is only ever loaded into an empty town.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { stringify } from 'yaml';
import {
  canonicalJson, diffTownPacks, packYaml, parseTownPack, privacyFromPack, privacyToPack, serializeTownPack, type PackChange, type TownPack,
} from '@grc/domain';
import { parseWorkflowDefinition, type WorkflowDefinition } from '@grc/workflows';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { hashPassword } from '../auth/auth.service';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { PrivacySettingsRepository } from '../citizen-rights/privacy-settings.repository';
import { checkPackWorkflows, type PackWorkflows } from '../workflows/pack-workflows';
import { formatPackErrors, loadTownPack } from './pack-loader';
import { CategoryFieldsRepository } from '../reference/category-fields.repository';
import { PacksRepository } from './packs.repository';

const rows = new PacksRepository();
const WORKFLOWS_DIR = 'workflows/';
const BINDINGS = 'bindings.yaml';

/** The town's configuration as a pack (no demo data, no password), with its published circuits. */
export interface TownConfiguration {
  pack: TownPack;
  workflows: PackWorkflows;
}

/** The categories with their own fields (left out when there are none). */
async function categoriesWithFields(m: EntityManager): Promise<TownPack['categories']> {
  const [categories, fields] = await Promise.all([rows.categories(m), new CategoryFieldsRepository(m.connection).byCategoryCode(m)]);
  return categories.map((c) => {
    const own = fields.get(c.code) ?? [];
    return own.length ? { ...c, fields: own } : c;
  });
}

/** Reads the whole configuration in the caller's transaction; null before any pack was loaded. */
export async function readTownConfiguration(m: EntityManager): Promise<TownConfiguration | null> {
  const town = await new TownSettingsRepository(m.connection).find(m);
  if (!town) return null;
  const published = await rows.publishedWorkflows(m);
  const texts = Object.fromEntries(Object.entries(town.publicTexts).filter(([, v]) => v));
  const privacy = await new PrivacySettingsRepository(m.connection).find(m);
  const links = await rows.communeLinks(m);
  return {
    pack: {
      town: {
        formatVersion: 1,
        name: town.name,
        code: town.code,
        timezone: town.timezone,
        locale: town.locale,
        referencePrefix: town.referencePrefix,
        ...(links.kind === 'metropole' ? { kind: 'metropole' as const } : {}),
        ...(links.metropole ? { metropole: links.metropole } : {}),
        ...(links.communes.length ? { communes: links.communes } : {}),
        // the logo (an image) does not travel in YAML: set it again in Administration › Commune
        ...(Object.keys(texts).length ? { publicTexts: texts } : {}),
        ...(town.senderAddress ? { sender: { address: town.senderAddress, ...(town.senderName ? { name: town.senderName } : {}) } } : {}),
      },
      privacy: privacy ? privacyToPack(privacy) : null,
      departments: await rows.departments(m),
      categories: await categoriesWithFields(m),
      routing: await rows.routing(m),
      agents: await rows.agents(m),
      demo: null,
      sla: await rows.sla(m),
      retention: await rows.retention(m),
      templates: await rows.templates(m),
    },
    workflows: {
      // the engine's schema orders each definition's keys (the database's jsonb does not keep them)
      definitions: published.map((w) => {
        const parsed = parseWorkflowDefinition(w.definition);
        return parsed.ok ? parsed.definition : (w.definition as unknown as WorkflowDefinition);
      }),
      bindings: await rows.bindings(m),
    },
  };
}

const HEADER =
  '# Exporté de la GRC (format de pack commune, version 1 : packs/README.md). Rechargeable tel quel :\n' +
  '#   node dist/apps/grc-api/main.js import-pack <dossier> [--dry-run]\n';

/** The configuration as the pack's files: path (e.g. `workflows/bindings.yaml`) → text. Same configuration, same bytes. */
export function configurationFiles(c: TownConfiguration): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, text] of Object.entries(serializeTownPack(c.pack, { includeAgents: true }))) files[name] = HEADER + text;
  for (const d of c.workflows.definitions) files[`${WORKFLOWS_DIR}${d.id}.yaml`] = HEADER + stringify(d, { lineWidth: 0 });
  files[`${WORKFLOWS_DIR}${BINDINGS}`] =
    HEADER +
    packYaml(
      c.workflows.bindings.map((b) => ({ ...(b.category ? { category: b.category } : {}), ...(b.department ? { department: b.department } : {}), workflow: b.workflow })),
    );
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

/** The running town's pack files (read in one repeatable-read snapshot). */
export async function exportPackFiles(ds: DataSource): Promise<Record<string, string>> {
  const c = await ds.transaction('REPEATABLE READ', (m) => readTownConfiguration(m));
  if (!c) throw new Error('no town configured yet: nothing to export');
  return configurationFiles(c);
}

/** `grc export-pack <dir>`: writes the pack's files into `dir` (created if needed); the paths written. */
export async function exportPack(ds: DataSource, dir: string): Promise<string[]> {
  const files = await exportPackFiles(ds);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text, 'utf8');
  }
  return Object.keys(files);
}

/** A pack folder's files as the API receives them: its YAML files and those of its workflows/ folder. */
export async function readPackTree(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const read = async (dir: string, prefix: string) => {
    let names: string[];
    try {
      names = (await readdir(join(folder, dir))).sort();
    } catch (e) {
      if (prefix) return;
      throw new Error(`town pack folder ${folder} cannot be read: ${(e as Error).message}`);
    }
    for (const n of names.filter((x) => /\.(ya?ml|json)$/i.test(x))) files[`${prefix}${n.replace(/\.yml$/i, '.yaml')}`] = await readFile(join(folder, dir, n), 'utf8');
  };
  await read('.', '');
  await read('workflows', WORKFLOWS_DIR);
  return files;
}

/** Why a pack cannot be imported: the files' errors, each with its file and path. */
export class PackInvalidError extends Error {
  constructor(readonly errors: Array<{ file: string; path: string; message: string; line?: number }>) {
    super(`town pack is invalid (${errors.length} error(s)):\n${formatPackErrors(errors)}`);
  }
}

export interface ImportOptions {
  dryRun: boolean;
  /** who imports (the audit's actor); the CLI imports as the system */
  actor?: Actor | null;
  now?: Date;
}
export interface ImportResult {
  /** 'load': the town was empty, the pack was loaded whole; 'merge': a running town's configuration changed */
  mode: 'load' | 'merge';
  /** the differences (a dry run's preview, or what was applied) */
  changes: PackChange[];
  applied: boolean;
}

/** Parses a pack's files (top-level files and workflows/…); throws PackInvalidError with every error. */
export function parsePackFiles(files: Readonly<Record<string, string>>): { pack: TownPack; workflows: PackWorkflows | null; bindings: boolean } {
  const top = Object.fromEntries(Object.entries(files).filter(([k]) => !k.includes('/')));
  const parsed = parseTownPack(top);
  if (!parsed.ok) throw new PackInvalidError(parsed.errors);
  const wf = Object.fromEntries(Object.entries(files).filter(([k]) => k.startsWith(WORKFLOWS_DIR)).map(([k, v]) => [k.slice(WORKFLOWS_DIR.length), v]));
  if (!Object.keys(wf).length) return { pack: parsed.pack, workflows: null, bindings: false };
  try {
    return { pack: parsed.pack, workflows: checkPackWorkflows(wf, parsed.pack), bindings: BINDINGS in wf };
  } catch (e) {
    throw new PackInvalidError(
      (e as Error).message.split('\n').slice(1).map((line) => ({ file: 'workflows', path: '', message: line.trim() })),
    );
  }
}

/** The circuits' changes: a definition new or different from the published one; the bindings as a whole. */
function diffWorkflows(current: PackWorkflows, incoming: PackWorkflows | null, withBindings: boolean): PackChange[] {
  if (!incoming) return [];
  const published = new Map(current.definitions.map((d) => [d.id, canonicalJson(d)]));
  const changes: PackChange[] = incoming.definitions.flatMap((d): PackChange[] => {
    const before = published.get(d.id);
    if (before === undefined) return [{ kind: 'workflow', key: d.id, action: 'create' }];
    return before === canonicalJson(d) ? [] : [{ kind: 'workflow', key: d.id, action: 'update' }];
  });
  const sorted = (bs: PackWorkflows['bindings']) => bs.map((b) => canonicalJson(b)).sort();
  if (withBindings && canonicalJson(sorted(current.bindings)) !== canonicalJson(sorted(incoming.bindings)))
    changes.push({ kind: 'workflow_bindings', key: '', action: 'update' });
  return changes;
}

/**
 * Imports a pack's files into this instance: into an empty town, the loader's whole load; into a
 * running town, the differences (preview with `dryRun`), then all of them in one transaction or none.
 */
export async function importPackFiles(ds: DataSource, files: Readonly<Record<string, string>>, opts: ImportOptions): Promise<ImportResult> {
  const { pack, workflows, bindings } = parsePackFiles(files);
  const empty = !(await rows.hasDepartments(ds.manager));
  if (empty) {
    const changes: PackChange[] = [
      { kind: 'town', key: '', action: 'create' },
      ...pack.departments.map((d): PackChange => ({ kind: 'department', key: d.code, action: 'create' })),
      ...pack.categories.map((c): PackChange => ({ kind: 'category', key: c.code, action: 'create' })),
      ...pack.agents.map((a): PackChange => ({ kind: 'agent', key: a.email, action: 'create' })),
      ...(workflows?.definitions ?? []).map((d): PackChange => ({ kind: 'workflow', key: d.id, action: 'create' })),
    ];
    if (opts.dryRun) return { mode: 'load', changes, applied: false };
    const r = await loadTownPack(ds, pack, { onlyIfEmpty: false, now: opts.now ?? new Date(), workflows });
    return { mode: 'load', changes, applied: r.loaded };
  }
  const hashes = new Map<string, string>();
  const run = async (m: EntityManager): Promise<ImportResult> => {
    await rows.lock(m);
    const current = await readTownConfiguration(m);
    if (!current) throw new Error('the database has departments but no town settings: load a pack with load-pack first');
    const changes = [...diffTownPacks(current.pack, pack), ...diffWorkflows(current.workflows, workflows, bindings)];
    if (opts.dryRun || !changes.length) return { mode: 'merge', changes, applied: false };
    await apply(m, current, pack, workflows, bindings, hashes);
    await new AuditService(new AuditRepository(m.connection)).record(
      m,
      opts.actor ? auditActor(opts.actor) : { actorId: null, actorLabel: 'system:pack', ip: null },
      'pack.import',
      'town',
      pack.town.code,
      Object.fromEntries(
        (['create', 'update'] as const).map((a) => [a === 'create' ? 'created' : 'updated', { before: null, after: changes.filter((c) => c.action === a).length }]),
      ),
    );
    return { mode: 'merge', changes, applied: true };
  };
  // a new agent gets an unusable random password (argon2id is slow: hashed before the transaction)
  if (!opts.dryRun) {
    const known = await rows.knownAgents(ds.manager, pack.agents.map((a) => a.email));
    for (const a of pack.agents.filter((x) => !known.has(x.email))) hashes.set(a.email, await hashPassword(randomBytes(32).toString('base64url')));
  }
  return opts.dryRun ? ds.transaction('REPEATABLE READ', run) : ds.transaction(run);
}

async function apply(
  m: EntityManager,
  current: TownConfiguration,
  pack: TownPack,
  workflows: PackWorkflows | null,
  withBindings: boolean,
  hashes: Map<string, string>,
): Promise<void> {
  const t = pack.town;
  const town = new TownSettingsRepository(m.connection);
  await town.save(m, { code: t.code, name: t.name, timezone: t.timezone, locale: t.locale, referencePrefix: t.referencePrefix });
  await town.savePackSettings(m, { publicTexts: t.publicTexts, sender: t.sender });
  if (pack.privacy) await new PrivacySettingsRepository(m.connection).save(privacyFromPack(pack.privacy), null, m);
  await rows.upsertDepartments(m, pack.departments);
  await rows.upsertCategories(m, pack.categories);
  const fields = new CategoryFieldsRepository(m.connection);
  await fields.clearForCategoryCodes(m, pack.categories.map((c) => c.code));
  await rows.clearRouting(m, pack.categories.map((c) => c.code));
  await fields.insertByCategoryCode(m, pack.categories.flatMap((c) => (c.fields ?? []).map((field) => ({ category: c.code, field }))));
  await rows.insertRouting(m, pack.routing);
  // an agent known already keeps their password (the upsert updates only); one created meanwhile, elsewhere, too
  const known = await rows.knownAgents(m, pack.agents.map((a) => a.email));
  for (const a of pack.agents)
    if (!known.has(a.email) && !hashes.has(a.email)) hashes.set(a.email, await hashPassword(randomBytes(32).toString('base64url')));
  await rows.upsertAgents(m, pack.agents, hashes);
  if (pack.sla) await rows.upsertSla(m, pack.sla);
  if (pack.retention) await rows.replaceRetention(m, pack.retention);
  if (pack.templates) await rows.upsertTemplates(m, pack.templates);
  if (workflows) {
    const published = new Map(current.workflows.definitions.map((d) => [d.id, canonicalJson(d)]));
    for (const d of workflows.definitions) if (published.get(d.id) !== canonicalJson(d)) await rows.publishWorkflow(m, d.id, d.name, d);
    if (withBindings) await rows.replaceBindings(m, workflows.bindings);
  }
}

/** `grc import-pack <dir> [--dry-run]`: reads the folder and imports it (see importPackFiles). */
export async function importPack(ds: DataSource, dir: string, opts: { dryRun: boolean }): Promise<ImportResult> {
  return importPackFiles(ds, await readPackTree(dir), { dryRun: opts.dryRun });
}
