/**
 * Loads a town pack (a folder of YAML files, see packs/README.md) into the database in ONE
 * transaction: town settings, departments (parents first), categories, routing rules, agents,
 * then the generated demo citizens and tickets with their timelines, in bulk (unnest arrays).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  METROPOLE_REF, formatReference, generateDemoTickets, normalizeEmail, normalizePhone, priorityRank, privacyFromPack,
  type DemoData, type PackDepartment, type PackError, type TicketSeed, type TownPack,
} from '@grc/domain';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/auth.service';
import { passwordVerdict } from '../accounts/password-strength';
import { recomputeInboxCounters } from '../worker/inbox-counters.repository';
import { TicketsRepository } from '../tickets/tickets.repository';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { PrivacySettingsRepository } from '../citizen-rights/privacy-settings.repository';
import { importBanFile } from '../places/ban-importer';
import { insertPackWorkflows, type PackWorkflows } from '../workflows/pack-workflows';
import { formatPackErrors, validatePackFolder } from './pack-validation';
import { CategoryFieldsRepository } from '../reference/category-fields.repository';
import { PacksRepository } from './packs.repository';

export interface LoadPackOptions {
  /** skip (loaded: false) when the database already has departments */
  onlyIfEmpty: boolean;
  /** "now" of the demo data (tickets are generated back from it) */
  now: Date;
  /** validation circuits of the pack (workflows/ folder), checked beforehand */
  workflows?: PackWorkflows | null;
  /** everything is written, then rolled back: the summary of what a load would do */
  dryRun?: boolean;
}
/** What a pack brought (or, in a dry run, would bring). */
export interface PackCounts {
  departments: number;
  categories: number;
  routingRules: number;
  agents: number;
  calendars: number;
  policies: number;
  circuits: number;
  circuitBindings: number;
  retentionRules: number;
  citizens: number;
  tickets: number;
  events: number;
}
export interface LoadPackResult {
  loaded: boolean;
  summary: string;
  /** null when nothing was loaded */
  counts: PackCounts | null;
}

class DryRunRollback extends Error {
  constructor(readonly result: LoadPackResult) {
    super('dry run');
  }
}

/** "1 department", "2 departments": the CLI's summaries are read by people (English, the CLI's language). */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export const describeCounts = (c: PackCounts): string =>
  [
    count(c.departments, 'department'),
    count(c.categories, 'category', 'categories'),
    count(c.routingRules, 'routing rule'),
    count(c.agents, 'agent'),
    count(c.calendars, 'SLA calendar'),
    count(c.policies, 'SLA policy', 'SLA policies'),
    `${count(c.circuits, 'circuit')} (${count(c.circuitBindings, 'binding')})`,
    count(c.retentionRules, 'retention rule'),
    count(c.citizens, 'citizen'),
    count(c.tickets, 'ticket'),
    count(c.events, 'timeline event'),
  ].join(', ');

export { formatPackErrors, readPackFolder } from './pack-validation';

/** A pack with errors: every one of them (file, path, line), nothing written. */
export class PackInvalidError extends Error {
  constructor(
    readonly folder: string,
    readonly errors: readonly PackError[],
  ) {
    super(`town pack ${folder} is invalid (${errors.length} error(s)):\n${formatPackErrors(errors)}`);
    this.name = 'PackInvalidError';
  }
}

/** Checks the whole folder first (every error at once), then loads it, unless the database already has a town. */
export async function loadTownPackFromFolder(ds: DataSource, folder: string, opts: LoadPackOptions): Promise<LoadPackResult> {
  const checked = await validatePackFolder(folder);
  if (!checked.pack) throw new PackInvalidError(folder, checked.errors);
  if (opts.onlyIfEmpty && (await rows.hasDepartments(ds.manager, checked.pack.town.code))) {
    return { loaded: false, summary: 'the database already has departments; pack not loaded', counts: null };
  }
  const result = await loadTownPack(ds, checked.pack, { ...opts, workflows: checked.workflows });
  if (!result.loaded || opts.dryRun) return result;
  // the town's addresses: the pack's ban/adresses-*.csv files (Base Adresse Nationale format), each its own import
  const ban = await banFiles(folder);
  let addresses = 0;
  for (const file of ban) addresses += (await importBanFile(ds, file, { actorId: null, actorLabel: 'system', ip: null })).inserted;
  return ban.length ? { ...result, summary: `${result.summary}, ${addresses} addresses` } : result;
}

