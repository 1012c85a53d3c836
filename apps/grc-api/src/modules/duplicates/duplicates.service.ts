import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  boundingBox, DEFAULT_DUPLICATE_SETTINGS, haversineMetres, OPEN_STATUSES, scoreDuplicate,
  type DuplicateCandidate, type DuplicatesView, type LinkedTicketRef, type TicketDetail, type TicketStatus,
} from '@grc/domain';
import { notFound, ProblemException } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { canSeeDepartment } from '../tickets/ticket-access';
import { TicketsService, type Mutation, type NewEvent } from '../tickets/tickets.service';

/** How far back candidates are looked for, and how many are offered. */
const WINDOW_DAYS = 90;
const MAX_CANDIDATES = 10;
const TERMINAL: readonly TicketStatus[] = ['resolved', 'closed'];

const refused = (status: number, code: string, message: string, field = 'masterId') =>
  new ProblemException(status, status === 409 ? 'Action impossible' : 'Requête invalide', message, [{ field, message, code }]);

interface RefRow { id: string; reference: string; subject: string; status: TicketStatus; created_at: Date }
const toRef = (r: RefRow): LinkedTicketRef => ({ id: r.id, reference: r.reference, subject: r.subject, status: r.status, createdAt: new Date(r.created_at).toISOString() });

/**
 * One problem, many reporters. Candidates: open tickets of the same category, near (bounding box, then
 * haversine) or with a similar text (pg_trgm), scored by the domain. Linking makes one ticket the master
 * (one level: a master follows nobody, a follower leads nobody); the master's status changes reach its
 * followers through DuplicatesFollowListener (every role). Unlinking restores the follower's status.
 */
