import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('attachments')
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'ticket_id', type: 'uuid' }) ticketId!: string;
  @Column() filename!: string;
  @Column({ name: 'mime_type' }) mimeType!: string;
  @Column({ type: 'int' }) size!: number;
  @Column({ type: 'char', length: 64 }) sha256!: string;
  /** path relative to the data folder */
  @Column({ name: 'storage_key' }) storageKey!: string;
  @Column({ name: 'uploaded_by', type: 'uuid', nullable: true }) uploadedBy!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
