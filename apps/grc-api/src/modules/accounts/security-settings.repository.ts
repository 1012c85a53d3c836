import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SecuritySettings } from '@grc/domain';

interface Row {
  second_factor_required_for_admins: boolean;
  idle_timeout_minutes: number;
  session_lifetime_hours: number;
  persistent_cookie: boolean;
  version: number;
}

const toSettings = (r: Row): SecuritySettings => ({
  secondFactorRequiredForAdmins: r.second_factor_required_for_admins,
  idleTimeoutMinutes: r.idle_timeout_minutes,
  sessionLifetimeHours: r.session_lifetime_hours,
  persistentCookie: r.persistent_cookie,
  version: r.version,
});

/** Every query on `security_settings` (one row; the per-request session lookup reads it in its own query). */
@Injectable()
export class SecuritySettingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(m: EntityManager = this.db.manager, lock = false): Promise<SecuritySettings> {
    const rows: Row[] = await m.query(`SELECT * FROM security_settings WHERE id = 1${lock ? ' FOR UPDATE' : ''}`);
    // the migration writes the row; should someone delete it, the defaults apply
    return rows[0]
      ? toSettings(rows[0])
      : { secondFactorRequiredForAdmins: false, idleTimeoutMinutes: 120, sessionLifetimeHours: 12, persistentCookie: true, version: 0 };
  }

  async update(s: Omit<SecuritySettings, 'version'>, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO security_settings (id, second_factor_required_for_admins, idle_timeout_minutes, session_lifetime_hours, persistent_cookie)
       VALUES (1, $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET second_factor_required_for_admins = $1, idle_timeout_minutes = $2, session_lifetime_hours = $3,
         persistent_cookie = $4, updated_at = now(), version = security_settings.version + 1`,
      [s.secondFactorRequiredForAdmins, s.idleTimeoutMinutes, s.sessionLifetimeHours, s.persistentCookie],
    );
  }
}
