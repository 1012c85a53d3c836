import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Role } from '@grc/domain';
import { DepartmentEntity } from './department.entity';

@Entity('agents')
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** always stored lower-case */
  @Column() email!: string;
  @Column({ name: 'display_name' }) displayName!: string;
  @Column({ name: 'password_hash', select: false }) passwordHash!: string;
  @Column({ type: 'varchar' }) role!: Role;
  @Column({ type: 'varchar' }) locale!: 'fr' | 'en';
  @Column() active!: boolean;
  @ManyToMany(() => DepartmentEntity)
  @JoinTable({ name: 'agent_departments', joinColumn: { name: 'agent_id' }, inverseJoinColumn: { name: 'department_id' } })
  departments!: DepartmentEntity[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @VersionColumn() version!: number;
}
