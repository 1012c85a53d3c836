import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PUBLIC_TEXT_KEYS, type CommuneMember, type CommuneView, type PublicTexts } from '@grc/domain';
import { conflict, forbidden, notFound } from '../../common/problem';
import { withCommune } from '../../database/tenancy';
import { invalidatePublicCommunes } from '../public/public-commune';
import { AuditService, auditActor, type Changes } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { staleVersion } from '../reference/departments.service';
import { TownSettingsRepository, type TownSettingsRow } from '../town/town-settings.repository';
import type { CreateCommuneDto, UpdateCommuneDto } from './communes.dto';
import { CommunesRepository, type CommuneRow, type MemberRow } from './communes.repository';

const memberView = (r: MemberRow): CommuneMember => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  active: r.active,
});

const textsOf = (raw: Record<string, string> | undefined): PublicTexts =>
  Object.fromEntries(PUBLIC_TEXT_KEYS.map((k) => [k, typeof raw?.[k] === 'string' ? raw[k] : ''])) as PublicTexts;

/** a new commune's reference prefix (2 to 6 capitals): the initials of its code's words, else its first letters */
export function prefixOf(code: string): string {
  const letters = (s: string) => s.toUpperCase().replace(/[^A-Z]/g, '');
  const initials = letters(
    code
      .split('-')
      .map((w) => w[0] ?? '')
      .join(''),
  );
  if (initials.length >= 2) return initials.slice(0, 6);
  const first = letters(code).slice(0, 3);
  return first.length >= 2 ? first : 'GRC';
}

const codeTaken = () =>
  conflict('Une commune a déjà ce code.', [{ field: 'code', message: 'Une commune a déjà ce code.', code: 'commune_code_taken' }]);
const hostTaken = () =>
  conflict('Une autre commune a déjà ce nom d’hôte.', [
    { field: 'publicHost', message: 'Une autre commune a déjà ce nom d’hôte.', code: 'public_host_taken' },
  ]);

/**
 * The communes of a métropole (Administration › Communes): listed, created as its members, renamed, given their own
 * public host and public texts. Only an administrator whose session works for a métropole: the install has no
 * administrator of its own. Each write is one transaction as the commune concerned (its `town_settings` are its
 * own, under row-level security; `communes` is shared), audited there — its administrators and DPO read it.
 */