@Injectable()
export class DuplicatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tickets: TicketsService,
  ) {}

  async view(agent: AuthenticatedAgent, id: string): Promise<DuplicatesView> {
    const [t] = await this.db.query(
      `SELECT id, department_id, category_id, master_ticket_id, status, subject, description, latitude, longitude, created_at FROM tickets WHERE id = $1`, [id]);
    if (!t || !canSeeDepartment(agent, t.department_id)) throw notFound('Demande');
    const [masterRows, followers] = await Promise.all([
      t.master_ticket_id
        ? this.db.query(`SELECT id, reference, subject, status, created_at FROM tickets WHERE id = $1`, [t.master_ticket_id])
        : Promise.resolve([]),
      this.db.query(`SELECT id, reference, subject, status, created_at, department_id FROM tickets WHERE master_ticket_id = $1 ORDER BY created_at, id`, [id]),
    ]);
    // Need-to-know: another department's tickets are counted, never shown (subject, address, position, status).
    const seen = (r: { department_id: string }) => canSeeDepartment(agent, r.department_id);
    const found = t.master_ticket_id ? [] : await this.candidates(t, followers.length > 0);
    const candidates: DuplicateCandidate[] = found.filter(seen).slice(0, MAX_CANDIDATES).map((c) => {
      const { department_id, ...shown } = c;
      void department_id; // internal: not part of the answer
      return shown;
    });
    return {
      master: masterRows[0] ? toRef(masterRows[0]) : null,
      followers: followers.filter(seen).map(toRef), otherDepartmentFollowers: followers.filter((f: RefRow & { department_id: string }) => !seen(f)).length,
      candidates, otherDepartmentCandidates: found.filter((c) => !seen(c)).length,
    };
  }

  private async candidates(t: {
    id: string; category_id: string; subject: string; description: string; latitude: number | null; longitude: number | null; created_at: Date;
  }, isMaster: boolean): Promise<Array<DuplicateCandidate & { department_id: string }>> {
    const s = DEFAULT_DUPLICATE_SETTINGS;
    const here = t.latitude !== null && t.longitude !== null ? { lat: t.latitude, lng: t.longitude } : null;
    const box = here ? boundingBox(here, s.maxDistanceMetres) : null;
    const text = `${t.subject} ${t.description.slice(0, 500)}`;
    // A master keeps its followers: it is offered no other master (it could not follow one).
    if (isMaster) return [];
    const rows: Array<RefRow & { department_id: string; address: string | null; latitude: number | null; longitude: number | null; sim: number; followers: number }> = await this.db.query(
      `SELECT c.id, c.reference, c.subject, c.status, c.created_at, c.department_id, c.address, c.latitude, c.longitude,
              greatest(similarity(lower(grc_unaccent(c.subject)), lower(grc_unaccent($2))),
                       similarity(lower(grc_unaccent(c.subject || ' ' || left(c.description, 500))), lower(grc_unaccent($3)))) AS sim,
              (SELECT count(*) FROM tickets f WHERE f.master_ticket_id = c.id)::int AS followers
       FROM tickets c
       WHERE c.category_id = $1 AND c.id <> $4 AND c.master_ticket_id IS NULL
         AND c.status IN ('new', 'open', 'waiting_citizen')
         AND c.created_at > $5::timestamptz - make_interval(days => ${WINDOW_DAYS}) AND c.created_at < $5::timestamptz + interval '1 day'
         AND (($6::float8 IS NOT NULL AND c.latitude BETWEEN $6 AND $7 AND c.longitude BETWEEN $8 AND $9)
              OR lower(grc_unaccent(c.subject)) % lower(grc_unaccent($2))
              OR similarity(lower(grc_unaccent(c.subject || ' ' || left(c.description, 500))), lower(grc_unaccent($3))) > 0.15)
       ORDER BY c.created_at DESC LIMIT 200`,
      [t.category_id, t.subject, text, t.id, t.created_at, box?.minLat ?? null, box?.maxLat ?? null, box?.minLng ?? null, box?.maxLng ?? null]);
    const out: Array<DuplicateCandidate & { department_id: string }> = [];
    for (const r of rows) {
      const distance = here && r.latitude !== null && r.longitude !== null ? haversineMetres(here, { lat: r.latitude, lng: r.longitude }) : null;
      const ageDays = Math.abs(new Date(t.created_at).getTime() - new Date(r.created_at).getTime()) / 86_400_000;
      const score = scoreDuplicate({ sameCategory: true, distanceMetres: distance, textSimilarity: Number(r.sim), ageDays }, s);
      if (!score.candidate) continue;
      out.push({
        ...toRef(r), department_id: r.department_id, address: r.address, distanceMetres: distance === null ? null : Math.round(distance),
        textSimilarity: Math.round(Number(r.sim) * 100) / 100, score: score.score, followerCount: r.followers,
      });
    }
    // all of them, best first: the caller shows the visible ones (up to MAX_CANDIDATES) and counts the others
    return out.sort((a, b) => b.score - a.score);
  }

  /** This ticket follows `masterId` from now on. */
  link(actor: Actor, id: string, masterId: string, version: number): Promise<TicketDetail> {
    return this.tickets.mutate(actor, id, version, async (m, t) => {
      if (masterId === id) throw refused(400, 'duplicate.self', 'Une demande ne peut pas se suivre elle-même.');
      const [current] = await m.query(`SELECT master_ticket_id, (SELECT count(*) FROM tickets f WHERE f.master_ticket_id = $1)::int AS followers FROM tickets WHERE id = $1`, [id]);
      if (current.master_ticket_id) throw refused(409, 'duplicate.already_linked', 'Cette demande suit déjà une autre demande : détachez-la d’abord.');
      if (current.followers > 0) throw refused(409, 'duplicate.is_master', 'Cette demande est suivie par d’autres : elle ne peut pas en suivre une à son tour.');
      const [master] = await m.query(`SELECT id, reference, department_id, status, master_ticket_id FROM tickets WHERE id = $1 FOR UPDATE`, [masterId]);
      if (!master || !canSeeDepartment(actor.agent, master.department_id)) throw refused(400, 'duplicate.master_unknown', 'Demande principale introuvable.');
      if (master.master_ticket_id) throw refused(409, 'duplicate.master_follows', 'La demande choisie suit elle-même une autre demande : liez à celle-ci.');
      if (!OPEN_STATUSES.includes(master.status)) throw refused(409, 'duplicate.master_closed', 'La demande choisie est résolue ou close : elle ne peut plus être la demande principale.');

      await this.touchMaster(m, actor, masterId, 'linked', { followerId: id, followerReference: t.reference }, 'ticket.link.master');
      return {
        set: { masterTicketId: masterId, linkedFromStatus: t.status },
        events: [{ kind: 'linked', data: { masterId, masterReference: master.reference } }],
        action: 'ticket.link', audit: { masterTicketId: { before: null, after: masterId } },
      };
    });
  }

  /** This ticket stands alone again, with the status it had when it was linked. */
  unlink(actor: Actor, id: string, version: number): Promise<TicketDetail> {
    return this.tickets.mutate(actor, id, version, async (m, t) => {
      const [current] = await m.query(
        `SELECT t.master_ticket_id, t.linked_from_status, mt.reference AS master_reference FROM tickets t
         LEFT JOIN tickets mt ON mt.id = t.master_ticket_id WHERE t.id = $1`, [id]);
      if (!current.master_ticket_id) throw refused(409, 'duplicate.not_linked', 'Cette demande ne suit aucune autre demande.', 'version');
      await this.touchMaster(m, actor, current.master_ticket_id, 'unlinked', { followerId: id, followerReference: t.reference }, 'ticket.unlink.master');
      const events: NewEvent[] = [{ kind: 'unlinked', data: { masterId: current.master_ticket_id, masterReference: current.master_reference } }];
      const restore = current.linked_from_status as TicketStatus | null;
      const set: Mutation['set'] = { masterTicketId: null, linkedFromStatus: null };
      if (restore && restore !== t.status) {
        set['status'] = restore;
        if (!TERMINAL.includes(restore)) { set['resolvedAt'] = null; set['closedAt'] = null; }
        events.push({ kind: 'status_changed', data: { from: t.status, to: restore, reason: 'unlinked' } });
      }
      return { set, events, action: 'ticket.unlink', audit: { masterTicketId: { before: current.master_ticket_id, after: null } } };
    });
  }

  /** A timeline event on the master, its version bumped (the console sees the change), audited — a change of the master. */
  private touchMaster(m: EntityManager, actor: Actor, masterId: string, kind: 'linked' | 'unlinked', data: Record<string, unknown>, action: string): Promise<void> {
    const follower = { before: kind === 'linked' ? null : data['followerId'], after: kind === 'linked' ? data['followerId'] : null };
    return this.tickets.mutateIn(m, actor, masterId, null, async () => ({ set: {}, events: [{ kind, data }], action, audit: { follower } }), { propagated: true });
  }
}
