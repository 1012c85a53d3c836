import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { z } from 'zod';
import {
  agentSchema,
  categoryFieldSchema,
  categorySchema,
  demoTemplateSchema,
  demoTicketsSchema,
  departmentSchema,
  PACK_FILES,
  privacyPackSchema,
  retentionPackSchema,
  routingRuleSchema,
  slaPackSchema,
  templatesPackSchema,
  townSchema,
} from '@grc/domain';
import { workflowDefinitionSchema } from '@grc/workflows';
import { BINDING_KEYS } from './pack-validation';

const ROOT = join(__dirname, '../../../../..');
const DOC = readFileSync(join(ROOT, 'docs/packs.md'), 'utf8');

/** The keys of an object schema, through refinements, defaults, optionals, arrays and records. */
function keysOf(s: z.ZodTypeAny): string[] {
  let t: z.ZodTypeAny = s;
  for (;;) {
    if (t instanceof z.ZodEffects) t = t.innerType();
    else if (t instanceof z.ZodDefault) t = t._def.innerType;
    else if (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap();
    else if (t instanceof z.ZodArray) t = t.element;
    else if (t instanceof z.ZodRecord) t = t.valueSchema;
    else break;
  }
  return t instanceof z.ZodObject ? Object.keys(t.shape) : [];
}
const field = (s: z.ZodTypeAny, key: string): z.ZodTypeAny => {
  let t: z.ZodTypeAny = s;
  while (!(t instanceof z.ZodObject)) t = t instanceof z.ZodEffects ? t.innerType() : t instanceof z.ZodDefault ? t._def.innerType : t instanceof z.ZodOptional ? t.unwrap() : (t as z.ZodArray<z.ZodTypeAny>).element;
  return (t as z.AnyZodObject).shape[key];
};

/** The doc's section of a file: from its `### \`file\`` heading to the next heading of that level. */
function section(title: string): string {
  const start = DOC.indexOf(`### \`${title}\``);
  if (start < 0) throw new Error(`docs/packs.md has no section "### \`${title}\`"`);
  const end = DOC.indexOf('\n### ', start + 1);
  return DOC.slice(start, end < 0 ? undefined : end);
}
const undocumented = (title: string, keys: string[]) => keys.filter((k) => !section(title).includes(`\`${k}\``));

describe('docs/packs.md, the pack reference, against the schemas', () => {
  it('lists every file of the format', () => {
    for (const f of [...Object.values(PACK_FILES), 'workflows/<id>.yaml', 'workflows/bindings.yaml']) expect(DOC).toContain(`| \`${f}\``);
  });

  it.each([
    ['town.yaml', keysOf(townSchema)],
    ['departments.yaml', keysOf(departmentSchema)],
    ['categories.yaml', [...keysOf(categorySchema), ...keysOf(categoryFieldSchema)]],
    ['templates.yaml', [...keysOf(templatesPackSchema), ...keysOf(field(templatesPackSchema, 'mail')), ...keysOf(field(templatesPackSchema, 'replies'))]],
    ['routing.yaml', keysOf(routingRuleSchema)],
    ['agents.yaml', keysOf(agentSchema)],
    ['sla.yaml', [...keysOf(slaPackSchema), ...keysOf(field(slaPackSchema, 'calendars')), ...keysOf(field(slaPackSchema, 'policies'))]],
    ['retention.yaml', [...keysOf(retentionPackSchema), ...keysOf(field(retentionPackSchema, 'categories'))]],
    ['privacy.yaml', keysOf(privacyPackSchema)],
    ['workflows/bindings.yaml', [...BINDING_KEYS]],
    [
      'demo-tickets.yaml',
      [...keysOf(demoTicketsSchema), ...keysOf(field(demoTicketsSchema, 'generation')), ...keysOf(field(demoTicketsSchema, 'city')), ...keysOf(demoTemplateSchema)],
    ],
  ])('%s: every key is described', (file, keys) => {
    expect(keys.length).toBeGreaterThan(0);
    expect(undocumented(file, keys)).toEqual([]);
  });

  it('workflows/<id>.yaml: every key of a circuit and of each kind of step is described', () => {
    let steps = field(workflowDefinitionSchema, 'steps');
    while (steps instanceof z.ZodEffects) steps = steps.innerType();
    const union = (steps as z.ZodRecord)._def.valueType as z.ZodDiscriminatedUnion<'kind', z.AnyZodObject[]>;
    const stepKeys = union.options.flatMap((o) => Object.keys(o.shape));
    const title = 'workflows/<id>.yaml` — validation circuits';
    const text = DOC.slice(DOC.indexOf(`### \`${title}`), DOC.indexOf('### `workflows/bindings.yaml`'));
    const missing = [...keysOf(workflowDefinitionSchema), ...new Set(stepKeys)].filter((k) => !text.includes(`\`${k}\``));
    expect(missing).toEqual([]);
    for (const o of union.options) expect(text).toContain(`\`${(o.shape['kind'] as z.ZodLiteral<string>).value}\``);
  });

  it("the walk-through's files are exactly packs/starter-town's (so following it gives a pack that loads)", () => {
    const blocks = [...DOC.matchAll(/<!-- packs\/starter-town\/(\S+) -->\n```yaml\n([\s\S]*?)```/g)];
    // every YAML file of the starter pack, so that a file added to it is shown by the walk-through too
    const starter = join(ROOT, 'packs/starter-town');
    const files = readdirSync(starter, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.split(sep).join('/'));
    expect(files).toEqual(expect.arrayContaining(['town.yaml', 'agents.yaml', 'workflows/reponse-voirie.yaml']));
    expect(blocks.map((b) => b[1]).sort()).toEqual(files.sort());
    for (const [, file, text] of blocks) expect(text).toBe(readFileSync(join(ROOT, 'packs/starter-town', file!), 'utf8'));
  });
});