async function banFiles(folder: string): Promise<string[]> {
  const names = await readdir(join(folder, 'ban')).catch(() => [] as string[]);
  return names.filter((n) => /^adresses-[0-9a-z]+\.csv$/i.test(n)).sort().map((n) => join(folder, 'ban', n));
}

const rows = new PacksRepository();

/** Loads a parsed pack; the whole pack or nothing. */
export async function loadTownPack(ds: DataSource, pack: TownPack, opts: LoadPackOptions): Promise<LoadPackResult> {
  const prefix = pack.town.referencePrefix;
  // the ticket reference format (libs/domain) is narrower than what the pack schema accepts: fail before doing any work
  formatReference(prefix, 2000, 1);
  // a pack's passwords pass the same rule as any other (libs/domain judgePassword)
  const weak = pack.agents.flatMap((a, i) => {
    const v = a.password === undefined ? ({ ok: true } as const) : passwordVerdict(a.password, a);
    return v.ok ? [] : [`  agents.yaml [${i}.password]: ${v.code} (${v.reasons.join(', ') || 'common'}) for ${a.email}`];
  });
  if (weak.length) throw new Error(`town pack: ${weak.length} password(s) refused by the password rule:\n${weak.join('\n')}`);
  // argon2id is slow on purpose: hash in libuv's pool while the demo is generated and the reference data inserted
  // (no password in the pack → an unusable random one, until an admin sets one)
  const hashing = Promise.all(pack.agents.map((a) => hashPassword(a.password ?? randomBytes(32).toString('base64url'))));
  hashing.catch(() => undefined); // awaited below; never an unhandled rejection if the transaction fails first
  const demo = generateDemoTickets(pack, opts.now);

  const run = ds.transaction(async (m): Promise<LoadPackResult> => {
    // two processes started with --demo at once: the second waits, then sees the first one's pack
    await rows.lock(m);
    // a pack loads into an empty commune: the install's first, or another commune (of a métropole)
    await rows.enterCommune(m, pack.town.code, pack.town.name, pack.town.kind, pack.town.metropole, pack.town.communes);
    if (await rows.hasDepartments(m)) {
      if (opts.onlyIfEmpty) return { loaded: false, summary: 'the database already has departments; pack not loaded', counts: null };
      throw new Error('the database already has departments: a town pack loads into an empty database');
    }
    await new TownSettingsRepository(ds).save(m, {
      code: pack.town.code,
      name: pack.town.name,
      timezone: pack.town.timezone,
      locale: pack.town.locale,
      referencePrefix: prefix,
    });

    const deptIds = await insertDepartments(m, pack.departments);
    // `metropole:<code>`: the shared services of the commune's métropole (loaded before it)
    const shared = await rows.metropoleDepartments(m);
    for (const ref of [...pack.categories, ...pack.routing].map((x) => x.department).filter((d) => d.startsWith(METROPOLE_REF))) {
      if (!shared.has(ref)) throw new Error(`town pack: "${ref}" is not a shared department of the métropole "${pack.town.metropole}"`);
    }
    for (const [ref, deptId] of shared) deptIds.set(ref, deptId);
    const catIds = new Map(pack.categories.map((c) => [c.code, randomUUID()]));
    await rows.insertCategories(m, pack.categories, catIds, deptIds);
    await new CategoryFieldsRepository(ds).insertByCategoryCode(
      m,
      pack.categories.flatMap((c) => (c.fields ?? []).map((field) => ({ category: c.code, field }))),
    );
    await rows.insertRouting(m, pack.routing);

    const hashes = await hashing;
    const agentIds = new Map(pack.agents.map((a) => [a.email, randomUUID()]));
    await rows.insertAgents(m, pack.agents.map((a, i) => ({ ...a, id: id(agentIds, a.email), hash: hashes[i]! })));
    await rows.insertMemberships(m, pack.agents.flatMap((a) => [...new Set(a.departments)].map((d) => [a.email, d] as const)));

    if (pack.sla) await rows.insertSla(m, pack.sla);
    if (pack.retention) await rows.insertRetention(m, pack.retention);
    if (pack.templates) await rows.upsertTemplates(m, pack.templates);
    await new TownSettingsRepository(ds).savePackSettings(m, { publicTexts: pack.town.publicTexts, sender: pack.town.sender });
    if (pack.privacy) await new PrivacySettingsRepository(ds).save(privacyFromPack(pack.privacy), null, m);
    const demoCounts = await insertDemo(m, demo, { prefix, timezone: pack.town.timezone, deptIds, catIds, agentIds });
    if (opts.workflows) await insertPackWorkflows(m, opts.workflows);
    await recomputeInboxCounters(m);

    const counts: PackCounts = {
      departments: pack.departments.length,
      categories: pack.categories.length,
      routingRules: pack.routing.length,
      agents: pack.agents.length,
      calendars: pack.sla?.calendars.length ?? 0,
      policies: pack.sla?.policies.length ?? 0,
      circuits: opts.workflows?.definitions.length ?? 0,
      circuitBindings: opts.workflows?.bindings.length ?? 0,
      retentionRules: (pack.retention?.default ? 1 : 0) + (pack.retention?.categories.length ?? 0),
      ...demoCounts,
    };
    const summary = describeCounts(counts);
    await new AuditService(new AuditRepository(m.connection)).record(m, { actorId: null, actorLabel: 'system', ip: null }, 'pack.load', 'town', pack.town.code, {
      town: { before: null, after: pack.town.name },
      departments: { before: null, after: pack.departments.length },
      categories: { before: null, after: pack.categories.length },
      routingRules: { before: null, after: pack.routing.length },
      agents: { before: null, after: pack.agents.length },
      calendars: { before: null, after: counts.calendars },
      policies: { before: null, after: counts.policies },
      circuits: { before: null, after: counts.circuits },
      citizens: { before: null, after: counts.citizens },
      tickets: { before: null, after: counts.tickets },
    });
    const result = { loaded: true, summary, counts };
    if (opts.dryRun) throw new DryRunRollback(result);
    return result;
  });
  return run.catch((e: unknown) => {
    if (e instanceof DryRunRollback) return { ...e.result, loaded: false };
    throw e;
  });
}

