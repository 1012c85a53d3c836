/**
 * A pack folder checked as a whole, without a database: the YAML files (schema and cross-references,
 * libs/domain parseTownPack), the circuits of `workflows/` (schema and static analysis, libs/workflows)
 * and their bindings, the agents' passwords and the reference prefix. EVERY error at once, each with its
 * file, path and line: `grc validate-pack` prints them, `grc load-pack` refuses to write while one remains.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isNode, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import {
  PACK_FILES,
  formatReference,
  parseTownPack,
  yamlErrorMessage,
  type PackError,
  type TownPack,
} from '@grc/domain';
import type { WorkflowDefinition } from '@grc/workflows';
import { passwordVerdict } from '../accounts/password-strength';
import { packErrorInEnglish } from './pack-errors-en';
import { checkDefinition, readSource } from '../workflows/definition-source';
import type { PackBinding, PackWorkflows } from '../workflows/pack-workflows';

export interface PackValidation {
  /** every error, in file order */
  errors: PackError[];
  /** the checked pack and circuits when there is no error */
  pack: TownPack | null;
  workflows: PackWorkflows | null;
}

/** Reads every *.yaml / *.yml file of the folder (file name → text). */
export async function readPackFolder(folder: string): Promise<Record<string, string>> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (e) {
    throw new Error(`town pack folder ${folder} cannot be read: ${(e as Error).message}`);
  }
  const files: Record<string, string> = {};
  for (const name of names.filter((n) => /\.ya?ml$/i.test(n)).sort()) {
    files[name.replace(/\.yml$/i, '.yaml')] = await readFile(join(folder, name), 'utf8');
  }
  return files;
}

/** `file:line [path]: message`, one a line, in English (the CLI's and the logs' language: pack-errors-en.ts words the rules' codes). */
export const formatPackErrors = (errors: readonly PackError[]): string =>
  errors
    .map((e) => `  ${e.file}${e.line !== undefined ? `:${e.line}` : ''}${e.path ? ` [${e.path}]` : ''}: ${packErrorInEnglish(e).message}`)
    .join('\n');

/** The whole check of a pack folder. Throws only when the folder cannot be read. */
export async function validatePackFolder(folder: string): Promise<PackValidation> {
  const files = await readPackFolder(folder);
  const parsed = parseTownPack(files);
  const errors: PackError[] = parsed.ok ? [] : [...parsed.errors];
  const pack = parsed.ok ? parsed.pack : null;

  if (pack) {
    try {
      formatReference(pack.town.referencePrefix, 2000, 1);
    } catch (e) {
      errors.push({ file: PACK_FILES.town, path: 'referencePrefix', message: (e as Error).message, ...lineIn(files[PACK_FILES.town], ['referencePrefix']) });
    }
  }
  // the passwords are judged even when another file has errors: a weak one must not wait for the next run
  (pack ? pack.agents.map((a, i) => ({ a, i })) : agentsWithPasswordIn(files[PACK_FILES.agents])).forEach(({ a, i }) => {
    if (a.password === undefined) return;
    const v = passwordVerdict(a.password, a);
    if (!v.ok)
      errors.push({
        file: PACK_FILES.agents,
        path: `${i}.password`,
        message: `password refused (${v.code}${v.reasons.length ? `: ${v.reasons.join(', ')}` : ''}) for ${a.email}`,
        ...lineIn(files[PACK_FILES.agents], [i, 'password']),
      });
  });

  // circuits: checked against the pack's codes even when another file has errors (every error at once)
  const context = pack
    ? { departments: pack.departments.map((d) => d.code), categories: pack.categories.map((c) => c.code) }
    : { departments: codesIn(files[PACK_FILES.departments]), categories: codesIn(files[PACK_FILES.categories]) };
  const circuits = await checkPackWorkflows(folder, context);
  errors.push(...circuits.errors);

  const ok = errors.length === 0 && pack !== null;
  return { errors, pack: ok ? pack : null, workflows: ok ? circuits.workflows : null };
}

/**
 * The agents of agents.yaml whose password the schema accepts (a string of 12 to 200 characters: shorter or
 * longer ones are the schema's errors), read from the YAML itself when the pack as a whole has errors.
 */
function agentsWithPasswordIn(text: string | undefined): Array<{ a: { email: string; displayName: string; password: string }; i: number }> {
  if (!text) return [];
  const doc = parseDocument(text);
  const js: unknown = doc.errors.length ? null : doc.toJS();
  if (!Array.isArray(js)) return [];
  return js.flatMap((x: unknown, i) => {
    const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
    const password = str('password');
    return password.length >= 12 && password.length <= 200
      ? [{ a: { email: str('email'), displayName: str('displayName'), password }, i }]
      : [];
  });
}

/** The `code` of each item of a YAML list, for cross-checking the circuits when the list itself has errors. */
function codesIn(text: string | undefined): string[] {
  if (!text) return [];
  const doc = parseDocument(text);
  const js: unknown = doc.errors.length ? null : doc.toJS();
  return Array.isArray(js) ? js.flatMap((x) => (x && typeof x === 'object' && typeof x.code === 'string' ? [x.code as string] : [])) : [];
}

const segments = (path: string): Array<string | number> =>
  path
    .split(/[.[\]]+/)
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));

