import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

@Entity('categories')
export class CategoryEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column() code!: string;
  @Column({ name: 'name_fr' }) nameFr!: string;
  @Column({ name: 'name_en' }) nameEn!: string;
  @Column({ name: 'default_department_id', type: 'uuid' }) defaultDepartmentId!: string;
  @Column() active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @VersionColumn() version!: number;
}
