import { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { DuplicatesRepository } from '../src/modules/duplicates/duplicates.repository';
import { TicketsRepository } from '../src/modules/tickets/tickets.repository';
import { TimersRepository } from '../src/modules/timers/timers.repository';

/**
 * A ticket locked for a change leaves the rows that reference it free to be written: every lock the
 * repositories take on `tickets` is `FOR NO KEY UPDATE`. A `FOR UPDATE` lock also blocks the foreign-key
 * check (`FOR KEY SHARE`) of any insert that names the ticket; the figures' refresh, inserting a fact while
 * it held its marks, then deadlocked with a change that waited for a mark (CI, duplicates.spec).
 * The second transaction runs with a short `lock_timeout`: a lock that blocks it fails the test with
 * PostgreSQL's own error, and a lock that does not answers at once.
 */
describe('locks on tickets', () => {
  let db: DataSource;
  let ticketId: string;

  beforeAll(async () => {
    db = await createDataSource(process.env['DATABASE_URL']!).initialize();
    [{ id: ticketId }] = await db.query(`SELECT id FROM tickets ORDER BY created_at LIMIT 1`);
  });
  afterAll(async () => {
    await db.destroy();
  });

  /** Holds `lock` in one transaction while another inserts a row referencing the ticket; both roll back. */
  async function whileLocked(lock: (m: EntityManager) => Promise<unknown>): Promise<void> {
    const holder = db.createQueryRunner();
    const writer = db.createQueryRunner();
    await holder.connect();
    await writer.connect();
    try {
      await holder.startTransaction();
      await lock(holder.manager);
      await writer.startTransaction();
      await writer.query(`SET LOCAL lock_timeout = '500ms'`);
      // a timeline event: a row that references the ticket, as the figures' facts and the SLA clocks do
      await writer.query(`INSERT INTO ticket_events (ticket_id, kind, data) VALUES ($1, 'note', '{}')`, [ticketId]);
    } finally {
      if (writer.isTransactionActive) await writer.rollbackTransaction();
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await writer.release();
      await holder.release();
    }
  }

  it("TicketsRepository.lock (every change's lock) does not block inserts that reference the ticket", async () => {
    const tickets = new TicketsRepository(db);
    await whileLocked(async (m) => expect(await tickets.lock(m, ticketId)).not.toBeNull());
  });

  it("TimersRepository.lockTicket (a firing timer's lock) does not block them", async () => {
    const timers = new TimersRepository(db);
    await whileLocked((m) => timers.lockTicket(m, ticketId));
  });

  it("DuplicatesRepository's master and followers' locks do not block them", async () => {
    const duplicates = new DuplicatesRepository(db);
    await whileLocked(async (m) => {
      expect(await duplicates.lockMaster(ticketId, m)).toBeDefined();
      await db.query(`SELECT 1`); // another connection stays free meanwhile
    });
    await whileLocked((m) => duplicates.lockFollowers(ticketId, m));
  });

  it('two changes of the same ticket still wait for each other', async () => {
    const tickets = new TicketsRepository(db);
    const a = db.createQueryRunner();
    const b = db.createQueryRunner();
    await a.connect();
    await b.connect();
    try {
      await a.startTransaction();
      await tickets.lock(a.manager, ticketId);
      await b.startTransaction();
      await b.query(`SET LOCAL lock_timeout = '200ms'`);
      await expect(tickets.lock(b.manager, ticketId)).rejects.toThrow(/lock timeout/);
    } finally {
      if (b.isTransactionActive) await b.rollbackTransaction();
      if (a.isTransactionActive) await a.rollbackTransaction();
      await b.release();
      await a.release();
    }
  });
});
