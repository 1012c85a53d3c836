import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  boundingBox,
  DEFAULT_DUPLICATE_SETTINGS,
  haversineMetres,
  OPEN_STATUSES,
  scoreDuplicate,
  type DuplicateCandidate,
  type DuplicatesView,
  type LinkedTicketRef,
  type TicketDetail,
  type TicketStatus,
} from '@grc/domain';
import { notFound, ProblemException } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { TicketsService, type Mutation, type NewEvent } from '../tickets/tickets.service';
import { DuplicatesRepository, type RefRow, type SubjectRow } from './duplicates.repository';

/** How far back candidates are looked for, and how many are offered. */
const WINDOW_DAYS = 90;
const MAX_CANDIDATES = 10;
const TERMINAL: readonly TicketStatus[] = ['resolved', 'closed'];

const refused = (status: number, code: string, message: string, field = 'masterId') =>
  new ProblemException(status, status === 409 ? 'Action impossible' : 'Requête invalide', message, [{ field, message, code }]);

const toRef = (r: RefRow): LinkedTicketRef => ({
  id: r.id,
  reference: r.reference,
  subject: r.subject,
  status: r.status,
  createdAt: new Date(r.created_at).toISOString(),
});

/**
 * One problem, many reporters. Candidates: open tickets of the same category, near (bounding box, then
 * haversine) or with a similar text (pg_trgm), scored by the domain. Linking makes one ticket the master
 * (one level: a master follows nobody, a follower leads nobody); the master's status changes reach its
 * followers through DuplicatesFollowListener (every role). Unlinking restores the follower's status.
 * The queries are DuplicatesRepository's; the changes go through TicketsService.mutate/mutateIn.
 */
@Injectable()
export class DuplicatesService {
  constructor(
    private readonly rows: DuplicatesRepository,
    private readonly tickets: TicketsService,
  ) {}

  async view(agent: AuthenticatedAgent, id: string): Promise<DuplicatesView> {
    const t = await this.rows.subject(id);
    if (!t || !canSeeDepartment(agent, t.department_id)) throw notFound('Demande');
    const [master, followers] = await Promise.all([
      t.master_ticket_id ? this.rows.ref(t.master_ticket_id) : Promise.resolve(undefined),
      this.rows.followers(id),
    ]);
    // Need-to-know: another department's tickets are counted, never shown (subject, address, position, status).
    const seen = (r: { department_id: string }) => canSeeDepartment(agent, r.department_id);
    const found = t.master_ticket_id ? [] : await this.candidates(t, followers.length > 0);
    const candidates: DuplicateCandidate[] = found
      .filter(seen)
      .slice(0, MAX_CANDIDATES)
      .map((c) => {
        const { department_id, ...shown } = c;
        void department_id; // internal: not part of the answer
        return shown;
      });
    return {
      master: master ? toRef(master) : null,
      followers: followers.filter(seen).map(toRef),
      otherDepartmentFollowers: followers.filter((f) => !seen(f)).length,
      candidates,
      otherDepartmentCandidates: found.filter((c) => !seen(c)).length,
    };
  }

  private async candidates(t: SubjectRow, isMaster: boolean): Promise<Array<DuplicateCandidate & { department_id: string }>> {
    const s = DEFAULT_DUPLICATE_SETTINGS;
    const here = t.latitude !== null && t.longitude !== null ? { lat: t.latitude, lng: t.longitude } : null;
    // A master keeps its followers: it is offered no other master (it could not follow one).
    if (isMaster) return [];
    const rows = await this.rows.candidates({
      id: t.id,
      categoryId: t.category_id,
      subject: t.subject,
      text: `${t.subject} ${t.description.slice(0, 500)}`,
      createdAt: t.created_at,
      windowDays: WINDOW_DAYS,
      box: here ? boundingBox(here, s.maxDistanceMetres) : null,
    });
    const out: Array<DuplicateCandidate & { department_id: string }> = [];
    for (const r of rows) {
      const distance =
        here && r.latitude !== null && r.longitude !== null ? haversineMetres(here, { lat: r.latitude, lng: r.longitude }) : null;
      const ageDays = Math.abs(new Date(t.created_at).getTime() - new Date(r.created_at).getTime()) / 86_400_000;
      const score = scoreDuplicate({ sameCategory: true, distanceMetres: distance, textSimilarity: Number(r.sim), ageDays }, s);
      if (!score.candidate) continue;
      out.push({
        ...toRef(r),
        department_id: r.department_id,
        address: r.address,
        distanceMetres: distance === null ? null : Math.round(distance),
        lat: r.latitude === null ? null : Number(r.latitude),
        lng: r.longitude === null ? null : Number(r.longitude),
        textSimilarity: Math.round(Number(r.sim) * 100) / 100,
        score: score.score,
        followerCount: r.followers,
      });
    }
    // all of them, best first: the caller shows the visible ones (up to MAX_CANDIDATES) and counts the others
    return out.sort((a, b) => b.score - a.score);
  }

