import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { Polygon } from '@grc/domain';

@Entity('routing_rules')
export class RoutingRuleEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'category_id', type: 'uuid' }) categoryId!: string;
  @Column({ name: 'department_id', type: 'uuid' }) departmentId!: string;
  @Column({ name: 'area_name', type: 'varchar', nullable: true }) areaName!: string | null;
  @Column({ type: 'jsonb', nullable: true }) area!: Polygon | null;
  @Column({ type: 'int' }) position!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @VersionColumn() version!: number;
}
