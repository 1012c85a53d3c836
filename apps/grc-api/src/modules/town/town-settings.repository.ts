import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** The town itself (the one row of `town_settings`). */
export interface TownSettings {
  code: string;
  name: string;
  timezone: string;
  locale: 'fr' | 'en';
  referencePrefix: string;
}

/**
 * The town's settings as sub-selects, for a statement that needs one of them in the same round trip
 * (ticket creation's reference, the outbox's context): the SQL on `town_settings` stays here, the
 * statement that embeds it stays one statement (and prepared).
 */
export const TOWN_SQL = {
  name: `(SELECT name FROM town_settings WHERE id = 1)`,
  locale: `(SELECT locale FROM town_settings WHERE id = 1)`,
  timezone: `(SELECT timezone FROM town_settings WHERE id = 1)`,
  referencePrefix: `(SELECT reference_prefix FROM town_settings WHERE id = 1)`,
} as const;

/** Every query on `town_settings` (public form and tracking page, e-mails, Open311, ticket references, the pack loader). */
@Injectable()
export class TownSettingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The town, or null before a pack was loaded. */
  async get(m: EntityManager = this.db.manager): Promise<TownSettings | null> {
    const [t]: Array<{ code: string; name: string; timezone: string; locale: 'fr' | 'en'; reference_prefix: string }> = await m.query(
      `SELECT code, name, timezone, locale, reference_prefix FROM town_settings WHERE id = 1`,
    );
    return t ? { code: t.code, name: t.name, timezone: t.timezone, locale: t.locale, referencePrefix: t.reference_prefix } : null;
  }

  /** The pack loader's write: the town's row, created or replaced. */
  async save(m: EntityManager, town: TownSettings): Promise<void> {
    await m.query(
      `INSERT INTO town_settings (id, code, name, timezone, locale, reference_prefix) VALUES (1, $1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, timezone = EXCLUDED.timezone,
         locale = EXCLUDED.locale, reference_prefix = EXCLUDED.reference_prefix, updated_at = now()`,
      [town.code, town.name, town.timezone, town.locale, town.referencePrefix],
    );
  }
}
