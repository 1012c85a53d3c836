import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * One write path per aggregate (docs/architecture.md): a ticket changes only through the tickets
 * module (TicketsService.mutate / mutateIn, TicketsRepository). This reads every .ts file of the API
 * and fails when SQL or a TypeORM call writing `tickets` or `ticket_events` appears elsewhere
 * (migrations excepted: they own the schema). Comments are blanked first (found by the TypeScript parser),
 * so a sentence naming the rule is not a breach; SQL is matched case-insensitively across line breaks.
 */
const SRC = join(__dirname, '..', 'src');
const ALLOWED = [join('modules', 'tickets') + sep, join('database', 'migrations') + sep];

const TABLE = String.raw`(?:"?public"?\s*\.\s*)?"?(?:tickets|ticket_events)"?(?![\w"])`;
const SQL_WRITE = new RegExp(
  String.raw`\b(?:update\s+(?:only\s+)?|insert\s+into\s+|delete\s+from\s+(?:only\s+)?|truncate\s+(?:table\s+)?(?:only\s+)?|merge\s+into\s+)${TABLE}`,
  'gi',
);
const ENTITY = String.raw`(?:TicketEntity|TicketEventEntity)\b`;
const WRITE_METHOD = String.raw`(?:save|insert|update|upsert|delete|remove|softDelete|softRemove|restore|increment|decrement|clear|query)`;
const TYPEORM_WRITES = [
  // m.getRepository(TicketEntity).save(…), m.getRepository(TicketEntity).createQueryBuilder().update()…
  new RegExp(String.raw`getRepository\s*\(\s*${ENTITY}\s*\)\s*\.\s*${WRITE_METHOD}\s*\(`, 'g'),
  new RegExp(
    String.raw`getRepository\s*\(\s*${ENTITY}\s*\)\s*\.\s*createQueryBuilder\s*\([^)]*\)\s*\.\s*(?:update|insert|delete|softDelete|restore)\s*\(`,
    'g',
  ),
  // m.save(TicketEntity, …), m.update(TicketEntity, …), qb.update(TicketEntity), qb.insert().into(TicketEntity)
  new RegExp(
    String.raw`\.\s*(?:save|insert|update|upsert|delete|remove|softDelete|restore|increment|decrement|into|from)\s*\(\s*${ENTITY}`,
    'g',
  ),
];
/** A repository kept in a variable or injected: its name, then any write through it. */
const REPOSITORY_NAMES = [
  new RegExp(String.raw`(\w+)\s*=\s*[\w.]*getRepository\s*\(\s*${ENTITY}\s*\)`, 'g'),
  new RegExp(String.raw`@InjectRepository\s*\(\s*${ENTITY}\s*\)\s*(?:(?:private|public|protected|readonly)\s+)*(\w+)`, 'g'),
  new RegExp(String.raw`(\w+)\s*:\s*Repository\s*<\s*${ENTITY}\s*>`, 'g'),
];

/** The file's text with its comments blanked out (strings, templates and regexps kept as written). */
function withoutComments(fileName: string, text: string): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const ranges = new Map<number, number>();
  const visit = (n: ts.Node): void => {
    for (const r of ts.getLeadingCommentRanges(text, n.getFullStart()) ?? []) ranges.set(r.pos, r.end);
    for (const r of ts.getTrailingCommentRanges(text, n.getEnd()) ?? []) ranges.set(r.pos, r.end);
    for (const c of n.getChildren(source)) visit(c);
  };
  visit(source);
  let out = text;
  for (const [pos, end] of ranges) out = out.slice(0, pos) + text.slice(pos, end).replace(/[^\n]/g, ' ') + out.slice(end);
  return out;
}

/** The writes to tickets / ticket_events in one file's code (comments excluded). */
export function ticketWrites(fileName: string, text: string): string[] {
  const code = withoutComments(fileName, text);
  const found: string[] = [];
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  for (const m of code.matchAll(SQL_WRITE)) found.push(oneLine(m[0]));
  for (const re of TYPEORM_WRITES) for (const m of code.matchAll(re)) found.push(oneLine(m[0]));
  for (const re of REPOSITORY_NAMES) {
    for (const [, name] of code.matchAll(re)) {
      const use = new RegExp(String.raw`\b${name}\s*\.\s*${WRITE_METHOD}\s*\(`, 'g');
      for (const m of code.matchAll(use)) found.push(oneLine(m[0]));
    }
  }
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return tsFiles(path);
    return d.isFile() && d.name.endsWith('.ts') ? [path] : [];
  });
}

describe('architecture: one write path for tickets', () => {
  it('finds the writes it is meant to find, and not the sentences about them', () => {
    const f = 'x.ts';
    expect(ticketWrites(f, 'm.query(`update\n   tickets\n SET status = $2 WHERE id = $1`, [id]);')).toHaveLength(1);
    expect(ticketWrites(f, `m.query("INSERT INTO ticket_events (ticket_id) VALUES ($1)")`)).toHaveLength(1);
    expect(ticketWrites(f, `m.query('delete from public."tickets" where id = $1')`)).toHaveLength(1);
    expect(ticketWrites(f, `await m.getRepository(TicketEntity).save(t);`)).toHaveLength(1);
    expect(ticketWrites(f, `await m.getRepository(TicketEventEntity).insert({ kind: 'note' });`)).toHaveLength(1);
    expect(ticketWrites(f, `await m.update(TicketEntity, { id }, { status: 'open' });`)).toHaveLength(1);
    expect(ticketWrites(f, `await m.createQueryBuilder().insert().into(TicketEventEntity).values(v).execute();`)).toHaveLength(1);
    expect(ticketWrites(f, `const repo = m.getRepository(TicketEntity);\nawait repo.save(t);`)).toHaveLength(1);
    expect(
      ticketWrites(
        f,
        `class A { constructor(@InjectRepository(TicketEntity) private readonly rows: Repository<TicketEntity>) {}\n x() { return this.rows.update(1, {}); } }`,
      ).length,
    ).toBeGreaterThan(0);
    // reads, other tables and comments are not writes
    expect(ticketWrites(f, `m.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE')`)).toEqual([]);
    expect(
      ticketWrites(f, `m.query('UPDATE ticket_sla SET breached = true'); m.query('INSERT INTO tickets_archive (id) VALUES (1)')`),
    ).toEqual([]);
    expect(ticketWrites(f, `await m.getRepository(TicketEntity).findOneByOrFail({ id });`)).toEqual([]);
    expect(ticketWrites(f, `// never write UPDATE tickets here\n/* nor INSERT INTO ticket_events */\nconst a = 1;`)).toEqual([]);
  });

  it('no SQL or TypeORM call writes tickets or ticket_events outside modules/tickets (migrations excepted)', () => {
    const files = tsFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const breaches: string[] = [];
    let inModule = 0;
    for (const path of files) {
      const rel = relative(SRC, path);
      const writes = ticketWrites(path, readFileSync(path, 'utf8'));
      if (ALLOWED.some((a) => rel.startsWith(a))) {
        inModule += writes.length;
        continue;
      }
      for (const w of writes) breaches.push(`${rel.split(sep).join('/')}: ${w}`);
    }
    expect(breaches).toEqual([]);
    // the tickets module does write them (the detector sees real code, not nothing)
    expect(inModule).toBeGreaterThan(3);
  });
});