@Injectable()
export class CommunesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: CommunesRepository,
    private readonly town: TownSettingsRepository,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Actor): Promise<CommuneView[]> {
    const metropole = await this.metropoleOf(actor);
    const family = await this.rows.family(metropole.id);
    const views: CommuneView[] = [];
    for (const c of family) views.push(await withCommune(c.id, async () => this.view(c, await this.town.find())));
    return views;
  }

  async create(actor: Actor, input: CreateCommuneDto): Promise<CommuneView> {
    const metropole = await this.metropoleOf(actor);
    const settings = await this.town.get();
    const id = randomUUID();
    const name = input.name.trim();
    const texts = textsOf(input.publicTexts as unknown as Record<string, string> | undefined);
    return withCommune(id, () =>
      this.db.transaction(async (m) => {
        if (await this.rows.codeTaken(input.code, m)) throw codeTaken();
        if (input.publicHost && (await this.rows.hostTaken(input.publicHost, null, m))) throw hostTaken();
        await this.rows.insert(m, { id, code: input.code, name, publicHost: input.publicHost, metropoleId: metropole.id });
        await this.town.save(m, {
          code: input.code,
          name,
          timezone: settings?.timezone ?? 'Europe/Paris',
          locale: settings?.locale ?? 'fr',
          referencePrefix: prefixOf(input.code),
        });
        await this.town.updateIdentity(m, { name, publicTexts: texts }, actor.agent.id);
        const changes: Changes = {
          code: { before: null, after: input.code },
          name: { before: null, after: name },
          publicHost: { before: null, after: input.publicHost },
          metropole: { before: null, after: metropole.code },
        };
        await this.audit.record(m, auditActor(actor), 'commune.create', 'commune', id, changes);
        invalidatePublicCommunes();
        return this.view((await this.rows.find(id, m))!, await this.town.find(m));
      }),
    );
  }

  async update(actor: Actor, id: string, input: UpdateCommuneDto): Promise<CommuneView> {
    const metropole = await this.metropoleOf(actor);
    const target = await this.rows.find(id);
    if (!target || (target.id !== metropole.id && target.parent_id !== metropole.id)) throw notFound('Commune');
    const name = input.name.trim();
    const texts = textsOf(input.publicTexts as unknown as Record<string, string>);
    return withCommune(id, () =>
      this.db.transaction(async (m) => {
        const before = (await this.rows.find(id, m, true))!;
        const settings = await this.town.find(m, true);
        if ((settings?.version ?? 0) !== input.version) throw staleVersion('cette commune');
        if (input.publicHost && (await this.rows.hostTaken(input.publicHost, id, m))) throw hostTaken();
        const changes: Changes = {};
        if (before.name !== name) changes['name'] = { before: before.name, after: name };
        if (before.public_host !== input.publicHost) changes['publicHost'] = { before: before.public_host, after: input.publicHost };
        const was = textsOf(settings?.publicTexts);
        for (const k of PUBLIC_TEXT_KEYS) if (was[k] !== texts[k]) changes[`publicTexts.${k}`] = { before: was[k], after: texts[k] };
        if (Object.keys(changes).length === 0) return this.view(before, settings);
        await this.rows.update(m, id, { name, publicHost: input.publicHost });
        if (!settings)
          await this.town.save(m, {
            code: before.code,
            name,
            timezone: 'Europe/Paris',
            locale: 'fr',
            referencePrefix: prefixOf(before.code),
          });
        await this.town.updateIdentity(m, { name, publicTexts: texts }, actor.agent.id);
        await this.audit.record(m, auditActor(actor), 'commune.update', 'commune', id, changes);
        invalidatePublicCommunes();
        return this.view((await this.rows.find(id, m))!, await this.town.find(m));
      }),
    );
  }

  /** The agents who work for one of the métropole's communes (or the métropole). */
  async members(actor: Actor, id: string): Promise<CommuneMember[]> {
    const { target } = await this.familyCommune(actor, id);
    return (await this.rows.members(target.id)).map(memberView);
  }

  /**
   * Makes an agent of the métropole's family (a member of the métropole or of one of its communes) a member of one
   * of its communes: they may then switch their session to it. Audited in the commune, which its administrators read.
   */
  async addMember(actor: Actor, id: string, agentId: string): Promise<CommuneMember[]> {
    const { target, family } = await this.familyCommune(actor, id);
    await withCommune(target.id, () =>
      this.db.transaction(async (m) => {
        const agent = await this.rows.lockAgentOf(
          m,
          agentId,
          family.map((c) => c.id),
        );
        if (!agent) throw notFound('Agent');
        if (await this.rows.addMember(m, target.id, agent.id))
          await this.audit.record(m, auditActor(actor), 'commune.member_add', 'commune', target.id, {
            member: { before: null, after: agent.email },
          });
      }),
    );
    return (await this.rows.members(target.id)).map(memberView);
  }

  /**
   * Ends an agent's membership of one of the métropole's communes. Refused for the agent's last commune (an agent
   * of no commune would fall back to the install's default one: deactivate the account instead) and for the caller's
   * own membership of the métropole (they would lose this screen).
   */
  async removeMember(actor: Actor, id: string, agentId: string): Promise<CommuneMember[]> {
    const { target, metropole } = await this.familyCommune(actor, id);
    if (agentId === actor.agent.id && target.id === metropole.id)
      throw conflict('Vous ne pouvez pas vous retirer de la métropole depuis laquelle vous administrez.', [
        { field: 'agentId', message: 'Vous ne pouvez pas vous retirer de la métropole.', code: 'self_lockout' },
      ]);
    await withCommune(target.id, () =>
      this.db.transaction(async (m) => {
        const agent = await this.rows.lockAgentOf(m, agentId, [target.id]);
        if (!agent) throw notFound('Agent');
        if ((await this.rows.membershipCount(m, agent.id)) <= 1)
          throw conflict('C’est la seule commune de cet agent : désactivez plutôt son compte.', [
            { field: 'agentId', message: 'Seule commune de cet agent.', code: 'member_last_commune' },
          ]);
        await this.rows.removeMember(m, target.id, agent.id);
        await this.audit.record(m, auditActor(actor), 'commune.member_remove', 'commune', target.id, {
          member: { before: agent.email, after: null },
        });
      }),
    );
    return (await this.rows.members(target.id)).map(memberView);
  }

  /** Commune `id` if it is the caller's métropole or one of its communes (404 otherwise), with the family. */
  private async familyCommune(actor: Actor, id: string): Promise<{ metropole: CommuneRow; target: CommuneRow; family: CommuneRow[] }> {
    const metropole = await this.metropoleOf(actor);
    const family = await this.rows.family(metropole.id);
    const target = family.find((c) => c.id === id);
    if (!target) throw notFound('Commune');
    return { metropole, target, family };
  }

  /** The session's commune when it is a métropole; else 403 (a commune's administrator manages its own settings only). */
  private async metropoleOf(actor: Actor): Promise<CommuneRow> {
    const id = actor.agent.communeId;
    const c = id ? await this.rows.find(id) : null;
    if (!c || c.kind !== 'metropole')
      throw forbidden('Les communes se gèrent depuis la métropole : connectez-vous en tant que la métropole.').withCode(
        'communes_metropole_only',
      );
    return c;
  }

  private view(c: CommuneRow, settings: TownSettingsRow | null): CommuneView {
    return {
      id: c.id,
      code: c.code,
      name: c.name,
      kind: c.kind,
      parentId: c.parent_id,
      isDefault: c.is_default,
      publicHost: c.public_host,
      publicPath: `/c/${c.code}/demande`,
      publicTexts: textsOf(settings?.publicTexts),
      version: settings?.version ?? 0,
    };
  }
}
