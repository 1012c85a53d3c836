import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who did or saw what, when: `changes` maps each changed field to {before, after}. */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' }) id!: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at!: Date;
  @Column({ name: 'actor_id', type: 'uuid', nullable: true }) actorId!: string | null;
  @Column({ name: 'actor_label' }) actorLabel!: string;
  @Column() action!: string;
  @Column({ name: 'entity_type' }) entityType!: string;
  @Column({ name: 'entity_id' }) entityId!: string;
  @Column({ type: 'jsonb' }) changes!: Record<string, { before: unknown; after: unknown }>;
  @Column({ type: 'varchar', nullable: true }) ip!: string | null;
}
