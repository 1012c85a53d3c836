import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Channel, TicketStatus } from '@grc/domain';

/**
 * A ticket row. `version` is bumped by hand in the guarded UPDATE (optimistic locking),
 * and `search_vector` is a generated column the entity never writes.
 */
@Entity('tickets')
export class TicketEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() reference!: string;
  @Column({ type: 'varchar' }) channel!: Channel;
  @Column({ name: 'category_id', type: 'uuid' }) categoryId!: string;
  @Column({ name: 'department_id', type: 'uuid' }) departmentId!: string;
  @Column({ name: 'assignee_id', type: 'uuid', nullable: true }) assigneeId!: string | null;
  @Column({ name: 'citizen_id', type: 'uuid', nullable: true }) citizenId!: string | null;
  @Column() subject!: string;
  @Column({ type: 'text' }) description!: string;
  @Column({ type: 'varchar', nullable: true }) address!: string | null;
  @Column({ type: 'double precision', nullable: true }) latitude!: number | null;
  @Column({ type: 'double precision', nullable: true }) longitude!: number | null;
  /** rank of the Priority (0 low … 3 urgent) */
  @Column({ type: 'smallint' }) priority!: number;
  @Column({ type: 'varchar' }) status!: TicketStatus;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'int' }) version!: number;
  /** the category's own fields: code → value (libs/domain category-fields) */
  @Column({ type: 'jsonb' }) attributes!: Record<string, unknown>;
  /** the ticket this one follows (duplicates), and the status it had when linked (restored on unlink) */
  @Column({ name: 'master_ticket_id', type: 'uuid', nullable: true }) masterTicketId!: string | null;
  @Column({ name: 'linked_from_status', type: 'varchar', nullable: true }) linkedFromStatus!: TicketStatus | null;
  /** the inbox's SLA summary, recomputed from ticket_sla by TicketsRepository.refreshSlaSummary */
  @Column({ name: 'sla_due_at', type: 'timestamptz', nullable: true }) slaDueAt!: Date | null;
  @Column({ name: 'sla_breached', type: 'boolean' }) slaBreached!: boolean;
}