/** The id of a code the parser already checked (a miss is a bug, not bad input). */
function id(map: ReadonlyMap<string, string>, key: string): string {
  const v = map.get(key);
  if (v === undefined) throw new Error(`pack loader: unknown reference "${key}"`);
  return v;
}

/** Parents first (the parser refused cycles and unknown parents). */
async function insertDepartments(m: EntityManager, departments: readonly PackDepartment[]): Promise<Map<string, string>> {
  const ids = new Map(departments.map((d) => [d.code, randomUUID()]));
  const ordered: PackDepartment[] = [];
  const placed = new Set<string>();
  while (ordered.length < departments.length) {
    const next = departments.filter((d) => !placed.has(d.code) && (d.parent === null || placed.has(d.parent)));
    if (next.length === 0) throw new Error('pack loader: department hierarchy has a cycle');
    for (const d of next) { ordered.push(d); placed.add(d.code); }
  }
  await rows.insertDepartments(m, ordered, ids);
  return ids;
}

interface DemoContext {
  prefix: string;
  timezone: string;
  deptIds: Map<string, string>;
  catIds: Map<string, string>;
  agentIds: Map<string, string>;
}

/** Demo citizens, tickets (references from grc_next_ticket_number, per year in the town's time zone) and timelines. */
async function insertDemo(m: EntityManager, demo: DemoData, ctx: DemoContext): Promise<{ citizens: number; tickets: number; events: number }> {
  const citizenIds = new Map(demo.citizens.map((c) => [c.key, randomUUID()]));
  const cs = demo.citizens;
  await rows.insertCitizens(m, cs.map((c) => ({
    id: id(citizenIds, c.key), kind: c.kind, firstName: c.firstName, lastName: c.lastName, organisationName: c.organisationName,
    contactPerson: c.contactPerson,
    // stored as the citizens module stores them (email domain lower-cased, phone in E.164), so searches find them
    email: c.email === null ? null : normalizeEmail(c.email) ?? c.email,
    phone: c.phone === null ? null : normalizePhone(c.phone) ?? c.phone,
    address: c.address, postcode: c.postcode, city: c.city, preferredChannel: c.preferredChannel, firstAt: firstContact(demo.tickets, c.key),
  })));

  const ts = [...demo.tickets].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  if (!ts.length) return { citizens: cs.length, tickets: 0, events: 0 };

  // references: one batch of sequence numbers per year, handed out in creation order
  const yearOf = (iso: string) => Number(new Intl.DateTimeFormat('en', { timeZone: ctx.timezone, year: 'numeric' }).format(new Date(iso)));
  const years = ts.map((t) => yearOf(t.createdAt));
  const numbers = new Map<number, number[]>();
  for (const y of [...new Set(years)]) {
    const n = years.filter((v) => v === y).length;
    numbers.set(y, await rows.nextTicketNumbers(m, y, n));
  }
  const references = ts.map((_, i) => formatReference(ctx.prefix, years[i]!, numbers.get(years[i]!)!.shift()!));

  const ticketIds = ts.map(() => randomUUID());
  const agent = (email: string | null | undefined) => (email ? id(ctx.agentIds, email) : null);
  const times = ts.map(ticketTimes);
  const events = ts.flatMap((t, i) => t.events.map((e) => ({ ticketId: ticketIds[i]!, e })));
  // a pack's history as it is (no routing, no hooks): the tickets repository's bulk import
  await new TicketsRepository(m.connection).importMany(m,
    ts.map((t, i) => ({
      id: ticketIds[i]!, reference: references[i]!, channel: t.channel, categoryId: id(ctx.catIds, t.categoryCode),
      departmentId: id(ctx.deptIds, t.departmentCode), assigneeId: agent(t.assigneeEmail),
      citizenId: t.citizenKey ? id(citizenIds, t.citizenKey) : null, subject: t.subject, description: t.description,
      address: t.address, latitude: t.latitude, longitude: t.longitude, priority: priorityRank(t.priority), status: t.status,
      createdBy: agent(t.events[0]?.actorEmail), createdAt: t.createdAt, updatedAt: times[i]!.updatedAt,
      resolvedAt: times[i]!.resolvedAt, closedAt: times[i]!.closedAt,
    })),
    events.map((x) => ({
      ticketId: x.ticketId, kind: x.e.kind, actorId: agent(x.e.actorEmail), at: x.e.at, body: x.e.body,
      data: eventData(x.e.kind, x.e.data, ctx),
    })));
  return { citizens: cs.length, tickets: ts.length, events: events.length };
}

