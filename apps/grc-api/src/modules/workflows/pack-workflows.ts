/**
 * The workflows of a town pack: `<pack>/workflows/*.yaml` (one definition per file, published as
 * version 1) and `<pack>/workflows/bindings.yaml` (`- { category?, department?, workflow }`).
 * Checked before anything is loaded (every error listed); inserted in the pack's transaction.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { TownPack } from '@grc/domain';
import type { WorkflowDefinition } from '@grc/workflows';
import { checkDefinition, readSource } from './definition-source';

export interface PackBinding {
  category: string | null;
  department: string | null;
  workflow: string;
}
export interface PackWorkflows {
  definitions: WorkflowDefinition[];
  bindings: PackBinding[];
}

const BINDINGS = 'bindings.yaml';

/** Reads and checks the pack's workflows against its own codes; null when the pack has none. */
export async function readPackWorkflows(folder: string, pack: TownPack): Promise<PackWorkflows | null> {
  const dir = join(folder, 'workflows');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/i.test(n)).sort();
  } catch {
    return null;
  }
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(join(dir, name), 'utf8');
  return checkPackWorkflows(files, pack, folder);
}

/** The same check on the files' texts (name inside workflows/ → text), e.g. a pack sent to the API. */
export function checkPackWorkflows(files: Readonly<Record<string, string>>, pack: TownPack, label = 'the pack'): PackWorkflows {
  const names = Object.keys(files)
    .filter((n) => /\.(ya?ml|json)$/i.test(n))
    .sort();
  const context = {
    departments: pack.departments.map((d) => d.code),
    categories: pack.categories.map((c) => c.code),
  };
  const errors: string[] = [];
  const definitions: WorkflowDefinition[] = [];
  let bindings: PackBinding[] = [];
  for (const name of names) {
    const text = files[name]!;
    if (name === BINDINGS) {
      const raw = parse(text) ?? [];
      if (!Array.isArray(raw)) {
        errors.push(`  workflows/${name}: a list of { category?, department?, workflow } is expected`);
        continue;
      }
      bindings = raw.map((b: Record<string, unknown>, i: number) => {
        const binding = {
          category: (b['category'] as string) ?? null,
          department: (b['department'] as string) ?? null,
          workflow: String(b['workflow'] ?? ''),
        };
        const unknown = Object.keys(b).filter((k) => !['category', 'department', 'workflow'].includes(k));
        if (unknown.length) errors.push(`  workflows/${name} [${i}]: unknown field(s) ${unknown.join(', ')}`);
        if (binding.category && !context.categories.includes(binding.category))
          errors.push(`  workflows/${name} [${i}.category]: unknown category "${binding.category}"`);
        if (binding.department && !context.departments.includes(binding.department))
          errors.push(`  workflows/${name} [${i}.department]: unknown department "${binding.department}"`);
        return binding;
      });
      continue;
    }
    const source = readSource(text);
    if (!source.ok) {
      errors.push(...source.errors.map((e) => `  workflows/${name}: ${e.message}`));
      continue;
    }
    const checked = checkDefinition(source.value, context);
    if (!checked.validation.ok || !checked.definition)
      errors.push(...checked.validation.errors.map((e) => `  workflows/${name} [${e.path}]: ${e.message}`));
    else if (definitions.some((d) => d.id === checked.definition!.id))
      errors.push(`  workflows/${name}: duplicate workflow id "${checked.definition.id}"`);
    else definitions.push(checked.definition);
  }
  bindings.forEach((b, i) => {
    if (!definitions.some((d) => d.id === b.workflow))
      errors.push(`  workflows/${BINDINGS} [${i}.workflow]: unknown workflow "${b.workflow}"`);
  });
  const scopes = bindings.map((b) => `${b.category}|${b.department}`);
  scopes.forEach((s, i) => {
    if (scopes.indexOf(s) !== i) errors.push(`  workflows/${BINDINGS} [${i}]: the same category/department is bound twice`);
  });
  if (errors.length) throw new Error(`town pack ${label}: invalid workflows (${errors.length} error(s)):\n${errors.join('\n')}`);
  return { definitions, bindings };
}

/** Inserts the checked workflows (published, version 1) and their bindings: the SQL is the definitions repository's. */
export { insertPackWorkflows } from './definitions.repository';
