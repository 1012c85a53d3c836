/**
 * generateDemoTickets: realistic, deterministic demo citizens and tickets from a pack's demo-tickets.yaml.
 * Pure: same pack and `now` → same output (seeded mulberry32, no Math.random, no clock).
 */
import { hasPermission } from '../access/roles';
import { CHANNELS, type Channel } from '../ticket/channel';
import { PRIORITIES, type Priority } from '../ticket/priority';
import { canTransition, type TicketStatus } from '../ticket/ticket-status';
import type { TimelineEventKind } from '../ticket/timeline';
import type { CitizenFields } from '../citizen/requester';
import type { DemoTicketTemplate, DemoTicketsConfig, PackAgent, TownPack } from './schema';
import { mulberry32 } from './random';
import { routeInPack } from './routing';
import { fromLocal, toLocal } from './zoned-time';

/**
 * A generated citizen: the same fields as a validated one (citizen/requester.ts), plus the key tickets
 * refer to. The phone is in French national format ("06 39 98 12 34", ARCEP fiction range); the
 * loader normalises it like any other input.
 */
export interface CitizenSeed extends CitizenFields {
  /** stable key tickets refer to (citizenKey) */
  key: string;
}

export interface TicketSeedEvent {
  kind: TimelineEventKind;
  at: string;
  /** an agent of the pack; null for the citizen, the system or an anonymous web request */
  actorEmail: string | null;
  body: string | null;
  /**
   * created: {channel, departmentCode, priority}; assigned: {assigneeEmail, previousAssigneeEmail};
   * transferred: {fromDepartment, toDepartment} (department codes); status_changed: {from, to, automatic?};
   * priority_changed: {from, to}; reply/inbound: {channel}; note: {}
   */
  data: Record<string, unknown>;
}

export interface TicketSeed {
  key: string;
  channel: Channel;
  categoryCode: string;
  /** current department (after transfers) */
  departmentCode: string;
  subject: string;
  description: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  /** current priority (after priority_changed events) */
  priority: Priority;
  status: TicketStatus;
  createdAt: string;
  citizenKey: string | null;
  assigneeEmail: string | null;
  /** strictly chronological (whole seconds); the first is `created` at createdAt */
  events: TicketSeedEvent[];
}

export interface DemoData {
  citizens: CitizenSeed[];
  tickets: TicketSeed[];
}