const firstContact = (tickets: readonly TicketSeed[], citizenKey: string): string | null =>
  tickets.filter((t) => t.citizenKey === citizenKey).map((t) => t.createdAt).sort()[0] ?? null;

/** updated_at is the last event; resolved_at / closed_at the last move to that status, when the ticket is (still) there. */
function ticketTimes(t: TicketSeed): { updatedAt: string; resolvedAt: string | null; closedAt: string | null } {
  const lastMoveTo = (status: string) => [...t.events].reverse().find((e) => e.kind === 'status_changed' && e.data['to'] === status)?.at ?? null;
  const updatedAt = t.events.reduce((max, e) => (e.at > max ? e.at : max), t.createdAt);
  return {
    updatedAt,
    resolvedAt: t.status === 'resolved' || t.status === 'closed' ? lastMoveTo('resolved') : null,
    closedAt: t.status === 'closed' ? lastMoveTo('closed') : null,
  };
}

/**
 * The generator names agents and departments by e-mail and code; the timeline stores ids, in the
 * shapes the tickets module writes: created {channel, departmentId, priority}, assigned {from, to},
 * transferred {fromDepartment, toDepartment}; other kinds keep their data.
 */
function eventData(kind: string, data: Record<string, unknown>, ctx: DemoContext): Record<string, unknown> {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const dept = (v: unknown) => (str(v) ? id(ctx.deptIds, v as string) : null);
  const agentId = (v: unknown) => (str(v) ? id(ctx.agentIds, v as string) : null);
  switch (kind) {
    case 'created': {
      const { departmentCode, ...rest } = data;
      return { ...rest, departmentId: dept(departmentCode) };
    }
    case 'assigned':
      return { from: agentId(data['previousAssigneeEmail']), to: agentId(data['assigneeEmail']) };
    case 'transferred':
      return { fromDepartment: dept(data['fromDepartment']), toDepartment: dept(data['toDepartment']) };
    default:
      return data;
  }
}
