import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { areaOf, ticketFacts, type BusinessCalendar, type FactsClock, type NamedArea } from '@grc/domain';
import { RoutingRulesRepository } from '../reference/routing-rules.repository';
import { SlaConfigService } from '../sla/sla-config.service';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { ReportingRepository, type FactsClockRow, type FactsEventRow, type FactsRow } from './reporting.repository';

const group = <T extends { ticket_id: string }>(rows: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.ticket_id);
    if (list) list.push(r);
    else out.set(r.ticket_id, [r]);
  }
  return out;
};

const clockOf = (c: FactsClockRow): FactsClock => {
  const last = c.events[c.events.length - 1];
  const stopped = last?.type === 'stopped';
  return {
    target: c.target,
    breached: c.breached,
    stoppedAt: stopped ? new Date(last.at) : null,
    stopReason: stopped ? (last.reason === 'cancelled' ? 'cancelled' : 'met') : null,
  };
};

/**
 * The rollup of the figures, kept incrementally: the change listener marks a request in `report_dirty`
 * within its change; `drain()` (the worker's job, every few seconds) folds the marked requests with the
 * domain's `ticketFacts` and writes their rows, in batches, each in one short transaction. Idempotent: a
 * request folded twice gives the same row. `rebuild()` folds every request with the same `refreshIn` — so rebuild =
 * incremental by construction, and a test proves it on real data — taking them by batches of ids straight from the
 * tickets' primary key (no marks), each batch one short transaction.
 *
 * The monthly cube (`report_cube`, migration 1763800002400) follows the facts through their triggers; it is
 * built set-based from the facts when missing or in another time zone than the town's (`ensureCube`, after
 * each drain), and rebuilt from scratch by `rebuild()`.
 */
