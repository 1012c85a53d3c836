import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A login session; the cookie holds a random token, the table only its SHA-256. */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64 }) tokenHash!: string;
  @Column({ name: 'agent_id', type: 'uuid' }) agentId!: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ type: 'varchar', nullable: true }) ip!: string | null;
  @Column({ name: 'user_agent', type: 'varchar', nullable: true }) userAgent!: string | null;
}
