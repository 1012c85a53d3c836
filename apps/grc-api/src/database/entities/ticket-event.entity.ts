import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TimelineEventKind } from '@grc/domain';

/** One line of a ticket's timeline (messages, notes, assignments, transfers, status changes). */
@Entity('ticket_events')
export class TicketEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column({ name: 'ticket_id', type: 'uuid' }) ticketId!: string;
  @Column({ type: 'varchar' }) kind!: TimelineEventKind;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
  @Column({ type: 'text', nullable: true }) body!: string | null;
  @Column({ type: 'jsonb' }) data!: Record<string, unknown>;
}
