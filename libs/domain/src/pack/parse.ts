/**
 * parseTownPack: YAML texts of a pack → a checked TownPack, or every error with its file and path.
 * Pure: the caller reads the files (file name → text).
 */
import { LineCounter, parseDocument, isNode, type Document, type YAMLError } from 'yaml';
import { z } from 'zod';
import { validateCalendar } from '../sla/calendar';
import { validatePolicy, type SlaPolicy } from '../sla/policy';
import {
  PACK_FILES,
  METROPOLE_REF,
  REQUIRED_PACK_FILES,
  DEMO_TEMPLATE_PLACEHOLDERS,
  DEMO_TRANSFER_PLACEHOLDERS,
  townSchema,
  departmentSchema,
  categorySchema,
  routingRuleSchema,
  agentSchema,
  demoTicketsSchema,
  slaPackSchema,
  retentionPackSchema,
  privacyPackSchema,
  type PackPrivacy,
  templatesPackSchema,
  type PackTemplates,
  type PackRetention,
  type PackSla,
  type TownPack,
  type PackDepartment,
  type PackRoutingRule,
  type PackFileName,
} from './schema';

export interface PackError {
  file: string;
  /** dotted path inside the file, e.g. "3.departments.1" ("" for the whole file) */
  path: string;
  message: string;
  /**
   * the rule's code when a domain rule (SLA calendars and policies) or the circuits' analysis found it: the
   * message then is the rule's French sentence, and English readers (`grc validate-pack`) word the code
   */
  code?: string;
  /** 1-based line in the file when known */
  line?: number;
}
export type ParseTownPackResult = { ok: true; pack: TownPack } | { ok: false; errors: PackError[] };

type Path = Array<string | number>;

interface LoadedFile {
  name: string;
  doc: Document;
  lines: LineCounter;
}

const lineOf = (f: LoadedFile | undefined, path: Path): number | undefined => {
  if (!f) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? f.doc.contents : f.doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return f.lines.linePos(node.range[0]).line;
  }
  return undefined;
};

class Errors {
  readonly list: PackError[] = [];
  constructor(private readonly files: Map<string, LoadedFile>) {}
  add(file: string, path: Path, message: string, code?: string): void {
    const line = lineOf(this.files.get(file), path);
    this.list.push({ file, path: path.join('.'), message, ...(code ? { code } : {}), ...(line !== undefined ? { line } : {}) });
  }
}

/** Validates one file's data; returns null (errors recorded) when it does not match. */
function check<S extends z.ZodTypeAny>(schema: S, data: unknown, file: string, errors: Errors): z.infer<S> | null {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      for (const k of issue.keys) errors.add(file, [...issue.path, k], `unknown field "${k}"`);
    } else {
      errors.add(file, issue.path, issueMessage(issue));
    }
  }
  return null;
}

/** zod's type errors in the words of the reference (docs/packs.md), not its own ("Expected number, received string"). */
function issueMessage(issue: z.ZodIssue): string {
  if (issue.code !== z.ZodIssueCode.invalid_type) return issue.message;
  if (issue.received === 'undefined') return 'required';
  const kind = (t: string) =>
    ({ string: 'a text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a map of keys', null: 'null' })[t] ?? t;
  return `must be ${kind(issue.expected)}, not ${kind(issue.received)}`;
}

/**
 * A list file that did not match its schema as a whole: its items that match one by one, at their own index
 * (null where one does not), so that the references they make are still checked in the same run.
 */
function validItems<S extends z.ZodTypeAny>(schema: S, raw: unknown): Array<z.infer<S> | null> {
  return Array.isArray(raw)
    ? raw.map((x) => {
        const r = schema.safeParse(x);
        return r.success ? (r.data as z.infer<S>) : null;
      })
    : [];
}

/** The `code` of each item of a raw list: what other files may name even when the list itself has errors. */
const rawCodes = (raw: unknown): Set<string> =>
  new Set(
    Array.isArray(raw)
      ? raw.flatMap((x) =>
          x && typeof x === 'object' && typeof (x as { code?: unknown }).code === 'string' ? [(x as { code: string }).code] : [],
        )
      : [],
  );

