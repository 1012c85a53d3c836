import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Channel, RequesterKind } from '@grc/domain';

@Entity('citizens')
export class CitizenEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar' }) kind!: RequesterKind;
  @Column({ name: 'first_name', type: 'varchar', nullable: true }) firstName!: string | null;
  @Column({ name: 'last_name', type: 'varchar', nullable: true }) lastName!: string | null;
  @Column({ name: 'organisation_name', type: 'varchar', nullable: true }) organisationName!: string | null;
  @Column({ name: 'contact_person', type: 'varchar', nullable: true }) contactPerson!: string | null;
  @Column({ type: 'varchar', nullable: true }) email!: string | null;
  @Column({ type: 'varchar', nullable: true }) phone!: string | null;
  @Column({ type: 'varchar', nullable: true }) address!: string | null;
  @Column({ type: 'varchar', nullable: true }) postcode!: string | null;
  @Column({ type: 'varchar', nullable: true }) city!: string | null;
  @Column({ name: 'preferred_channel', type: 'varchar', nullable: true }) preferredChannel!: Channel | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @VersionColumn() version!: number;
}