@Injectable()
export class ReportingFactsService {
  private readonly log = new Logger('ReportingFacts');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repo: ReportingRepository,
    private readonly sla: SlaConfigService,
    private readonly routing: RoutingRulesRepository,
    private readonly town: TownSettingsRepository,
  ) {}

  /** Marks requests for the next refresh, inside the caller's transaction. */
  mark(m: EntityManager, ticketIds: readonly string[]): Promise<void> {
    return this.repo.markDirty(m, ticketIds);
  }

  /** Folds and writes the facts of the given requests (those gone lose their rows). */
  async refreshIn(m: EntityManager, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    // one after the other: on one transaction's connection the driver runs them in turn anyway (and pg 9 refuses a
    // query sent while another runs)
    const sources = await this.repo.sources(m, ids);
    const events = await this.repo.events(m, ids);
    const clocks = await this.repo.clocks(m, ids);
    const rules = await this.routing.list(m);
    const areas: NamedArea[] = rules
      .filter((r) => r.area && r.areaName)
      .map((r) => ({ name: r.areaName as string, polygon: r.area as unknown as NamedArea['polygon'] }));
    const eventsOf = group<FactsEventRow>(events);
    const clocksOf = group<FactsClockRow>(clocks);
    const calendars = new Map<string, BusinessCalendar>();
    const rows: FactsRow[] = [];
    for (const s of sources) {
      let calendar = calendars.get(s.department_id);
      if (!calendar) calendars.set(s.department_id, (calendar = (await this.sla.calendarFor(m, s.department_id)).calendar));
      const facts = ticketFacts({
        createdAt: s.created_at,
        status: s.status,
        resolvedAt: s.resolved_at,
        closedAt: s.closed_at,
        masterTicketId: s.master_ticket_id,
        events: (eventsOf.get(s.id) ?? []).map((e) => ({ kind: e.kind, at: e.at, data: e.data ?? {} })),
        clocks: (clocksOf.get(s.id) ?? []).map(clockOf),
        calendar,
      });
      rows.push({ ticketId: s.id, source: s, area: areaOf(s.latitude, s.longitude, areas), facts });
    }
    const found = new Set(sources.map((s) => s.id));
    await this.repo.writeFacts(
      m,
      rows,
      ids.filter((id) => !found.has(id)),
    );
    return rows.length;
  }

  /** One batch of marked requests, in its own transaction; the number folded (0: nothing was marked). */
  drainBatch(batch = 500): Promise<number> {
    return this.db.transaction(async (m) => {
      const marks = await this.repo.takeDirty(m, batch);
      if (marks.length === 0) return 0;
      await this.refreshIn(
        m,
        marks.map((x) => x.ticket_id),
      );
      await this.repo.clearDirty(m, marks);
      return marks.length;
    });
  }

  /** Folds every marked request, then builds the cube if it is missing; returns how many requests were folded. */
  async drain(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.drainBatch(batch);
      total += n;
      if (n < batch) break;
    }
    await this.ensureCube();
    return total;
  }

  /** Builds the commune's cube from its facts unless it is there in the town's time zone; the facts folded (0: nothing to do). */
  async ensureCube(): Promise<number> {
    const timeZone = (await this.town.get())?.timezone ?? 'Europe/Paris';
    if ((await this.repo.cubeTimeZone()) === timeZone) return 0;
    const t0 = performance.now();
    const n = await this.db.transaction((m) => this.repo.buildCube(m, timeZone));
    this.log.log(`figures' cube built from ${n} requests' facts in ${Math.round(performance.now() - t0)} ms`);
    return n;
  }

  /**
   * Recomputes the whole rollup from the tickets (`main.js reporting-rebuild`): the cube dropped (the dashboards
   * read the facts meanwhile), then the commune's requests taken by batches of `batch` ids in id order (keyset on
   * the tickets' primary key, in `lanes` ranges of ids side by side: one lane's fold runs in JavaScript while the
   * other's statements run), each batch one transaction: its range of the rollup emptied, its requests read in three
   * statements, folded by the domain's `ticketFacts` (one definition, the incremental refresh's), written in two;
   * then the cube built from the facts set-based. The marks are left alone (a change during the rebuild is folded
   * again by the next drain). Returns the requests and the time of each part.
   */
  async rebuild(batch = 5000, lanes = 2): Promise<{ requests: number; factsMs: number; cubeMs: number; batches: number }> {
    const t0 = performance.now();
    await this.db.transaction((m) => this.repo.dropCube(m));
    // lane k: the ids from k/lanes to (k+1)/lanes of the uuid space (uuids are random: even shares)
    const cut = (k: number) =>
      k <= 0 || k >= lanes
        ? null
        : `${Math.floor((k / lanes) * 0x100000000)
            .toString(16)
            .padStart(8, '0')}-0000-0000-0000-000000000000`;
    let requests = 0;
    let batches = 0;
    const lane = async (from: string | null, to: string | null) => {
      let after: string | null = null;
      for (;;) {
        const done = await this.db.transaction(async (m) => {
          const ids = await this.repo.rebuildBatch(m, { from, after, to }, batch);
          const full = ids.length === batch;
          // the range this batch answers for: up to its last id, or to the lane's end after the last batch
          await this.repo.clearFactsRange(m, { from, after, last: full ? ids[ids.length - 1] : null, to });
          const folded = await this.refreshIn(m, ids); // (not `requests += await …`: the lanes would lose each other's counts)
          requests += folded;
          batches++;
          after = ids[ids.length - 1] ?? after;
          return !full;
        });
        if (done) return;
      }
    };
    await Promise.all(Array.from({ length: lanes }, (_, k) => lane(cut(k), cut(k + 1))));
    const t1 = performance.now();
    await this.ensureCube();
    const t2 = performance.now();
    this.log.log(`rollup rebuilt: ${requests} requests in ${batches} batches`);
    return { requests, batches, factsMs: Math.round(t1 - t0), cubeMs: Math.round(t2 - t1) };
  }

  /** Rebuilds the cube alone from the facts as they are (set-based), in one transaction; the facts folded. */
  async rebuildCube(): Promise<number> {
    const timeZone = (await this.town.get())?.timezone ?? 'Europe/Paris';
    return this.db.transaction((m) => this.repo.buildCube(m, timeZone));
  }

  cubeSnapshot(): Promise<{ cells: unknown[]; durations: unknown[] }> {
    return this.repo.cubeSnapshot();
  }

  cubeSize(): Promise<{ facts: number; cells: number; durations: number }> {
    return this.repo.cubeSize();
  }

  pending(): Promise<number> {
    return this.repo.dirtyCount();
  }

  snapshot(): Promise<unknown[]> {
    return this.repo.snapshot();
  }
}
