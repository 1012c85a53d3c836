import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { LOGO_MAX_BYTES, LOGO_TYPES, PUBLIC_TEXT_KEYS, type PublicTexts, type PublicTown, type TownSettingsView } from '@grc/domain';
import { invalidField, notFound } from '../../common/problem';
import { AuditService, auditActor, type Changes } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { PrivacySettingsRepository } from '../citizen-rights/privacy-settings.repository';
import { staleVersion } from '../reference/departments.service';
import { TownSettingsRepository, type TownSettingsRow } from './town-settings.repository';
import type { TownSettingsDto } from './town-settings.dto';

const isTimeZone = (tz: string): boolean => {
  try {
    return (
      new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone.length > 0 && /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(tz)
    );
  } catch {
    return false;
  }
};

/** The file's own first bytes say what it is; the declared type must agree. */
function logoOf(dataUrl: string): { bytes: Buffer; type: string } {
  const m = /^data:(image\/(?:png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  if (!m) throw invalidField('logo', 'Le logo doit être une image PNG, JPEG ou WebP.', 'logo_type');
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length > LOGO_MAX_BYTES) throw invalidField('logo', 'Le logo dépasse 256 Kio.', 'logo_too_large');
  const sniffed = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    ? 'image/png'
    : bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))
      ? 'image/jpeg'
      : bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP'
        ? 'image/webp'
        : null;
  if (sniffed !== m[1] || !(LOGO_TYPES as readonly string[]).includes(sniffed))
    throw invalidField('logo', "Le contenu du fichier n'est pas l'image annoncée.", 'logo_content');
  return { bytes, type: sniffed };
}

const dataUrl = (r: TownSettingsRow): string | null =>
  r.logo && r.logoType ? `data:${r.logoType};base64,${r.logo.toString('base64')}` : null;
const textsOf = (raw: Record<string, string>): PublicTexts =>
  Object.fromEntries(PUBLIC_TEXT_KEYS.map((k) => [k, typeof raw[k] === 'string' ? raw[k] : ''])) as PublicTexts;
const blankToNull = (s: string | null): string | null => (s === null || s.trim() === '' ? null : s.trim());

/** The town's own settings (Administration › Commune): read, changed with optimistic locking, audited. */
@Injectable()
export class TownSettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly town: TownSettingsRepository,
    private readonly privacy: PrivacySettingsRepository,
    private readonly audit: AuditService,
  ) {}

  async get(): Promise<TownSettingsView> {
    const row = await this.town.find();
    if (!row) throw notFound('Commune');
    return this.view(row);
  }

  async update(actor: Actor, input: TownSettingsDto): Promise<TownSettingsView> {
    if (!isTimeZone(input.timezone))
      throw invalidField('timezone', 'Fuseau horaire inconnu (par exemple Europe/Paris).', 'timezone_unknown');
    const logo = input.logo === undefined ? undefined : input.logo === null ? null : logoOf(input.logo);
    const next = {
      name: input.name.trim(),
      timezone: input.timezone,
      locale: input.locale,
      referencePrefix: input.referencePrefix,
      publicTexts: textsOf(input.publicTexts as unknown as Record<string, string>),
      senderAddress: blankToNull(input.senderAddress)?.toLowerCase() ?? null,
      senderName: blankToNull(input.senderName),
    };
    if (!next.name) throw invalidField('name', 'Le nom de la commune est obligatoire.', 'required');
    return this.db.transaction(async (m) => {
      const before = await this.town.find(m, true);
      if (!before) throw notFound('Commune');
      if (before.version !== input.version) throw staleVersion('les réglages de la commune');
      const changes: Changes = {};
      const was = { ...before, publicTexts: textsOf(before.publicTexts) };
      for (const k of ['name', 'timezone', 'locale', 'referencePrefix', 'senderAddress', 'senderName'] as const)
        if (was[k] !== next[k]) changes[k] = { before: was[k], after: next[k] };
      for (const k of PUBLIC_TEXT_KEYS)
        if (was.publicTexts[k] !== next.publicTexts[k])
          changes[`publicTexts.${k}`] = { before: was.publicTexts[k], after: next.publicTexts[k] };
      if (logo !== undefined && !(logo === null ? before.logo === null : before.logo?.equals(logo.bytes)))
        changes['logo'] = {
          before: before.logo ? `${before.logoType}, ${before.logo.length} o` : null,
          after: logo ? `${logo.type}, ${logo.bytes.length} o` : null,
        };
      if (Object.keys(changes).length === 0) return this.view(before, m);
      await this.town.update(m, { ...next, ...(logo === undefined ? {} : { logo }) }, actor.agent.id);
      await this.audit.record(m, auditActor(actor), 'town.update', 'town', before.code, changes);
      return this.view((await this.town.find(m))!, m);
    });
  }

  /** The public pages' view of the town. */
  async publicTown(): Promise<PublicTown> {
    const t = await this.town.publicView();
    return { name: t?.name ?? 'Mairie', hasLogo: t?.hasLogo ?? false, texts: textsOf(t?.texts ?? {}) };
  }

  async logo(): Promise<{ bytes: Buffer; type: string; version: number }> {
    const logo = await this.town.logo();
    if (!logo) throw notFound('Logo');
    return logo;
  }

  private async view(r: TownSettingsRow, m?: EntityManager): Promise<TownSettingsView> {
    const p = await this.privacy.find(m);
    return {
      code: r.code,
      name: r.name,
      timezone: r.timezone,
      locale: r.locale,
      referencePrefix: r.referencePrefix,
      logo: dataUrl(r),
      publicTexts: textsOf(r.publicTexts),
      senderAddress: r.senderAddress,
      senderName: r.senderName,
      dpo: { name: p?.dpoName ?? null, email: p?.dpoEmail ?? null, address: p?.dpoAddress ?? null },
      version: r.version,
    };
  }
}
