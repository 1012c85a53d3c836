import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { liveEventOfChange, type LiveEvent } from '@grc/domain';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { LiveLog } from './live-log';

type Pending = { depth: number; event: LiveEvent };
const depthOf = (qr: QueryRunner) => (qr as unknown as { transactionDepth?: number }).transactionDepth ?? 1;

/**
 * Turns every ticket change into a live event, published only once its transaction has committed (a
 * change that rolls back tells nobody; a console never re-reads a state that does not exist yet). It
 * listens to the one write path (TicketChangeHooks, inside the transaction) and to TypeORM's
 * transaction events (after commit / rollback, savepoints included), in both roles: a change made by
 * the worker (an SLA escalation, a circuit's timer) reaches the consoles as well.
 */
@Injectable()
export class LivePublisher implements TicketChangeListener, EntitySubscriberInterface, OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly log: LiveLog,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
    (this.db.subscribers as EntitySubscriberInterface[]).push(this);
  }

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    const event = liveEventOfChange({
      ticketId: change.ticketId,
      created: change.before === null,
      version: change.after.version,
      departmentId: change.after.departmentId,
      departmentBefore: change.before?.departmentId ?? null,
      timeline: change.events.map((e) => e.kind),
    });
    const qr = m.queryRunner;
    if (!qr || !qr.isTransactionActive) return this.log.publishAll([event]);
    const list = this.pending.get(qr) ?? [];
    list.push({ depth: depthOf(qr), event });
    this.pending.set(qr, list);
  }

  afterTransactionCommit(e: TransactionCommitEvent): void {
    const qr = e.queryRunner;
    if (qr.isTransactionActive) return; // a savepoint released: the outer transaction may still roll back
    const list = this.pending.get(qr);
    if (!list) return;
    this.pending.delete(qr);
    this.log.publishAll(list.map((p) => p.event));
  }

  afterTransactionRollback(e: TransactionRollbackEvent): void {
    const qr = e.queryRunner;
    const list = this.pending.get(qr);
    if (!list) return;
    if (!qr.isTransactionActive) return void this.pending.delete(qr);
    // back to a savepoint: what was changed inside it is gone
    const depth = depthOf(qr);
    this.pending.set(
      qr,
      list.filter((p) => p.depth <= depth),
    );
  }
}