const placeholdersOf = (s: string): string[] => [...s.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');

/**
 * A YAML syntax error in one line, for a message that already gives the file and the line: the parser's
 * sentence without its "at line L, column C:" and code frame, then the column and the text of the line at
 * fault (`YAML: Map keys must be unique: a key appears twice in this map (column 1: "name: Val-d'Exemple")`).
 */
export function yamlErrorMessage(e: Pick<YAMLError, 'message' | 'code' | 'linePos'>): string {
  const lines = e.message.split('\n');
  const sentence = (lines[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '');
  const caret = lines.findIndex((l, i) => i > 0 && /^\s*\^+\s*$/.test(l));
  const text = caret > 0 ? (lines[caret - 1] ?? '').trim() : '';
  const hint = e.code === 'DUPLICATE_KEY' ? ': a key appears twice in this map' : '';
  const col = e.linePos?.[0]?.col;
  const where = text ? ` (${col !== undefined ? `column ${col}: ` : ''}"${text.length > 80 ? `${text.slice(0, 77)}...` : text}")` : '';
  return `YAML: ${sentence}${hint}${where}`;
}

/**
 * Parses and checks a town pack. `files` maps file names (as in PACK_FILES; other names are ignored)
 * to their text. Lists every error: YAML syntax, schema (with its path), then cross-references
 * (unknown codes, duplicates, department cycles, a service as parent of a direction).
 */
export function parseTownPack(files: Record<string, string>): ParseTownPackResult {
  const loaded = new Map<string, LoadedFile>();
  const errors = new Errors(loaded);
  const data = new Map<PackFileName, unknown>();

  for (const name of Object.values(PACK_FILES)) {
    const src = files[name];
    if (src === undefined) {
      if (REQUIRED_PACK_FILES.includes(name)) errors.add(name, [], 'missing file');
      continue;
    }
    const lines = new LineCounter();
    const doc = parseDocument(src, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    loaded.set(name, { name, doc, lines });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        errors.list.push({ file: name, path: '', message: yamlErrorMessage(e), line: e.linePos?.[0]?.line });
      }
      continue;
    }
    data.set(name, doc.toJS());
  }

  /** an empty file is an empty list */
  const listOf = (name: PackFileName): unknown => data.get(name) ?? [];

  const town = data.has(PACK_FILES.town) ? check(townSchema, data.get(PACK_FILES.town), PACK_FILES.town, errors) : null;
  const departments = data.has(PACK_FILES.departments)
    ? check(z.array(departmentSchema).min(1, 'at least one department'), listOf(PACK_FILES.departments), PACK_FILES.departments, errors)
    : null;
  const categories = data.has(PACK_FILES.categories)
    ? check(z.array(categorySchema).min(1, 'at least one category'), listOf(PACK_FILES.categories), PACK_FILES.categories, errors)
    : null;
  const routingRaw = loaded.has(PACK_FILES.routing)
    ? data.has(PACK_FILES.routing)
      ? check(z.array(routingRuleSchema), listOf(PACK_FILES.routing), PACK_FILES.routing, errors)
      : null
    : [];
  const agents = loaded.has(PACK_FILES.agents)
    ? data.has(PACK_FILES.agents)
      ? check(z.array(agentSchema), listOf(PACK_FILES.agents), PACK_FILES.agents, errors)
      : null
    : [];
  const demo = loaded.has(PACK_FILES.demoTickets)
    ? data.has(PACK_FILES.demoTickets)
      ? check(demoTicketsSchema, data.get(PACK_FILES.demoTickets), PACK_FILES.demoTickets, errors)
      : null
    : null;

  // ---------- cross-references (each on what parsed) ----------
  const deptCodes = new Map<string, PackDepartment>();
  if (departments) {
    departments.forEach((d, i) => {
      if (deptCodes.has(d.code)) errors.add(PACK_FILES.departments, [i, 'code'], `duplicate department code "${d.code}"`);
      else deptCodes.set(d.code, d);
    });
    departments.forEach((d, i) => {
      if (d.parent === null) return;
      const parent = deptCodes.get(d.parent);
      if (d.parent === d.code) errors.add(PACK_FILES.departments, [i, 'parent'], `department "${d.code}" cannot be its own parent`);
      else if (!parent) errors.add(PACK_FILES.departments, [i, 'parent'], `unknown department code "${d.parent}"`);
      else if (parent.kind === 'service' && d.kind === 'direction')
        errors.add(PACK_FILES.departments, [i, 'parent'], `the service "${parent.code}" cannot be the parent of the direction "${d.code}"`);
    });
    // cycles: follow parents from each department
    const reported = new Set<string>();
    departments.forEach((d, i) => {
      const seen: string[] = [d.code];
      let cur = d.parent;
      while (cur !== null && cur !== d.code) {
        const p = deptCodes.get(cur);
        if (!p || seen.includes(cur)) return; // unknown (reported above) or a cycle not through d
        seen.push(cur);
        cur = p.parent;
      }
      if (cur === d.code && seen.length > 1) {
        const key = [...seen].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          errors.add(PACK_FILES.departments, [i, 'parent'], `cycle in departments: ${[...seen, d.code].join(' → ')}`);
        }
      }
    });
  }
  // a departments.yaml with errors still names its codes: the other files' references to them are checked
  // in the same run (every error at once), not after it is fixed; unreadable or missing: nothing to check against
  const deptKnown = departments
    ? new Set(deptCodes.keys())
    : data.has(PACK_FILES.departments)
      ? rawCodes(listOf(PACK_FILES.departments))
      : null;
  const knowDept = (c: string): boolean => deptKnown === null || deptKnown.has(c);
  // a shared service: a métropole's own department; a commune's reference to its métropole's (checked at load)
  if (departments && town)
    departments.forEach((d, i) => {
      if (d.shared && town.kind !== 'metropole')
        errors.add(PACK_FILES.departments, [i, 'shared'], `only a métropole (town.yaml kind: metropole) has shared departments`);
    });
  if (town && town.kind === 'metropole' && town.metropole !== undefined)
    errors.add(PACK_FILES.town, ['metropole'], 'a métropole belongs to no métropole');
  if (town && town.kind !== 'metropole' && town.communes !== undefined)
    errors.add(PACK_FILES.town, ['communes'], 'only a métropole (kind: metropole) has communes');
  const knowTarget = (c: string): boolean => c.startsWith(METROPOLE_REF) || knowDept(c);
  const metropoleRef = (file: PackFileName, path: Array<string | number>, c: string): void => {
    if (c.startsWith(METROPOLE_REF) && town && !town.metropole)
      errors.add(file, path, `"${c}" names a shared service of the métropole, but town.yaml names no métropole`);
  };

  const catCodes = new Set<string>();
  const categoryItems = categories ?? (data.has(PACK_FILES.categories) ? validItems(categorySchema, listOf(PACK_FILES.categories)) : null);
  if (categoryItems) {
    categoryItems.forEach((c, i) => {
      if (!c) return;
      if (catCodes.has(c.code)) errors.add(PACK_FILES.categories, [i, 'code'], `duplicate category code "${c.code}"`);
      catCodes.add(c.code);
      const fieldCodes = new Set<string>();
      (c.fields ?? []).forEach((f, j) => {
        if (fieldCodes.has(f.code)) errors.add(PACK_FILES.categories, [i, 'fields', j, 'code'], `duplicate field code "${f.code}"`);
        fieldCodes.add(f.code);
      });
      if (!knowTarget(c.department)) errors.add(PACK_FILES.categories, [i, 'department'], `unknown department code "${c.department}"`);
      metropoleRef(PACK_FILES.categories, [i, 'department'], c.department);
    });
  }
  const catKnown = categories ? catCodes : data.has(PACK_FILES.categories) ? rawCodes(listOf(PACK_FILES.categories)) : null;
  const knowCat = (c: string): boolean => catKnown === null || catKnown.has(c);

  let routing: PackRoutingRule[] | null = null;
  if (routingRaw) {
    const positions = new Map<string, number>();
    routing = routingRaw.map((r, i) => ({ ...r, position: r.position ?? i * 10 }));
    routing.forEach((r, i) => {
      if (!knowCat(r.category)) errors.add(PACK_FILES.routing, [i, 'category'], `unknown category code "${r.category}"`);
      if (!knowTarget(r.department)) errors.add(PACK_FILES.routing, [i, 'department'], `unknown department code "${r.department}"`);
      metropoleRef(PACK_FILES.routing, [i, 'department'], r.department);
      const key = `${r.category}@${r.position}`;
      if (positions.has(key))
        errors.add(
          PACK_FILES.routing,
          [i, 'position'],
          `rules ${positions.get(key)} and ${i} of category "${r.category}" share position ${r.position}: the order would be ambiguous`,
        );
      else positions.set(key, i);
    });
    routing = [...routing].sort((a, b) => a.position - b.position);
  } else if (data.has(PACK_FILES.routing)) {
    // the file has errors: the references of its other rules are still checked
    validItems(routingRuleSchema, listOf(PACK_FILES.routing)).forEach((r, i) => {
      if (!r) return;
      if (!knowCat(r.category)) errors.add(PACK_FILES.routing, [i, 'category'], `unknown category code "${r.category}"`);
      if (!knowDept(r.department)) errors.add(PACK_FILES.routing, [i, 'department'], `unknown department code "${r.department}"`);
    });
  }

  const agentItems = agents ?? (data.has(PACK_FILES.agents) ? validItems(agentSchema, listOf(PACK_FILES.agents)) : null);
  if (agentItems) {
    const emails = new Map<string, number>();
    agentItems.forEach((a, i) => {
      if (!a) return;
      if (emails.has(a.email))
        errors.add(PACK_FILES.agents, [i, 'email'], `duplicate email "${a.email}" (also agent ${emails.get(a.email)})`);
      else emails.set(a.email, i);
      a.departments.forEach((c, j) => {
        if (!knowDept(c)) errors.add(PACK_FILES.agents, [i, 'departments', j], `unknown department code "${c}"`);
      });
    });
  }

  if (demo) {
    const f = PACK_FILES.demoTickets;
    const seenCat = new Map<string, number>();
    demo.templates.forEach((t, i) => {
      if (!knowCat(t.category)) errors.add(f, ['templates', i, 'category'], `unknown category code "${t.category}"`);
      if (seenCat.has(t.category))
        errors.add(f, ['templates', i, 'category'], `category "${t.category}" already has a template (${seenCat.get(t.category)})`);
      else seenCat.set(t.category, i);
      (t.transferFrom ?? []).forEach((c, j) => {
        if (!knowDept(c)) errors.add(f, ['templates', i, 'transferFrom', j], `unknown department code "${c}"`);
      });
      for (const field of ['subjects', 'descriptions', 'resolutions'] as const) {
        (t[field] ?? []).forEach((s, j) => {
          for (const p of placeholdersOf(s)) {
            if (!(DEMO_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(p))
              errors.add(
                f,
                ['templates', i, field, j],
                `unknown placeholder {${p}} (allowed: ${DEMO_TEMPLATE_PLACEHOLDERS.map((x) => `{${x}}`).join(', ')})`,
              );
            else if (!t.located) errors.add(f, ['templates', i, field, j], `placeholder {${p}} in a template with located: false`);
          }
        });
      }
    });
    demo.messages.transferReasons.forEach((s, j) => {
      for (const p of placeholdersOf(s)) {
        if (!(DEMO_TRANSFER_PLACEHOLDERS as readonly string[]).includes(p))
          errors.add(f, ['messages', 'transferReasons', j], `unknown placeholder {${p}} (allowed: {from}, {to})`);
      }
    });
    if (agents && demo.generation.count > 0 && agents.length === 0)
      errors.add(f, ['generation', 'count'], 'demo tickets need agents (agents.yaml) to assign and answer them');
  }

  // ---------- sla.yaml (optional): calendars and policies checked by the SLA rules themselves ----------
  let sla: PackSla | null = null;
  if (loaded.has(PACK_FILES.sla) && data.has(PACK_FILES.sla)) {
    const f = PACK_FILES.sla;
    const raw = check(slaPackSchema, data.get(f) ?? {}, f, errors);
    if (raw) {
      const seenDept = new Set<string>();
      raw.calendars.forEach((c, i) => {
        const key = c.department ?? '';
        if (seenDept.has(key))
          errors.add(
            f,
            ['calendars', i, 'department'],
            c.department ? `department "${c.department}" already has a calendar` : 'only one default calendar (without department)',
          );
        seenDept.add(key);
        if (c.department && !knowDept(c.department))
          errors.add(f, ['calendars', i, 'department'], `unknown department code "${c.department}"`);
        const v = validateCalendar({ timeZone: c.timeZone, weeklyHours: c.weeklyHours, closures: c.closures, holidays: c.holidays });
        if (!v.ok)
          for (const e of v.errors) errors.add(f, ['calendars', i, ...e.field.split(/[.[\]]+/).filter(Boolean)], e.message, e.code);
      });
      const ids = new Set<string>();
      raw.policies.forEach((p, i) => {
        if (ids.has(p.id)) errors.add(f, ['policies', i, 'id'], `duplicate policy id "${p.id}"`);
        ids.add(p.id);
        const v = validatePolicy(p as unknown as SlaPolicy);
        if (!v.ok) for (const e of v.errors) errors.add(f, ['policies', i, ...e.field.split(/[.[\]]+/).filter(Boolean)], e.message, e.code);
        const codes = (p.match as { categoryCodes?: unknown }).categoryCodes;
        if (Array.isArray(codes))
          codes.forEach((c, j) => {
            if (typeof c === 'string' && !knowCat(c))
              errors.add(f, ['policies', i, 'match', 'categoryCodes', j], `unknown category code "${c}"`);
          });
      });
      sla = { calendars: raw.calendars, policies: raw.policies as unknown as PackSla['policies'] };
    }
  }

  // ---------- retention.yaml (optional): one rule per category, known codes ----------
  let retention: PackRetention | null = null;
  if (loaded.has(PACK_FILES.retention) && data.has(PACK_FILES.retention)) {
    const f = PACK_FILES.retention;
    const raw = check(retentionPackSchema, data.get(f) ?? {}, f, errors);
    if (raw) {
      const seen = new Set<string>();
      raw.categories.forEach((r, i) => {
        if (!knowCat(r.category)) errors.add(f, ['categories', i, 'category'], `unknown category code "${r.category}"`);
        if (seen.has(r.category)) errors.add(f, ['categories', i, 'category'], `category "${r.category}" already has a rule`);
        seen.add(r.category);
      });
      retention = raw;
    }
  }

  // ---------- templates.yaml (optional): one e-mail per event and locale, unique reply names ----------
  let templates: PackTemplates | null = null;
  if (loaded.has(PACK_FILES.templates) && data.has(PACK_FILES.templates)) {
    const f = PACK_FILES.templates;
    const raw = check(templatesPackSchema, data.get(f) ?? {}, f, errors);
    if (raw) {
      const seen = new Set<string>();
      raw.mail.forEach((t, i) => {
        const key = `${t.event}/${t.locale}`;
        if (seen.has(key)) errors.add(f, ['mail', i, 'event'], `event "${t.event}" already has a ${t.locale} template`);
        seen.add(key);
      });
      const names = new Set<string>();
      raw.replies.forEach((r, i) => {
        if (names.has(r.name)) errors.add(f, ['replies', i, 'name'], `duplicate reply template name "${r.name}"`);
        names.add(r.name);
        if (r.department !== undefined && !knowDept(r.department))
          errors.add(f, ['replies', i, 'department'], `unknown department code "${r.department}"`);
        if (r.category !== undefined && !knowCat(r.category))
          errors.add(f, ['replies', i, 'category'], `unknown category code "${r.category}"`);
      });
      templates = raw;
    }
  }

  // ---------- privacy.yaml (optional): the information notice's controller and DPO ----------
  let privacy: PackPrivacy | null = null;
  if (loaded.has(PACK_FILES.privacy) && data.has(PACK_FILES.privacy)) {
    privacy = check(privacyPackSchema, data.get(PACK_FILES.privacy) ?? {}, PACK_FILES.privacy, errors);
  }

  if (errors.list.length > 0 || !town || !departments || !categories || !routing || !agents) {
    return { ok: false, errors: errors.list };
  }
  return { ok: true, pack: { town, departments, categories, routing, agents, demo, sla, retention, templates, privacy } };
}
