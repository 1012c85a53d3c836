import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTownPack } from './parse';
import { generateDemoTickets, type DemoData } from './generate';
import { routeInPack } from './routing';
import type { TownPack } from './schema';
import { canTransition, type TicketStatus } from '../ticket/ticket-status';
import { CHANNELS } from '../ticket/channel';
import { TIMELINE_EVENT_KINDS } from '../ticket/timeline';

const DIR = join(__dirname, '../../../../packs/demo-town');
const NOW = new Date('2026-11-20T10:30:00Z');

const loadDemoPack = (): TownPack => {
  const files: Record<string, string> = {};
  for (const f of readdirSync(DIR).filter((n) => /\.ya?ml$/.test(n))) files[f] = readFileSync(join(DIR, f), 'utf8'); // workflows/ is a folder
  const r = parseTownPack(files);
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  return r.pack;
};

describe('packs/demo-town', () => {
  const pack = loadDemoPack();
  const data: DemoData = generateDemoTickets(pack, NOW);

  it('is a valid pack with a rich organisation', () => {
    expect(pack.town.code).toBe('saint-aubin');
    expect(pack.departments.filter((d) => d.kind === 'service').length).toBeGreaterThanOrEqual(8);
    expect(pack.categories.length).toBeGreaterThanOrEqual(20);
    expect(pack.agents.length).toBeGreaterThanOrEqual(12);
    expect(pack.agents.find((a) => a.email === 'admin@saint-aubin.fr')?.role).toBe('admin');
    expect(pack.routing.filter((r) => r.area !== null).length).toBeGreaterThanOrEqual(2);
  });

  it('has a DPO, who never appears in the generated history (reads no ticket)', () => {
    const dpo = pack.agents.filter((a) => a.role === 'dpo').map((a) => a.email);
    expect(dpo).toEqual(['dpo@saint-aubin.fr']);
    expect(JSON.stringify(data.tickets)).not.toContain('dpo@saint-aubin.fr');
    // even in a department that handles many requests
    const inVoirie: TownPack = { ...pack, agents: pack.agents.map((a) => (a.role === 'dpo' ? { ...a, departments: ['voirie'] } : a)) };
    expect(JSON.stringify(generateDemoTickets(inVoirie, NOW).tickets)).not.toContain('dpo@saint-aubin.fr');
  });

  it('routes by area: dépôt sauvage in Quartier Nord goes to the GUP, in the Parc du Château to espaces verts', () => {
    expect(routeInPack(pack, 'depot-sauvage', { lat: 47.405, lng: 0.69 })).toBe('gup');
    expect(routeInPack(pack, 'depot-sauvage', { lat: 47.386, lng: 0.7 })).toBe('espaces-verts');
    expect(routeInPack(pack, 'depot-sauvage', { lat: 47.3905, lng: 0.689 })).toBe('proprete');
  });

  it('is deterministic: same seed and now, same output; another seed differs', () => {
    expect(generateDemoTickets(pack, NOW)).toEqual(data);
    const other = generateDemoTickets({ ...pack, demo: { ...pack.demo!, generation: { ...pack.demo!.generation, seed: 7 } } }, NOW);
    expect(other).not.toEqual(data);
  });

  it('generates the requested count with unique keys', () => {
    expect(data.tickets).toHaveLength(pack.demo!.generation.count);
    expect(new Set(data.tickets.map((t) => t.key)).size).toBe(data.tickets.length);
    expect(new Set(data.citizens.map((c) => c.key)).size).toBe(data.citizens.length);
    const emails = data.citizens.map((c) => c.email).filter((e) => e !== null);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('spreads creation dates over monthsBack, more recent ones being more frequent, mostly in office hours', () => {
    const ages = data.tickets.map((t) => (NOW.getTime() - Date.parse(t.createdAt)) / 86_400_000);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ages)).toBeLessThanOrEqual(pack.demo!.generation.monthsBack * 31);
    const lastMonth = ages.filter((a) => a < 30).length;
    const firstMonth = ages.filter((a) => a > 335).length;
    expect(lastMonth).toBeGreaterThan(firstMonth * 2);
    const office = data.tickets.filter((t) => {
      const h = Number(
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: 'numeric', hourCycle: 'h23' }).format(new Date(t.createdAt)),
      );
      return h >= 8 && h < 19;
    });
    expect(office.length / data.tickets.length).toBeGreaterThan(0.6);
  });

  it('has a realistic channel mix', () => {
    const share = (c: string) => data.tickets.filter((t) => t.channel === c).length / data.tickets.length;
    expect(share('web')).toBeGreaterThan(0.25);
    expect(share('web')).toBeLessThan(0.45);
    expect(share('email')).toBeGreaterThan(0.15);
    expect(share('phone')).toBeGreaterThan(0.12);
    for (const c of CHANNELS) expect(share(c)).toBeGreaterThan(0);
  });

  it('links citizens: some have several tickets, some are organisations with a contact person', () => {
    const byCitizen = new Map<string, number>();
    for (const t of data.tickets) if (t.citizenKey) byCitizen.set(t.citizenKey, (byCitizen.get(t.citizenKey) ?? 0) + 1);
    expect([...byCitizen.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(10);
    const keys = new Set(data.citizens.map((c) => c.key));
    for (const k of byCitizen.keys()) expect(keys.has(k)).toBe(true);
    for (const c of data.citizens) expect(byCitizen.has(c.key)).toBe(true);
    const orgs = data.citizens.filter((c) => c.kind === 'organisation');
    expect(orgs.length).toBeGreaterThanOrEqual(2);
    for (const o of orgs)
      expect(o).toMatchObject({ firstName: null, lastName: null, organisationName: expect.any(String), contactPerson: expect.any(String) });
    for (const c of data.citizens) {
      if (c.phone !== null) expect(c.phone).toMatch(/^0[1-9](?: \d{2}){4}$/);
      if (c.email !== null) expect(c.email).toMatch(/@([a-z0-9-]+\.)*example\.(org|net|com)$/);
      if (c.kind === 'resident') expect(c.firstName && c.lastName).toBeTruthy();
    }
    expect(data.tickets.some((t) => t.citizenKey === null)).toBe(true);
  });

  it('keeps every timeline consistent with the ticket', () => {
    const staff = new Map(pack.agents.map((a) => [a.email, a]));
    const categories = new Set(pack.categories.map((c) => c.code));
    for (const t of data.tickets) {
      expect(categories.has(t.categoryCode)).toBe(true);
      const ev = t.events;
      expect(ev[0]).toMatchObject({ kind: 'created', at: t.createdAt });
      for (let i = 1; i < ev.length; i++) expect(ev[i]!.at > ev[i - 1]!.at).toBe(true);
      for (const e of ev) {
        expect(TIMELINE_EVENT_KINDS).toContain(e.kind);
        expect(Date.parse(e.at)).toBeLessThanOrEqual(NOW.getTime());
        if (e.actorEmail !== null) expect(staff.has(e.actorEmail)).toBe(true);
      }
      // statuses replay through allowed transitions to the ticket's status
      let status: TicketStatus = 'new';
      for (const e of ev.filter((x) => x.kind === 'status_changed')) {
        expect(e.data['from']).toBe(status);
        expect(canTransition(status, e.data['to'] as TicketStatus)).toBe(true);
        status = e.data['to'] as TicketStatus;
      }
      expect(status).toBe(t.status);
      // departments: created in the first, transfers chain to the current one
      let dept = ev[0]!.data['departmentCode'];
      for (const e of ev.filter((x) => x.kind === 'transferred')) {
        expect(e.data['fromDepartment']).toBe(dept);
        expect(e.body).toBeTruthy();
        dept = e.data['toDepartment'];
      }
      expect(dept).toBe(t.departmentCode);
      // assignee belongs to the ticket's department
      if (t.assigneeEmail !== null) expect(staff.get(t.assigneeEmail)?.departments).toContain(t.departmentCode);
      if (t.status !== 'new') expect(t.assigneeEmail).not.toBeNull();
      if (t.status === 'resolved' || t.status === 'closed') {
        expect(ev.some((e) => e.kind === 'reply' || e.kind === 'note')).toBe(true);
      }
      if (t.status === 'resolved') {
        const i = ev.map((e) => e.kind).lastIndexOf('status_changed');
        expect(ev[i - 1]?.kind).toBe('reply');
      }
      if (t.status === 'waiting_citizen') {
        const i = ev.map((e) => e.kind).lastIndexOf('status_changed');
        expect(ev[i - 1]?.kind).toBe('reply');
        expect(t.citizenKey).not.toBeNull();
      }
      if (t.latitude !== null) {
        expect(t.address).toBeTruthy();
        expect(routeInPack(pack, t.categoryCode, { lat: t.latitude, lng: t.longitude! })).toBe(t.departmentCode);
      }
      expect(t.subject).not.toMatch(/[{}]/);
      expect(t.description).not.toMatch(/[{}]/);
    }
  });

  it('shows a lived-in town: every status, transfers, notes, inbound messages, area routing', () => {
    const statuses = new Set(data.tickets.map((t) => t.status));
    for (const s of ['new', 'open', 'waiting_citizen', 'resolved', 'closed']) expect(statuses).toContain(s);
    const kinds = new Set(data.tickets.flatMap((t) => t.events.map((e) => e.kind)));
    for (const k of ['transferred', 'note', 'inbound', 'reply', 'assigned', 'priority_changed']) expect(kinds).toContain(k);
    expect(data.tickets.filter((t) => t.events.some((e) => e.kind === 'transferred')).length).toBeGreaterThanOrEqual(5);
    expect(data.tickets.some((t) => t.departmentCode === 'gup')).toBe(true);
  });

  it('returns nothing without demo-tickets.yaml', () => {
    expect(generateDemoTickets({ ...pack, demo: null }, NOW)).toEqual({ citizens: [], tickets: [] });
  });
});
