import { preparedQuery } from '../../common/prepared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CategoryField, FieldChoice, FieldDatatype } from '@grc/domain';

const COLUMNS = `a.category_id, a.code, a.datatype, a.variable, a.required, a.description, a.description_en,
  a.datatype_description, a."order", a."values", a.min, a.max`;

const toNumber = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toField(r: Record<string, unknown>): CategoryField {
  const values = Array.isArray(r['values']) ? (r['values'] as Array<Record<string, unknown>>) : [];
  return {
    code: r['code'] as string,
    datatype: r['datatype'] as FieldDatatype,
    variable: r['variable'] as boolean,
    required: r['required'] as boolean,
    description: r['description'] as string,
    descriptionEn: (r['description_en'] as string | null) ?? null,
    datatypeDescription: (r['datatype_description'] as string | null) ?? null,
    order: r['order'] as number,
    values: values.map((v): FieldChoice => {
      const c: FieldChoice = { key: String(v['key']), name: String(v['name']) };
      if (typeof v['nameEn'] === 'string' && v['nameEn']) c.nameEn = v['nameEn'];
      return c;
    }),
    min: toNumber(r['min']),
    max: toNumber(r['max']),
  };
}

function group(rows: Array<Record<string, unknown>>, key: string): Map<string, CategoryField[]> {
  const out = new Map<string, CategoryField[]>();
  for (const r of rows) {
    const k = r[key] as string;
    out.set(k, [...(out.get(k) ?? []), toField(r)]);
  }
  return out;
}

/**
 * Every query on `category_attributes`, the categories' own fields (the Open311 attributes): read by the
 * categories' screens, the agent's and the public form, Open311, the ticket page and the town packs;
 * written by CategoriesService (the administrator) and the pack loader. Each method takes the caller's
 * EntityManager (optional).
 */
@Injectable()
export class CategoryFieldsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One category's fields, in their order. */
  async ofCategory(categoryId: string, m: EntityManager = this.db.manager): Promise<CategoryField[]> {
    // prepared: every agent's creation checks its fields (bench/intake.mjs)
    const rows = await preparedQuery<Record<string, unknown>>(
      m,
      `SELECT ${COLUMNS} FROM category_attributes a WHERE a.category_id = $1 ORDER BY a."order", a.code`,
      [categoryId],
    );
    return rows.map(toField);
  }

  /** The fields of every category (or of these), by category id, each list in its order. */
  async byCategory(m: EntityManager = this.db.manager, categoryIds?: readonly string[]): Promise<Map<string, CategoryField[]>> {
    const rows: Array<Record<string, unknown>> = categoryIds
      ? await m.query(`SELECT ${COLUMNS} FROM category_attributes a WHERE a.category_id = ANY($1::uuid[]) ORDER BY a."order", a.code`, [
          categoryIds,
        ])
      : await m.query(`SELECT ${COLUMNS} FROM category_attributes a ORDER BY a."order", a.code`);
    return group(rows, 'category_id');
  }

  /** The fields of every category, by category code (the pack export). */
  async byCategoryCode(m: EntityManager = this.db.manager): Promise<Map<string, CategoryField[]>> {
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT ${COLUMNS}, c.code AS category_code FROM category_attributes a JOIN categories c ON c.id = a.category_id
       ORDER BY a."order", a.code`,
    );
    return group(rows, 'category_code');
  }

  /** The ids of the categories that have fields (Open311's `metadata` flag). */
  async categoriesWithFields(m: EntityManager = this.db.manager): Promise<Set<string>> {
    const rows: Array<{ category_id: string }> = await m.query(`SELECT DISTINCT category_id FROM category_attributes`);
    return new Set(rows.map((r) => r.category_id));
  }

  /** Replaces a category's fields by these (the administrator saves the whole list). */
  async replace(categoryId: string, fields: readonly CategoryField[], m: EntityManager = this.db.manager): Promise<void> {
    await m.query(`DELETE FROM category_attributes WHERE category_id = $1`, [categoryId]);
    await this.insert(
      m,
      fields.map((field) => ({ categoryId, field })),
    );
  }

  /** Inserts fields, categories named by id. */
  private async insert(m: EntityManager, rows: ReadonlyArray<{ categoryId: string; field: CategoryField }>): Promise<void> {
    if (!rows.length) return;
    await m.query(
      `INSERT INTO category_attributes
         (category_id, code, datatype, variable, required, datatype_description, description, description_en, "order", "values", min, max)
       SELECT f.category_id, f.code, f.datatype, f.variable, f.required, f.dd, f.description, f.description_en, f.o, f.v::jsonb, f.min, f.max
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::boolean[], $6::text[], $7::text[], $8::text[], $9::int[],
                   $10::text[], $11::numeric[], $12::numeric[])
         AS f(category_id, code, datatype, variable, required, dd, description, description_en, o, v, min, max)`,
      [
        rows.map((x) => x.categoryId),
        rows.map((x) => x.field.code),
        rows.map((x) => x.field.datatype),
        rows.map((x) => x.field.variable),
        rows.map((x) => x.field.required),
        rows.map((x) => x.field.datatypeDescription),
        rows.map((x) => x.field.description),
        rows.map((x) => x.field.descriptionEn),
        rows.map((x) => x.field.order),
        rows.map((x) => JSON.stringify(x.field.values)),
        rows.map((x) => x.field.min),
        rows.map((x) => x.field.max),
      ],
    );
  }

  /** Inserts fields, categories named by code (the pack loader). */
  async insertByCategoryCode(m: EntityManager, rows: ReadonlyArray<{ category: string; field: CategoryField }>): Promise<void> {
    if (!rows.length) return;
    const codes = [...new Set(rows.map((r) => r.category))];
    const ids: Array<{ id: string; code: string }> = await m.query(
      `SELECT id, code FROM categories WHERE code = ANY($1::text[]) AND commune_id = grc_commune()`,
      [codes],
    );
    const byCode = new Map(ids.map((r) => [r.code, r.id]));
    await this.insert(
      m,
      rows.filter((r) => byCode.has(r.category)).map((r) => ({ categoryId: byCode.get(r.category)!, field: r.field })),
    );
  }

  /** Removes the fields of these categories, named by code (a pack import writes its own instead). */
  async clearForCategoryCodes(m: EntityManager, categoryCodes: readonly string[]): Promise<void> {
    await m.query(`DELETE FROM category_attributes WHERE category_id IN (SELECT id FROM categories WHERE code = ANY($1::text[]))`, [
      categoryCodes,
    ]);
  }
}