function lineOf(doc: Document, lines: LineCounter, path: Array<string | number>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function lineIn(text: string | undefined, path: Array<string | number>): { line?: number } {
  if (text === undefined) return {};
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const line = lineOf(doc, lines, path);
  return line === undefined ? {} : { line };
}

const BINDINGS = 'bindings.yaml';
export const BINDING_KEYS = ['category', 'department', 'workflow'] as const;

/**
 * `<pack>/workflows/*.yaml|json` (one circuit a file) and `workflows/bindings.yaml`, checked against the
 * given codes: every error with its file (`workflows/<name>`), path and line.
 */
export async function checkPackWorkflows(
  folder: string,
  context: { departments: string[]; categories: string[] },
): Promise<{ workflows: PackWorkflows | null; errors: PackError[] }> {
  const dir = join(folder, 'workflows');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  } catch {
    return { workflows: null, errors: [] };
  }
  const errors: PackError[] = [];
  const definitions: WorkflowDefinition[] = [];
  const definitionFiles = new Map<string, string>();
  let bindings: PackBinding[] = [];
  let bindingsDoc: { doc: Document; lines: LineCounter } | null = null;
  const bindingError = (path: Array<string | number>, message: string) =>
    errors.push({
      file: `workflows/${BINDINGS}`,
      path: path.join('.'),
      message,
      ...(bindingsDoc ? { line: lineOf(bindingsDoc.doc, bindingsDoc.lines, path) } : {}),
    });

  for (const name of names) {
    const file = `workflows/${name}`;
    const text = await readFile(join(dir, name), 'utf8');
    const lines = new LineCounter();
    const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
    if (name === BINDINGS) {
      bindingsDoc = { doc, lines };
      if (doc.errors.length) {
        for (const e of doc.errors) errors.push({ file, path: '', message: yamlErrorMessage(e), line: e.linePos?.[0]?.line });
        continue;
      }
      const raw: unknown = doc.toJS() ?? [];
      if (!Array.isArray(raw) || !(isSeq(doc.contents) || doc.contents === null)) {
        bindingError([], 'a list of { category?, department?, workflow } is expected');
        continue;
      }
      bindings = raw.map((b: unknown, i: number) => {
        const item = (b && typeof b === 'object' && !Array.isArray(b) ? b : {}) as Record<string, unknown>;
        if (!isMap(doc.getIn([i], true))) bindingError([i], 'a binding is { category?, department?, workflow }');
        for (const k of Object.keys(item).filter((k) => !(BINDING_KEYS as readonly string[]).includes(k))) bindingError([i, k], `unknown field "${k}"`);
        const str = (k: string) => (typeof item[k] === 'string' && item[k] !== '' ? (item[k] as string) : null);
        const binding = { category: str('category'), department: str('department'), workflow: str('workflow') ?? '' };
        if (!binding.workflow) bindingError([i, 'workflow'], 'the id of a circuit of workflows/ is required');
        if (binding.category && !context.categories.includes(binding.category))
          bindingError([i, 'category'], `unknown category code "${binding.category}"`);
        if (binding.department && !context.departments.includes(binding.department))
          bindingError([i, 'department'], `unknown department code "${binding.department}"`);
        return binding;
      });
      continue;
    }
    const source = readSource(text);
    if (!source.ok) {
      for (const e of source.errors)
        errors.push({ file, path: e.path, message: e.message, code: `circuit.${e.code}`, line: doc.errors[0]?.linePos?.[0]?.line });
      continue;
    }
    const checked = checkDefinition(source.value, context);
    const at = (path: string) => (/\.json$/i.test(name) ? {} : { line: lineOf(doc, lines, segments(path)) });
    if (!checked.validation.ok || !checked.definition) {
      for (const e of checked.validation.errors) errors.push({ file, path: e.path, message: e.message, code: `circuit.${e.code}`, ...at(e.path) });
    } else if (definitionFiles.has(checked.definition.id)) {
      errors.push({ file, path: 'id', message: `duplicate circuit id "${checked.definition.id}" (also ${definitionFiles.get(checked.definition.id)})`, ...at('id') });
    } else {
      definitions.push(checked.definition);
      definitionFiles.set(checked.definition.id, file);
    }
  }
  // a binding to a circuit whose file has errors is not reported twice
  const invalidIds = new Set(
    names.filter((n) => n !== BINDINGS && !errors.every((e) => e.file !== `workflows/${n}`)).map((n) => n.replace(/\.(ya?ml|json)$/i, '')),
  );
  bindings.forEach((b, i) => {
    if (b.workflow && !definitionFiles.has(b.workflow) && !invalidIds.has(b.workflow))
      bindingError([i, 'workflow'], `unknown circuit "${b.workflow}" (no file of workflows/ has this id)`);
  });
  const scopes = bindings.map((b) => `${b.category}|${b.department}`);
  scopes.forEach((s, i) => {
    if (scopes.indexOf(s) !== i) bindingError([i], `the same category/department is already bound (binding ${scopes.indexOf(s)})`);
  });
  for (const e of errors) if (e.line === undefined) delete e.line;
  return { workflows: errors.length ? null : { definitions, bindings }, errors };
}
