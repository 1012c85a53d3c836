import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../common/returning';
import type { MailboxRow } from './intake.service';

/** What the admin screen shows of a mailbox (never the password: whether one is set). */
const COLUMNS = `m.id, m.name, m.host, m.port, m.secure, m.username, (m.password IS NOT NULL AND m.password <> '') AS has_password, m.folder,
  m.processed_folder, m.category_id, m.department_id, m.poll_interval_seconds, m.active, m.last_poll_at, m.last_error,
  (SELECT count(*)::int FROM mail_imported i WHERE i.mailbox_id = m.id AND i.outcome IN ('ticket', 'reply')) AS imported_count`;

/** The fields an admin writes, in the order of the statements below ($2… of the update, $1… of the insert). */
export type MailboxValues = [
  name: string,
  host: string,
  port: number,
  secure: boolean,
  username: string,
  folder: string,
  processedFolder: string | null,
  categoryId: string,
  departmentId: string | null,
  pollIntervalSeconds: number,
  active: boolean,
];

/** Every query on `mail_mailboxes`: the admin's configuration and the poller's lease, UIDs and state. */
@Injectable()
export class MailboxesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // — administration

  list(m: EntityManager = this.db.manager): Promise<Array<Record<string, unknown>>> {
    return m.query(`SELECT ${COLUMNS} FROM mail_mailboxes m ORDER BY m.name`);
  }

  async find(id: string, m: EntityManager = this.db.manager): Promise<Record<string, unknown> | null> {
    const [r] = await m.query(`SELECT ${COLUMNS} FROM mail_mailboxes m WHERE m.id = $1`, [id]);
    return r ?? null;
  }

  /** Whether another mailbox (not `exceptId`) has this name, case aside. */
  async isNameTaken(m: EntityManager, name: string, exceptId: string | null): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT id FROM mail_mailboxes WHERE lower(name) = lower($1) AND ($2::uuid IS NULL OR id <> $2)`,
      [name, exceptId],
    );
    return rows.length > 0;
  }

  /** The stored row, locked for update (the audit's "before"). */
  async lock(m: EntityManager, id: string): Promise<Record<string, unknown> | null> {
    const [row] = await m.query(`SELECT * FROM mail_mailboxes WHERE id = $1 FOR UPDATE`, [id]);
    return row ?? null;
  }

  /** `sealedPassword` null keeps the stored one; `moved` (another server, account or folder) forgets the UIDs. */
  async update(m: EntityManager, id: string, values: MailboxValues, sealedPassword: string | null, moved: boolean): Promise<void> {
    await m.query(
      `UPDATE mail_mailboxes SET name = $2, host = $3, port = $4, secure = $5, username = $6, folder = $7, processed_folder = $8,
         category_id = $9, department_id = $10, poll_interval_seconds = $11, active = $12, password = coalesce($13, password),
         uid_validity = CASE WHEN $14 THEN NULL ELSE uid_validity END, last_uid = CASE WHEN $14 THEN 0 ELSE last_uid END, updated_at = now()
       WHERE id = $1`,
      [id, ...values, sealedPassword, moved],
    );
  }

  async insert(m: EntityManager, values: MailboxValues, sealedPassword: string): Promise<string> {
    const [row] = await m.query(
      `INSERT INTO mail_mailboxes (name, host, port, secure, username, folder, processed_folder, category_id, department_id, poll_interval_seconds, active, password)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [...values, sealedPassword],
    );
    return row.id;
  }

  /** Deletes it; its name, or null when there was none. */
  async delete(m: EntityManager, id: string): Promise<string | null> {
    const [row] = await returning<{ name: string }>(m, `DELETE FROM mail_mailboxes WHERE id = $1 RETURNING name`, [id]);
    return row?.name ?? null;
  }

  /** Due at the poller's next tick; false when there is no such mailbox. */
  async pollSoon(id: string, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows = await returning(m, `UPDATE mail_mailboxes SET last_poll_at = NULL WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  // — the poller

  /** Active mailboxes whose interval has elapsed and that no poller holds, least recently polled first. */
  async due(m: EntityManager = this.db.manager): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM mail_mailboxes WHERE active AND (last_poll_at IS NULL OR last_poll_at + make_interval(secs => poll_interval_seconds) <= now())
       AND (lease_until IS NULL OR lease_until < now()) ORDER BY last_poll_at NULLS FIRST`,
    );
    return rows.map((r) => r.id);
  }

  /** Takes the mailbox for `lease` (an SQL interval) unless another poller holds it; its row (password sealed), else null. */
  async lease(id: string, lease: string, m: EntityManager = this.db.manager): Promise<MailboxRow | null> {
    const [box] = await returning<MailboxRow>(
      m,
      `UPDATE mail_mailboxes SET lease_until = now() + ${lease} WHERE id = $1 AND (lease_until IS NULL OR lease_until < now())
       RETURNING id, name, host, port, secure, username, password, folder, processed_folder, category_id, department_id, uid_validity::text, last_uid::text, poll_interval_seconds`,
      [id],
    );
    return box ?? null;
  }

  /** A new UIDVALIDITY: the folder was renumbered, start over. */
  async resetUids(id: string, validity: string, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`UPDATE mail_mailboxes SET uid_validity = $2, last_uid = 0 WHERE id = $1`, [id, validity]);
  }

  async advanceLastUid(id: string, uid: number, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`UPDATE mail_mailboxes SET last_uid = greatest(last_uid, $2) WHERE id = $1`, [id, uid]);
  }

  /** The poll is over: lease released, time and error (null: none) recorded. */
  async release(id: string, error: string | null, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`UPDATE mail_mailboxes SET lease_until = NULL, last_poll_at = now(), last_error = $2 WHERE id = $1`, [id, error]);
  }
}
