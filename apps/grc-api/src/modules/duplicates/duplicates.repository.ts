import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TicketStatus } from '@grc/domain';

/** A ticket as the duplicates panel names it. */
export interface RefRow {
  id: string;
  reference: string;
  subject: string;
  status: TicketStatus;
  created_at: Date;
}

/** The ticket whose duplicates are looked for. */
export interface SubjectRow {
  id: string;
  department_id: string;
  category_id: string;
  master_ticket_id: string | null;
  status: TicketStatus;
  subject: string;
  description: string;
  latitude: number | null;
  longitude: number | null;
  created_at: Date;
}

/** A pre-filtered candidate, before the domain scores it. */
export interface CandidateRow extends RefRow {
  department_id: string;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  sim: number;
  followers: number;
}

/** What the SQL pre-filter needs: the ticket, its text, its time, and a bounding box around its position (or none). */
export interface CandidateQuery {
  id: string;
  categoryId: string;
  subject: string;
  text: string;
  createdAt: Date;
  windowDays: number;
  box: { minLat: number; maxLat: number; minLng: number; maxLng: number } | null;
}

/**
 * Every query of the duplicates module. They all read `tickets` (the master link is a column of the
 * ticket): TicketsRepository offers no such read (similarity, followers, master refs), and these are the
 * panel's own, so they live here. None of them writes: a link, an unlink and a follower's status change go
 * through TicketsService.mutate/mutateIn like every change of a ticket. Each method takes the caller's
 * EntityManager (optional: the pool otherwise), so that reads under a ticket's lock share its transaction.
 */
@Injectable()
export class DuplicatesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async subject(id: string, m: EntityManager = this.db.manager): Promise<SubjectRow | undefined> {
    const [row] = await m.query(
      `SELECT id, department_id, category_id, master_ticket_id, status, subject, description, latitude, longitude, created_at FROM tickets WHERE id = $1`,
      [id],
    );
    return row;
  }

  async ref(id: string, m: EntityManager = this.db.manager): Promise<RefRow | undefined> {
    const [row] = await m.query(`SELECT id, reference, subject, status, created_at FROM tickets WHERE id = $1`, [id]);
    return row;
  }

  /** The tickets following `masterId`, oldest first, with their departments (the caller shows or counts them). */
  followers(masterId: string, m: EntityManager = this.db.manager): Promise<Array<RefRow & { department_id: string }>> {
    return m.query(
      `SELECT id, reference, subject, status, created_at, department_id FROM tickets WHERE master_ticket_id = $1 ORDER BY created_at, id`,
      [masterId],
    );
  }

  /**
   * Open tickets of the same category, not followers, received around the ticket's time, that are near
   * (bounding box) or have a similar text (pg_trgm): at most 200, newest first, for the domain to score.
   */
  candidates(q: CandidateQuery, m: EntityManager = this.db.manager): Promise<CandidateRow[]> {
    return m.query(
      `SELECT c.id, c.reference, c.subject, c.status, c.created_at, c.department_id, c.address, c.latitude, c.longitude,
              greatest(similarity(lower(grc_unaccent(c.subject)), lower(grc_unaccent($2))),
                       similarity(lower(grc_unaccent(c.subject || ' ' || left(c.description, 500))), lower(grc_unaccent($3)))) AS sim,
              (SELECT count(*) FROM tickets f WHERE f.master_ticket_id = c.id)::int AS followers
       FROM tickets c
       WHERE c.category_id = $1 AND c.id <> $4 AND c.master_ticket_id IS NULL
         AND c.status IN ('new', 'open', 'waiting_citizen')
         AND c.created_at > $5::timestamptz - make_interval(days => $10::int) AND c.created_at < $5::timestamptz + interval '1 day'
         AND (($6::float8 IS NOT NULL AND c.latitude BETWEEN $6 AND $7 AND c.longitude BETWEEN $8 AND $9)
              OR lower(grc_unaccent(c.subject)) % lower(grc_unaccent($2))
              OR similarity(lower(grc_unaccent(c.subject || ' ' || left(c.description, 500))), lower(grc_unaccent($3))) > 0.15)
       ORDER BY c.created_at DESC LIMIT 200`,
      [
        q.categoryId,
        q.subject,
        q.text,
        q.id,
        q.createdAt,
        q.box?.minLat ?? null,
        q.box?.maxLat ?? null,
        q.box?.minLng ?? null,
        q.box?.maxLng ?? null,
        q.windowDays,
      ],
    );
  }

  /** The ticket's master link and how many follow it (inside the ticket's locked transaction). */
  async linkState(id: string, m: EntityManager): Promise<{ masterTicketId: string | null; followers: number }> {
    const [row] = await m.query(
      `SELECT master_ticket_id, (SELECT count(*) FROM tickets f WHERE f.master_ticket_id = $1)::int AS followers FROM tickets WHERE id = $1`,
      [id],
    );
    return { masterTicketId: row?.master_ticket_id ?? null, followers: row?.followers ?? 0 };
  }

  /** The chosen master, locked (FOR NO KEY UPDATE, as TicketsRepository.lock) until the link is written (it cannot start following meanwhile). */
  async lockMaster(
    id: string,
    m: EntityManager,
  ): Promise<{ id: string; reference: string; department_id: string; status: TicketStatus; master_ticket_id: string | null } | undefined> {
    const [row] = await m.query(
      `SELECT id, reference, department_id, status, master_ticket_id FROM tickets WHERE id = $1 FOR NO KEY UPDATE`,
      [id],
    );
    return row;
  }

  /** The master a ticket follows, with its reference, and the status the ticket had when linked. */
  async linkOf(
    id: string,
    m: EntityManager,
  ): Promise<{ master_ticket_id: string | null; linked_from_status: TicketStatus | null; master_reference: string | null } | undefined> {
    const [row] = await m.query(
      `SELECT t.master_ticket_id, t.linked_from_status, mt.reference AS master_reference FROM tickets t
       LEFT JOIN tickets mt ON mt.id = t.master_ticket_id WHERE t.id = $1`,
      [id],
    );
    return row;
  }

  /** The followers of a master, locked in id order (a master's status change moves each of them). */
  lockFollowers(masterId: string, m: EntityManager): Promise<Array<{ id: string }>> {
    return m.query(`SELECT id FROM tickets WHERE master_ticket_id = $1 ORDER BY id FOR NO KEY UPDATE`, [masterId]);
  }

  async reference(id: string, m: EntityManager): Promise<string | undefined> {
    const [row] = await m.query(`SELECT reference FROM tickets WHERE id = $1`, [id]);
    return row?.reference;
  }
}