  /** This ticket follows `masterId` from now on. */
  link(actor: Actor, id: string, masterId: string, version: number): Promise<TicketDetail> {
    return this.tickets.mutate(actor, id, version, async (m, t) => {
      if (masterId === id) throw refused(400, 'duplicate.self', 'Une demande ne peut pas se suivre elle-même.');
      const current = await this.rows.linkState(id, m);
      if (current.masterTicketId)
        throw refused(409, 'duplicate.already_linked', 'Cette demande suit déjà une autre demande : détachez-la d’abord.');
      if (current.followers > 0)
        throw refused(409, 'duplicate.is_master', 'Cette demande est suivie par d’autres : elle ne peut pas en suivre une à son tour.');
      const master = await this.rows.lockMaster(masterId, m);
      if (!master || !canSeeDepartment(actor.agent, master.department_id))
        throw refused(400, 'duplicate.master_unknown', 'Demande principale introuvable.');
      if (master.master_ticket_id)
        throw refused(409, 'duplicate.master_follows', 'La demande choisie suit elle-même une autre demande : liez à celle-ci.');
      if (!OPEN_STATUSES.includes(master.status))
        throw refused(
          409,
          'duplicate.master_closed',
          'La demande choisie est résolue ou close : elle ne peut plus être la demande principale.',
        );

      await this.touchMaster(m, actor, masterId, 'linked', { followerId: id, followerReference: t.reference }, 'ticket.link.master');
      return {
        set: { masterTicketId: masterId, linkedFromStatus: t.status },
        events: [{ kind: 'linked', data: { masterId, masterReference: master.reference } }],
        action: 'ticket.link',
        audit: { masterTicketId: { before: null, after: masterId } },
      };
    });
  }

  /** This ticket stands alone again, with the status it had when it was linked. */
  unlink(actor: Actor, id: string, version: number): Promise<TicketDetail> {
    return this.tickets.mutate(actor, id, version, async (m, t) => {
      const current = await this.rows.linkOf(id, m);
      if (!current?.master_ticket_id) throw refused(409, 'duplicate.not_linked', 'Cette demande ne suit aucune autre demande.', 'version');
      await this.touchMaster(
        m,
        actor,
        current.master_ticket_id,
        'unlinked',
        { followerId: id, followerReference: t.reference },
        'ticket.unlink.master',
      );
      const events: NewEvent[] = [
        { kind: 'unlinked', data: { masterId: current.master_ticket_id, masterReference: current.master_reference } },
      ];
      const restore = current.linked_from_status;
      const set: Mutation['set'] = { masterTicketId: null, linkedFromStatus: null };
      if (restore && restore !== t.status) {
        set['status'] = restore;
        if (!TERMINAL.includes(restore)) {
          set['resolvedAt'] = null;
          set['closedAt'] = null;
        }
        events.push({ kind: 'status_changed', data: { from: t.status, to: restore, reason: 'unlinked' } });
      }
      return { set, events, action: 'ticket.unlink', audit: { masterTicketId: { before: current.master_ticket_id, after: null } } };
    });
  }

  /** A timeline event on the master, its version bumped (the console sees the change), audited — a change of the master. */
  private touchMaster(
    m: EntityManager,
    actor: Actor,
    masterId: string,
    kind: 'linked' | 'unlinked',
    data: Record<string, unknown>,
    action: string,
  ): Promise<void> {
    const follower = { before: kind === 'linked' ? null : data['followerId'], after: kind === 'linked' ? data['followerId'] : null };
    return this.tickets.mutateIn(
      m,
      actor,
      masterId,
      null,
      async () => ({ set: {}, events: [{ kind, data }], action, audit: { follower } }),
      { propagated: true },
    );
  }
}
