import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A commune's citizens and agents file requests in their commune's categories and in their métropole's shared
 * services' (issue 15): a category of the métropole whose default department is shared (« Bac de collecte abîmé »,
 * to the collecte) is offered on each member commune's public form, Open311 services and new-request form; the
 * request is the commune's, routed to the shared service. A commune's connection reads those categories and their
 * fields, read-only (like `departments_metropole`, migration 1763800002000); never another commune's own
 * categories. Reversible.
 */
const METROPOLE_SHARED = (t: string) =>
  `${t}.commune_id = (SELECT grc_metropole()) AND EXISTS (SELECT 1 FROM departments d WHERE d.id = ${t}.default_department_id AND d.shared)`;

export class MetropoleSharedCategories1763800002520 implements MigrationInterface {
  name = 'MetropoleSharedCategories1763800002520';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`CREATE POLICY categories_metropole ON categories FOR SELECT USING (${METROPOLE_SHARED('categories')})`);
    await q.query(`CREATE POLICY category_attributes_metropole ON category_attributes FOR SELECT
      USING (commune_id = (SELECT grc_metropole())
        AND EXISTS (SELECT 1 FROM categories c WHERE c.id = category_attributes.category_id AND ${METROPOLE_SHARED('c')}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS category_attributes_metropole ON category_attributes`);
    await q.query(`DROP POLICY IF EXISTS categories_metropole ON categories`);
  }
}
