import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Category fields end to end (issue 13): a field's English label and a number field's range. A choice's
 * English label lives in its `values` item (`nameEn`).
 */
export class CategoryFields1763800001800 implements MigrationInterface {
  name = 'CategoryFields1763800001800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE category_attributes
      ADD COLUMN description_en varchar(1000),
      ADD COLUMN min numeric,
      ADD COLUMN max numeric,
      ADD CONSTRAINT category_attributes_range CHECK (min IS NULL OR max IS NULL OR min <= max)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE category_attributes DROP CONSTRAINT IF EXISTS category_attributes_range,
      DROP COLUMN IF EXISTS max, DROP COLUMN IF EXISTS min, DROP COLUMN IF EXISTS description_en`);
  }
}
