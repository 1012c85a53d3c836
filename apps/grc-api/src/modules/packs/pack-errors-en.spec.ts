import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBLEM_CODES } from '@grc/workflows';
import { ENGLISH_PACK_CODES } from './pack-errors-en';
import { formatPackErrors, validatePackFolder } from './pack-validation';

const ROOT = join(__dirname, '../../../../..');
const DEMO = join(ROOT, 'packs/demo-town');
/** Letters of French words that no English sentence of the CLI holds. */
const FRENCH = /[éèêàùçôî«»’]/;

/** `grc validate-pack` prints the SLA rules' and the circuits' errors in English, from their codes. */
describe('pack errors in English', () => {
  it('words a broken SLA calendar, policy and circuit in English, with their file, line and path', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'grc-pack-en-'));
    cpSync(DEMO, folder, { recursive: true });
    const sla = readFileSync(join(folder, 'sla.yaml'), 'utf8')
      .replace('timeZone: Europe/Paris', 'timeZone: Mars/Olympus')
      .replace("monday: ['08:30-12:00', '13:30-17:30']", "monday: ['12:00-08:30']");
    writeFileSync(join(folder, 'sla.yaml'), sla);
    const circuit = readFileSync(join(folder, 'workflows/reponse-simple.yaml'), 'utf8').replace('to: validation_chef', 'to: nulle_part');
    writeFileSync(join(folder, 'workflows/reponse-simple.yaml'), circuit);

    const v = await validatePackFolder(folder);
    const codes = v.errors.map((e) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['calendar.time_zone_invalid', 'calendar.hours_invalid', 'circuit.unknown_step']));
    // the rule's own sentence stays French (the console's agents read it); the CLI's lines do not
    expect(v.errors.find((e) => e.code === 'calendar.time_zone_invalid')!.message).toMatch(FRENCH);
    const printed = formatPackErrors(v.errors);
    expect(printed).toMatch(/sla\.yaml:\d+ \[calendars\.0\.timeZone\]: unknown time zone/);
    expect(printed).toMatch(/sla\.yaml:\d+ \[calendars\.0\.weeklyHours\.monday\.0\]: invalid opening hours/);
    expect(printed).toMatch(/workflows\/reponse-simple\.yaml:\d+ \[steps\.redaction\.transitions\[1\]\.to\]: this step does not exist/);
    expect(printed).not.toMatch(FRENCH);
  });

  it('has English words for every code of the SLA rules and of the circuits’ analysis', () => {
    const sources = ['libs/domain/src/sla/calendar.ts', 'libs/domain/src/sla/policy.ts'].map((f) => readFileSync(join(ROOT, f), 'utf8'));
    const sla = new Set(sources.flatMap((s) => [...s.matchAll(/'((?:calendar|sla)\.[a-z_]+)'/g)].map((m) => m[1])));
    const circuit = PROBLEM_CODES.map((c) => `circuit.${c}`);
    expect(sla.size).toBeGreaterThan(20);
    expect(circuit.length).toBeGreaterThan(15);
    expect([...sla, ...circuit].filter((c) => !ENGLISH_PACK_CODES.includes(c))).toEqual([]);
  });
});
