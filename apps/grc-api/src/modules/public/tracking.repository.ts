import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { TicketStatus } from '@grc/domain';
import { preparedQuery } from '../../common/prepared';

/** A ticket of the given reference with one of its key hashes (null: the ticket has no key). */
export interface KeyedTicketRow {
  id: string;
  key_hash: string | null;
  status: TicketStatus;
  resolved_at: Date | null;
  closed_at: Date | null;
  updated_at: Date;
}

/** The commune the connection works for: where its public pages are (`communes` is shared). */
export interface CurrentCommuneRow {
  code: string;
  public_host: string | null;
  is_default: boolean;
}

/** Every query on `ticket_tracking_keys` (hashes only, never a key), each in the caller's EntityManager. */
@Injectable()
export class TrackingRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The commune the connection works for: where its public pages are (`communes` is shared). */
  async currentCommune(m?: EntityManager): Promise<CurrentCommuneRow | null> {
    const [row] = await (m ?? this.db).query(`SELECT code, public_host, is_default FROM communes WHERE id = grc_row_commune()`);
    return row ?? null;
  }

  /**
   * Stores a key's hash for the ticket; answers the ticket's reference (null: no such ticket) and, in the same
   * round trip (every acknowledgement runs it: bench/intake.mjs), the commune whose public pages the link opens.
   */
  async insert(
    m: EntityManager,
    ticketId: string,
    keyHash: string,
  ): Promise<{ reference: string; commune: CurrentCommuneRow | null } | null> {
    // prepared: every acknowledgement runs it
    const [row] = await preparedQuery<{ reference: string; code: string | null; public_host: string | null; is_default: boolean | null }>(
      m,
      `WITH k AS (INSERT INTO ticket_tracking_keys (ticket_id, key_hash) VALUES ($1, $2) RETURNING ticket_id)
       SELECT t.reference, c.code, c.public_host, c.is_default
         FROM tickets t JOIN k ON k.ticket_id = t.id LEFT JOIN communes c ON c.id = grc_row_commune()`,
      [ticketId, keyHash],
    );
    if (!row) return null;
    const commune = row.code === null ? null : { code: row.code, public_host: row.public_host, is_default: row.is_default === true };
    return { reference: row.reference, commune };
  }

  /** The ticket of a reference, one row per key hash (one row with a null hash when it has none; none: no such reference). */
  keyedTicket(reference: string, m: EntityManager = this.db.manager): Promise<KeyedTicketRow[]> {
    return m.query(
      `SELECT t.id, k.key_hash, t.status, t.resolved_at, t.closed_at, t.updated_at
       FROM tickets t LEFT JOIN ticket_tracking_keys k ON k.ticket_id = t.id WHERE t.reference = $1`,
      [reference],
    );
  }
}
