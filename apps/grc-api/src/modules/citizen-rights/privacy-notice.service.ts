import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  defaultPrivacySettings,
  privacyNotice,
  validatePrivacySettings,
  type PrivacyNotice,
  type PrivacySettings,
  type PrivacySettingsInput,
} from '@grc/domain';
import { badRequest, conflict, stale } from '../../common/problem';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import { actorId, type Actor } from '../auth/authenticated-agent';
import { CitizenRightsRepository } from './citizen-rights.repository';
import { PrivacySettingsRepository } from './privacy-settings.repository';

const FIELDS: Array<keyof PrivacySettingsInput> = [
  'controllerName',
  'controllerAddress',
  'controllerEmail',
  'dpoName',
  'dpoEmail',
  'dpoAddress',
  'purposes',
  'legalBasis',
  'authorityName',
  'authorityAddress',
  'authorityUrl',
];

/**
 * The town's privacy settings and the information notice (art. 13) made from them. The notice is data
 * (codes and parameters): the public pages word it in French or English.
 */
@Injectable()
export class PrivacyNoticeService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: PrivacySettingsRepository,
    private readonly rights: CitizenRightsRepository,
    private readonly audit: AuditService,
  ) {}

  async get(m?: EntityManager): Promise<PrivacySettings> {
    return (await this.settings.find(m)) ?? defaultPrivacySettings(await this.settings.townName(m));
  }

  async notice(m?: EntityManager): Promise<PrivacyNotice> {
    // the retention rules (modules/anonymisation's retention_rules): per active category, its own or the town's default;
    // none at all: null, and the notice says the periods are given by the DPO (never a made-up figure)
    const rules = await this.rights.noticeRetention(m);
    const retention = rules.length
      ? rules.map((r) => ({ categoryCode: r.code, nameFr: r.name_fr, nameEn: r.name_en, months: r.months, outcome: r.action }))
      : null;
    return privacyNotice(await this.settings.townName(m), await this.get(m), retention);
  }

  update(actor: Actor, input: PrivacySettingsInput & { version: number }): Promise<PrivacySettings> {
    const { version, ...fields } = input;
    const checked = validatePrivacySettings(fields);
    if (!checked.ok) {
      throw badRequest(
        checked.errors.length === 1 ? checked.errors[0]!.message : `${checked.errors.length} champs sont invalides.`,
        checked.errors,
      );
    }
    return this.db.transaction(async (m) => {
      const before = await this.settings.find(m, true);
      if ((before?.version ?? 0) !== version) {
        throw stale("Ces réglages ont été modifiés par quelqu'un d'autre entre-temps. Rechargez-les avant de recommencer.", [
          { field: 'version', message: 'Version périmée', code: 'stale_version' },
        ]);
      }
      const saved = await this.settings.save(checked.value, actorId(actor), m);
      await this.audit.record(m, auditActor(actor), 'privacy.settings.update', 'privacy_settings', '1', diff(before, saved, FIELDS));
      return saved;
    });
  }
}
