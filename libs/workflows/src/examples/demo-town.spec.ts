import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { analyseDefinition } from '../definition/analyse';
import { parseWorkflowDefinition } from '../definition/schema';
import { DEMO_TOWN_WORKFLOWS } from './demo-town';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const PACK = join(__dirname, '..', '..', '..', '..', 'packs', 'demo-town');
const codes = (file: string): string[] => (parseYaml(readFileSync(join(PACK, file), 'utf8')) as { code: string }[]).map((x) => x.code);

describe('demo town circuits', () => {
  const files = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('ships one YAML file per circuit, identical to the exported objects', () => {
    expect(files).toEqual(DEMO_TOWN_WORKFLOWS.map((d) => `${d.id}.yaml`).sort());
    for (const d of DEMO_TOWN_WORKFLOWS) expect(parseYaml(readFileSync(join(EXAMPLES, `${d.id}.yaml`), 'utf8'))).toEqual(d);
  });

  it.each(files)('%s parses and passes static analysis against the demo pack’s departments and categories', (file) => {
    const parsed = parseWorkflowDefinition(parseYaml(readFileSync(join(EXAMPLES, file), 'utf8')));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors, null, 2));
    const analysis = analyseDefinition(parsed.definition, { departments: codes('departments.yaml'), categories: codes('categories.yaml') });
    expect(analysis.problems).toEqual([]);
  });
});
