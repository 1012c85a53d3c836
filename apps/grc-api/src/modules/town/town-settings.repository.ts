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

/** Everything the settings screen edits (TownSettings plus the logo's presence, public texts, sender, version). */
export interface TownSettingsRow extends TownSettings {
  logo: Buffer | null;
  logoType: string | null;
  publicTexts: Record<string, string>;
  senderAddress: string | null;
  senderName: string | null;
  version: number;
}

/** The screen's write (code is the pack's and stays; `logo` undefined keeps the current one). */
export interface TownSettingsWrite {
  name: string;
  timezone: string;
  locale: 'fr' | 'en';
  referencePrefix: string;
  logo?: { bytes: Buffer; type: string } | null;
  publicTexts: Record<string, string>;
  senderAddress: string | null;
  senderName: string | null;
}

interface FullRow {
  code: string;
  name: string;
  timezone: string;
  locale: 'fr' | 'en';
  reference_prefix: string;
  logo: Buffer | null;
  logo_type: string | null;
  public_texts: Record<string, string>;
  sender_address: string | null;
  sender_name: string | null;
  version: number;
}

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

  /** The whole row (the settings screen), locked for update when asked; null before a pack was loaded. */
  async find(m: EntityManager = this.db.manager, lock = false): Promise<TownSettingsRow | null> {
    const [r]: FullRow[] = await m.query(
      `SELECT code, name, timezone, locale, reference_prefix, logo, logo_type, public_texts, sender_address, sender_name, version
       FROM town_settings WHERE id = 1${lock ? ' FOR UPDATE' : ''}`,
    );
    return r
      ? {
          code: r.code,
          name: r.name,
          timezone: r.timezone,
          locale: r.locale,
          referencePrefix: r.reference_prefix,
          logo: r.logo,
          logoType: r.logo_type,
          publicTexts: r.public_texts ?? {},
          senderAddress: r.sender_address,
          senderName: r.sender_name,
          version: r.version,
        }
      : null;
  }

  /** The screen's write: the row updated, its version bumped. */
  async update(m: EntityManager, w: TownSettingsWrite, by: string | null): Promise<void> {
    const keepLogo = w.logo === undefined;
    await m.query(
      `UPDATE town_settings SET name = $1, timezone = $2, locale = $3, reference_prefix = $4,
         logo = CASE WHEN $5 THEN logo ELSE $6::bytea END, logo_type = CASE WHEN $5 THEN logo_type ELSE $7 END,
         public_texts = $8::jsonb, sender_address = $9, sender_name = $10, updated_by = $11, updated_at = now(), version = version + 1
       WHERE id = 1`,
      [
        w.name,
        w.timezone,
        w.locale,
        w.referencePrefix,
        keepLogo,
        w.logo?.bytes ?? null,
        w.logo?.type ?? null,
        JSON.stringify(w.publicTexts),
        w.senderAddress,
        w.senderName,
        by,
      ],
    );
  }

  /** The communes screen's write (a métropole's administrator, as the commune): its name and public texts, version bumped. */
  async updateIdentity(m: EntityManager, w: { name: string; publicTexts: Record<string, string> }, by: string | null): Promise<void> {
    await m.query(
      `UPDATE town_settings SET name = $1, public_texts = $2::jsonb, updated_by = $3, updated_at = now(), version = version + 1 WHERE id = 1`,
      [w.name, JSON.stringify(w.publicTexts), by],
    );
  }

  /** The logo's bytes for the public pages, or null. */
  async logo(m: EntityManager = this.db.manager): Promise<{ bytes: Buffer; type: string; version: number } | null> {
    const [r]: Array<{ logo: Buffer | null; logo_type: string | null; version: number }> = await m.query(
      `SELECT logo, logo_type, version FROM town_settings WHERE id = 1`,
    );
    return r?.logo && r.logo_type ? { bytes: r.logo, type: r.logo_type, version: r.version } : null;
  }

  /** The public pages' view: name, texts, whether there is a logo. */
  async publicView(m: EntityManager = this.db.manager): Promise<{ name: string; hasLogo: boolean; texts: Record<string, string> } | null> {
    const [r]: Array<{ name: string; has_logo: boolean; public_texts: Record<string, string> }> = await m.query(
      `SELECT name, logo IS NOT NULL AS has_logo, public_texts FROM town_settings WHERE id = 1`,
    );
    return r ? { name: r.name, hasLogo: r.has_logo, texts: r.public_texts ?? {} } : null;
  }

  /** The sender the outbox writes From with (null: MAIL_FROM). */
  async sender(m: EntityManager = this.db.manager): Promise<{ address: string; name: string } | null> {
    const [r]: Array<{ sender_address: string | null; sender_name: string | null; name: string }> = await m.query(
      `SELECT sender_address, sender_name, name FROM town_settings WHERE id = 1`,
    );
    return r?.sender_address ? { address: r.sender_address, name: r.sender_name ?? r.name } : null;
  }

  /**
   * A pack's optional settings of the town (town.yaml's publicTexts, sender): written only when the pack
   * names them, the version bumped (an open settings screen then reloads).
   */
  async savePackSettings(
    m: EntityManager,
    s: { publicTexts?: Record<string, string>; sender?: { address: string; name?: string } },
  ): Promise<void> {
    if (s.publicTexts === undefined && s.sender === undefined) return;
    await m.query(
      `UPDATE town_settings SET
         public_texts = CASE WHEN $1 THEN $2::jsonb ELSE public_texts END,
         sender_address = CASE WHEN $3 THEN $4 ELSE sender_address END,
         sender_name = CASE WHEN $3 THEN $5 ELSE sender_name END,
         updated_at = now(), version = version + 1
       WHERE id = 1`,
      [
        s.publicTexts !== undefined,
        JSON.stringify(Object.fromEntries(Object.entries(s.publicTexts ?? {}).filter(([, v]) => v))),
        s.sender !== undefined,
        s.sender?.address ?? null,
        s.sender?.name ?? null,
      ],
    );
  }

  /** The pack loader's write: the town's row, created or replaced. */
  async save(m: EntityManager, town: TownSettings): Promise<void> {
    await m.query(
      `INSERT INTO town_settings (id, code, name, timezone, locale, reference_prefix) VALUES (1, $1, $2, $3, $4, $5)
       ON CONFLICT (commune_id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, timezone = EXCLUDED.timezone,
         locale = EXCLUDED.locale, reference_prefix = EXCLUDED.reference_prefix, updated_at = now()`,
      [town.code, town.name, town.timezone, town.locale, town.referencePrefix],
    );
  }
}