/** Usual share of each channel in a French town hall. */
export const DEMO_CHANNEL_MIX: Readonly<Record<Channel, number>> = {
  web: 35,
  email: 25,
  phone: 20,
  counter: 10,
  mail: 5,
  open311: 5,
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** agent working slots, minutes after local midnight, Monday to Friday */
const OFFICE_SLOTS: ReadonlyArray<readonly [number, number]> = [
  [8 * 60 + 30, 12 * 60 + 15],
  [13 * 60 + 30, 17 * 60 + 30],
];
/** when citizens use the web, email and the Open311 app (relative weights per hour 0-23) */
const ONLINE_HOURS = [1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 8, 8, 7, 5, 6, 7, 6, 6, 6, 7, 7, 6, 5, 3, 2];

const stripAccents = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
const slug = (s: string): string =>
  stripAccents(s)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
const fill = (s: string, vars: Record<string, string>): string => s.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();

class StopStory extends Error {}

export function generateDemoTickets(pack: TownPack, now: Date): DemoData {
  const demo = pack.demo;
  if (!demo || demo.generation.count === 0) return { citizens: [], tickets: [] };
  const rng = mulberry32(demo.generation.seed);
  const tz = pack.town.timezone;
  const nowMs = now.getTime();
  const limit = nowMs - MINUTE;

  // ---------- who works where ----------
  const staff = new Map<string, PackAgent[]>();
  for (const a of pack.agents) {
    // who handles requests: not the DPO, who reads no ticket (libs/domain/src/access/roles.ts)
    if (!a.active || !hasPermission(a.role, 'tickets.read')) continue;
    for (const d of a.departments) staff.set(d, [...(staff.get(d) ?? []), a]);
  }
  const agentsOf = (dept: string): PackAgent[] => staff.get(dept) ?? [];
  const headOf = (dept: string): PackAgent | undefined => agentsOf(dept).find((a) => a.role === 'head');
  const deptName = (code: string): string => pack.departments.find((d) => d.code === code)?.name ?? code;

  const activeCategories = new Set(pack.categories.filter((c) => c.active).map((c) => c.code));
  const templates = demo.templates.filter((t) => activeCategories.has(t.category));
  if (templates.length === 0) return { citizens: [], tickets: [] };

  // ---------- time helpers ----------
  const snapOffice = (ms: number): number => {
    let t = ms;
    for (let i = 0; i < 14; i++) {
      const l = toLocal(t, tz);
      const mins = l.hour * 60 + l.minute;
      if (l.weekday >= 1 && l.weekday <= 5) {
        for (const [start, end] of OFFICE_SLOTS) {
          if (mins < start) return fromLocal(l.year, l.month, l.day, 0, start, tz) + rng.int(0, 45) * MINUTE;
          if (mins < end) return t;
        }
      }
      t = fromLocal(l.year, l.month, l.day + 1, 0, 0, tz);
    }
    return t;
  };
  const agentAfter = (t: number, minH: number, maxH: number): number => snapOffice(t + (minH + rng.next() * (maxH - minH)) * HOUR);
  const citizenAfter = (t: number, minH: number, maxH: number): number => {
    const at = t + (minH + rng.next() * (maxH - minH)) * HOUR;
    const l = toLocal(at, tz);
    if (l.hour >= 7 && l.hour < 22) return at;
    const day = l.hour >= 22 ? l.day + 1 : l.day;
    return fromLocal(l.year, l.month, day, rng.int(7, 10), rng.int(0, 59), tz);
  };

  /** creation instant: more recent tickets are more frequent; channel-dependent hours */
  const span = demo.generation.monthsBack * 30.44 * DAY;
  const createdAt = (channel: Channel): number => {
    const base = nowMs - span * Math.pow(rng.next(), 1.6);
    const l = toLocal(base, tz);
    let hour: number, minute: number;
    const officeOnly = channel === 'phone' || channel === 'counter' || channel === 'mail';
    if (channel === 'mail') {
      hour = rng.int(9, 11);
      minute = rng.int(0, 59);
    } else if (officeOnly) {
      const [s, e] = rng.pick(OFFICE_SLOTS);
      const m = rng.int(s, e - 1);
      hour = Math.floor(m / 60);
      minute = m % 60;
    } else {
      hour = rng.weighted(ONLINE_HOURS.map((w, h) => [h, w] as const));
      minute = rng.int(0, 59);
    }
    let day = l.day;
    for (let i = 0; i < 10; i++) {
      const at = fromLocal(l.year, l.month, day, hour, minute, tz) + rng.int(0, 59) * 1000;
      const wd = toLocal(at, tz).weekday;
      const weekend = wd === 0 || wd === 6;
      if (at <= limit && !(officeOnly && weekend) && !(weekend && !officeOnly && rng.chance(0.35))) return at;
      day -= 1;
    }
    return limit - rng.int(5, 120) * MINUTE;
  };

  // ---------- citizens ----------
  const citizens: CitizenSeed[] = [];
  const slots: Array<CitizenSeed | undefined> = new Array(Math.max(1, Math.round(demo.generation.count * 0.55)));
  const usedEmails = new Set<string>();
  const orgs = [...demo.organisations];
  const uniqueEmail = (local: string, domain: string): string => {
    let e = `${local}@${domain}`;
    for (let n = 2; usedEmails.has(e); n++) e = `${local}${n}@${domain}`;
    usedEmails.add(e);
    return e;
  };
  const phone = (mobile: boolean): string => `${mobile ? '06 39 98' : '02 61 91'} ${pad(rng.int(0, 99), 2)} ${pad(rng.int(0, 99), 2)}`;
  const streetAddress = (): string => {
    const s = rng.pick(demo.streets);
    const n = rng.int(1, s.maxNumber);
    return `${n}${rng.chance(0.06) ? ' bis' : ''} ${s.name}`;
  };
  const newCitizen = (firstChannel: Channel): CitizenSeed => {
    const key = `citizen-${pad(citizens.length + 1, 4)}`;
    const preferred: Channel | null = rng.chance(0.7) ? (firstChannel === 'open311' ? 'web' : firstChannel) : null;
    const domain = rng.pick(demo.city.emailDomains);
    let c: CitizenSeed;
    if (orgs.length > 0 && rng.chance(0.08)) {
      const name = orgs.splice(rng.int(0, orgs.length - 1), 1)[0] as string;
      c = {
        key,
        kind: 'organisation',
        firstName: null,
        lastName: null,
        organisationName: name,
        contactPerson: `${rng.pick(demo.firstNames)} ${rng.pick(demo.lastNames)}`,
        email: uniqueEmail('contact', `${slug(name).slice(0, 40)}.${domain}`),
        phone: phone(rng.chance(0.3)),
        address: streetAddress(),
        postcode: demo.city.postcode,
        city: demo.city.name,
        preferredChannel: preferred,
      };
    } else {
      const firstName = rng.pick(demo.firstNames);
      const lastName = rng.pick(demo.lastNames);
      const wantsEmail = firstChannel === 'email' || firstChannel === 'web' || rng.chance(0.6);
      const wantsPhone = firstChannel === 'phone' || rng.chance(0.55) || !wantsEmail;
      const hasAddress = firstChannel === 'mail' || rng.chance(0.7);
      const local = rng.chance(0.75) ? `${slug(firstName)}.${slug(lastName)}` : `${slug(firstName).charAt(0)}${slug(lastName)}`;
      c = {
        key,
        kind: 'resident',
        firstName,
        lastName,
        organisationName: null,
        contactPerson: null,
        email: wantsEmail ? uniqueEmail(local.replace(/-/g, ''), domain) : null,
        phone: wantsPhone ? phone(rng.chance(0.75)) : null,
        address: hasAddress ? streetAddress() : null,
        postcode: hasAddress ? demo.city.postcode : null,
        city: hasAddress ? demo.city.name : null,
        preferredChannel: preferred,
      };
    }
    citizens.push(c);
    return c;
  };
  const citizenFor = (channel: Channel): CitizenSeed | null => {
    const anonymousShare = channel === 'web' || channel === 'open311' ? 0.2 : channel === 'phone' ? 0.05 : 0;
    if (rng.chance(anonymousShare)) return null;
    // a few regulars write often: low slots come up more
    const i = Math.floor(slots.length * Math.pow(rng.next(), 1.5));
    const c = (slots[i] ??= newCitizen(channel));
    if (c.email === null && (channel === 'email' || channel === 'web') && c.firstName && c.lastName) {
      c.email = uniqueEmail(`${slug(c.firstName)}.${slug(c.lastName)}`.replace(/-/g, ''), rng.pick(demo.city.emailDomains));
    }
    return c;
  };

  // ---------- tickets ----------
  const plan = Array.from({ length: demo.generation.count }, () => {
    const template = rng.weighted(templates.map((t) => [t, t.weight] as const));
    const allowed = template.channels ?? CHANNELS;
    const channel = rng.weighted(allowed.map((c) => [c, DEMO_CHANNEL_MIX[c]] as const));
    return { template, channel, at: createdAt(channel) };
  }).sort((a, b) => a.at - b.at);

  const tickets = plan.map((p, i) => buildTicket(`ticket-${pad(i + 1, 4)}`, p.template, p.channel, p.at));
  return { citizens, tickets };

  function buildTicket(key: string, t: DemoTicketTemplate, channel: Channel, created: number): TicketSeed {
    // where
    let address: string | null = null,
      lat: number | null = null,
      lng: number | null = null,
      street = '';
    if (t.located) {
      if (t.places) {
        const pl = rng.pick(t.places);
        address = pl.address;
        street = pl.address;
        lat = pl.lat;
        lng = pl.lng;
      } else {
        const s = rng.pick((demo as DemoTicketsConfig).streets);
        address = `${rng.int(1, s.maxNumber)} ${s.name}`;
        street = s.name;
        lat = Math.round((s.lat + (rng.next() - 0.5) * 0.0016) * 1e6) / 1e6;
        lng = Math.round((s.lng + (rng.next() - 0.5) * 0.0024) * 1e6) / 1e6;
      }
    }
    const vars = { address: address ?? '', street, place: address ?? '' };
    const finalDept = routeInPack(pack, t.category, lat !== null && lng !== null ? { lat, lng } : null);
    if (finalDept === null) throw new Error(`demo generator: unknown category ${t.category}`);
    const citizen = citizenFor(channel);
    const ageDays = (nowMs - created) / DAY;

    // how far the story goes
    let target: TicketStatus = rng.weighted<TicketStatus>(
      ageDays < 0.5
        ? [
            ['new', 0.7],
            ['open', 0.3],
          ]
        : ageDays < 3
          ? [
              ['new', 0.35],
              ['open', 0.4],
              ['waiting_citizen', 0.15],
              ['resolved', 0.1],
            ]
          : ageDays < 14
            ? [
                ['new', 0.08],
                ['open', 0.32],
                ['waiting_citizen', 0.2],
                ['resolved', 0.3],
                ['closed', 0.1],
              ]
            : ageDays < 45
              ? [
                  ['new', 0.02],
                  ['open', 0.12],
                  ['waiting_citizen', 0.08],
                  ['resolved', 0.18],
                  ['closed', 0.6],
                ]
              : [
                  ['open', 0.03],
                  ['waiting_citizen', 0.02],
                  ['resolved', 0.05],
                  ['closed', 0.9],
                ],
    );
    if (agentsOf(finalDept).length === 0) target = 'new';
    if (target === 'waiting_citizen' && !citizen) target = 'open';

    // transfer from a department that got it by mistake
    let initialDept = finalDept;
    if (t.transferFrom && rng.chance(0.15)) {
      const candidates = t.transferFrom.filter((d) => d !== finalDept && agentsOf(d).length > 0);
      if (candidates.length > 0) initialDept = rng.pick(candidates);
    }

    let priority = t.priority;
    if (rng.chance(0.1)) priority = PRIORITIES[Math.min(PRIORITIES.indexOf(priority) + 1, PRIORITIES.length - 1)] as Priority;
    else if (rng.chance(0.08)) priority = PRIORITIES[Math.max(PRIORITIES.indexOf(priority) - 1, 0)] as Priority;

    // the story
    const events: TicketSeedEvent[] = [];
    let clock = created;
    let status: TicketStatus = 'new';
    let dept = initialDept;
    let assignee: PackAgent | null = null;
    const emit = (
      kind: TimelineEventKind,
      at: number,
      actor: PackAgent | null,
      body: string | null,
      data: Record<string, unknown>,
    ): void => {
      if (at > limit) throw new StopStory();
      // strictly increasing, whole seconds: a timeline sorts by time alone
      clock =
        events.length === 0 ? Math.floor(at / 1000) * 1000 : Math.max(Math.floor(clock / 1000) * 1000 + 1000, Math.floor(at / 1000) * 1000);
      events.push({ kind, at: iso(clock), actorEmail: actor?.email ?? null, body, data });
    };
    const setStatus = (
      to: TicketStatus,
      at: number,
      actor: PackAgent | null,
      comment: string | null,
      extra: Record<string, unknown> = {},
    ): void => {
      if (!canTransition(status, to)) throw new Error(`demo generator: ${status} → ${to} is not allowed`);
      emit('status_changed', at, actor, comment, { from: status, to, ...extra });
      status = to;
    };
    const resolveDelay = (): [number, number] =>
      priority === 'urgent' ? [1, 24] : priority === 'high' ? [4, 72] : priority === 'normal' ? [20, 240] : [48, 480];
    const msgs = (demo as DemoTicketsConfig).messages;
    const entryAgent =
      channel === 'phone' || channel === 'counter' || channel === 'mail' || channel === 'email'
        ? agentsOf(initialDept).length > 0
          ? rng.pick(agentsOf(initialDept))
          : null
        : null;
    const resolve = (): void => {
      const at = agentAfter(clock, ...resolveDelay());
      emit('reply', at, assignee, fill(rng.pick(t.resolutions ?? msgs.resolutions), vars), { channel: replyChannel() });
      setStatus('resolved', at + MINUTE, assignee, null);
    };
    const replyChannel = (): Channel => (citizen?.email ? 'email' : citizen ? 'mail' : channel);

    try {
      emit('created', created, entryAgent, null, { channel, departmentCode: initialDept, priority: t.priority });
      if (initialDept !== finalDept) {
        const by = headOf(initialDept) ?? rng.pick(agentsOf(initialDept));
        const reason = fill(rng.pick(msgs.transferReasons), { from: deptName(initialDept), to: deptName(finalDept) });
        emit('transferred', agentAfter(clock, 0.5, 30), by, reason, { fromDepartment: initialDept, toDepartment: finalDept });
        dept = finalDept;
      }
      if (target === 'new') {
        if (rng.chance(0.1) && agentsOf(dept).length > 0)
          emit('note', agentAfter(clock, 0.2, 6), rng.pick(agentsOf(dept)), rng.pick(msgs.notes), {});
        throw new StopStory();
      }
      // assignment
      const team = agentsOf(dept);
      const pool = team.filter((a) => a.role === 'agent');
      const who = pool.length > 0 && rng.chance(0.85) ? rng.pick(pool) : rng.pick(team);
      const head = headOf(dept);
      const by = head && head !== who && rng.chance(0.6) ? head : who;
      const assignAt = agentAfter(clock, priority === 'urgent' ? 0.1 : 0.5, priority === 'urgent' ? 2 : 26);
      emit('assigned', assignAt, by, null, { assigneeEmail: who.email, previousAssigneeEmail: null });
      assignee = who;
      setStatus('open', assignAt + MINUTE, who, null);
      if (priority !== t.priority) emit('priority_changed', agentAfter(clock, 0.2, 8), who, null, { from: t.priority, to: priority });
      if (rng.chance(0.35)) emit('reply', agentAfter(clock, 0.1, 4), who, rng.pick(msgs.acknowledgements), { channel: replyChannel() });
      if (rng.chance(0.4)) emit('note', agentAfter(clock, 0.5, 48), who, rng.pick(msgs.notes), {});
      if (target === 'open') {
        if (citizen && rng.chance(0.25))
          emit('inbound', citizenAfter(clock, 48, 240), null, rng.pick(msgs.reminders), { channel: replyChannel() });
        throw new StopStory();
      }
      if (target === 'waiting_citizen' || (citizen && rng.chance(0.25))) {
        const at = agentAfter(clock, 1, 72);
        emit('reply', at, who, rng.pick(msgs.informationRequests), { channel: replyChannel() });
        setStatus('waiting_citizen', at + MINUTE, who, null);
        if (target === 'waiting_citizen') throw new StopStory();
        emit('inbound', citizenAfter(clock, 3, 120), null, rng.pick(msgs.citizenAnswers), { channel: replyChannel() });
        setStatus('open', agentAfter(clock, 0.5, 24), who, null);
      }
      if (rng.chance(0.3)) emit('note', agentAfter(clock, 2, 96), who, rng.pick(msgs.notes), {});
      if (target === 'closed' && rng.chance(0.06)) {
        const at = agentAfter(clock, 1, 48);
        const why = rng.pick(msgs.duplicates);
        emit('note', at, who, why, {});
        setStatus('closed', at + MINUTE, who, why);
        throw new StopStory();
      }
      resolve();
      if (citizen && rng.chance(0.06)) {
        emit('inbound', citizenAfter(clock, 24, 144), null, rng.pick(msgs.reopenings), { channel: replyChannel() });
        setStatus('open', agentAfter(clock, 0.5, 24), who, null);
        resolve();
      }
      if (target === 'closed') setStatus('closed', clock + (7 + rng.next() * 8) * DAY, null, null, { automatic: true });
    } catch (e) {
      if (!(e instanceof StopStory)) throw e;
    }

    // the priority shown is the one reached by the events
    const lastPriority = [...events].reverse().find((e) => e.kind === 'priority_changed');
    return {
      key,
      channel,
      categoryCode: t.category,
      departmentCode: dept,
      subject: fill(rng.pick(t.subjects), vars),
      description: fill(rng.pick(t.descriptions), vars),
      address,
      latitude: lat,
      longitude: lng,
      priority: lastPriority ? (lastPriority.data['to'] as Priority) : t.priority,
      status,
      createdAt: events[0]?.at ?? iso(created),
      citizenKey: citizen?.key ?? null,
      assigneeEmail: assignee?.email ?? null,
      events,
    };
  }
}
