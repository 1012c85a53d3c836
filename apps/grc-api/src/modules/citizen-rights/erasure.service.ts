import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  OPEN_STATUSES,
  erasureOf,
  mergeCitizens,
  retentionRuleFor,
  type CitizenFields,
  type ErasureResult,
  type MergeResult,
  type TicketStatus,
} from '@grc/domain';
import { badRequest, conflict, stale, notFound } from '../../common/problem';
import { AnonymisationService, type AnonymisationResult } from '../anonymisation/anonymisation.service';
import { AuditService, auditActor, diff } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CITIZEN_FIELDS, toCitizen } from '../citizens/citizens.service';
import { TicketsService } from '../tickets/tickets.service';
import { CitizenRightsRepository } from './citizen-rights.repository';

/**
 * Erasure (art. 17) and merge of a person's records, for holders of `rgpd`. Erasure reuses the anonymisation
 * engine (modules/anonymisation): every request anonymised and kept, or deleted, as its category's retention
 * rule says, then the record anonymised; refused while requests are open unless forced; always with a reason. A merge
 * moves the other record's requests to the kept one through TicketsService, combines the contacts (the pure
 * rule `mergeCitizens`), deletes the other record; both records' audit trails stay. Everything audited.
 */
@Injectable()
export class ErasureService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rights: CitizenRightsRepository,
    private readonly anonymisation: AnonymisationService,
    private readonly tickets: TicketsService,
    private readonly audit: AuditService,
  ) {}

  async erase(actor: Actor, citizenId: string, opts: { force?: boolean; reason?: string | null }): Promise<ErasureResult> {
    const reason = opts.reason?.trim() || null;
    // an erasure is irreversible: its ground (the person's written request, a legal duty's end…) is always
    // recorded, so that the DPO can answer for it (RGPD art. 5.2, accountability)
    if (!reason) {
      throw badRequest('Indiquez le motif de l’effacement (par exemple la demande écrite de la personne et sa date).', [
        { field: 'reason', message: 'Motif obligatoire.', code: 'erasure.reason_required' },
      ]);
    }
    const who = auditActor(actor);
    let engine: AnonymisationResult[] = [];
    const result = await this.db.transaction(async (m) => {
      if (!(await this.rights.citizenExists(citizenId, m))) throw notFound('Citoyen');
      const requests = await this.rights.requestsForErasure(citizenId, m);
      const open = requests.filter((r) => OPEN_STATUSES.includes(r.status as TicketStatus));
      if (open.length && !opts.force) {
        throw conflict(
          `Cette personne a ${open.length} demande(s) en cours (${open.map((r) => r.reference).join(', ')}) : clôturez-les, ou forcez l’effacement en donnant un motif.`,
          [{ field: 'force', message: 'Demandes en cours', code: 'erasure.open_requests', params: { count: open.length } }],
        );
      }
      const rules = await this.rights.retentionRules(m);
      const planned = requests.map((r) => ({ ...r, ...erasureOf(retentionRuleFor(rules, r.category_id)?.action ?? null) }));
      const toDelete = planned.filter((r) => r.outcome === 'deleted').map((r) => r.id);
      const toKeep = planned.filter((r) => r.outcome === 'anonymised').map((r) => r.id);
      engine = [
        await this.anonymisation.deleteTicketsIn(m, who, toDelete),
        await this.anonymisation.anonymiseTicketsIn(m, who, toKeep),
        await this.anonymisation.anonymiseCitizenIn(m, who, citizenId),
      ];
      const out: ErasureResult = {
        citizenId,
        requests: planned.map((r) => ({ id: r.id, reference: r.reference, outcome: r.outcome, reason: r.reason })),
        forcedOpen: opts.force ? open.length : 0,
      };
      await this.audit.record(m, who, 'citizen.erase', 'citizen', citizenId, {
        anonymised: { before: null, after: toKeep.length },
        deleted: { before: null, after: toDelete.length },
        reason: { before: null, after: reason },
        ...(opts.force ? { forced: { before: null, after: open.length } } : {}),
      });
      return out;
    });
    for (const r of engine) await this.anonymisation.removeFiles(r);
    return result;
  }

  /** Merges `otherId` into `keptId` (versions of both as the agent read them), for a reason recorded in both trails. */
  merge(
    actor: Actor,
    keptId: string,
    opts: { otherId: string; version: number; otherVersion: number; reason?: string | null },
  ): Promise<MergeResult> {
    const { otherId, version: keptVersion, otherVersion } = opts;
    const reason = opts.reason?.trim() || null;
    if (!reason) {
      throw badRequest('Indiquez pourquoi ces deux fiches sont la même personne.', [
        { field: 'reason', message: 'Motif obligatoire.', code: 'merge.reason_required' },
      ]);
    }
    if (keptId === otherId) {
      throw badRequest('Choisissez une autre fiche que celle-ci.', [{ field: 'otherId', message: 'La même fiche.', code: 'merge.same' }]);
    }
    return this.db.transaction(async (m) => {
      const rows = await this.rights.lockPair(keptId, otherId, m);
      const kept = rows.get(keptId);
      const other = rows.get(otherId);
      if (!kept) throw notFound('Citoyen');
      if (!other)
        throw badRequest('La fiche à fusionner est introuvable.', [
          { field: 'otherId', message: 'Introuvable.', code: 'merge.other_unknown' },
        ]);
      const staleFields = [kept.version !== keptVersion ? 'version' : null, other.version !== otherVersion ? 'otherVersion' : null].filter(
        (f): f is string => !!f,
      );
      if (staleFields.length) {
        throw stale("Une des fiches a été modifiée par quelqu'un d'autre entre-temps. Rechargez-les avant de recommencer.", [
          ...staleFields.map((field) => ({ field, message: 'Version périmée', code: 'stale_version' })),
        ]);
      }
      const pick = (c: typeof kept): CitizenFields =>
        Object.fromEntries(CITIZEN_FIELDS.map((f) => [f, c[f] ?? null])) as unknown as CitizenFields;
      const merged = mergeCitizens(pick(kept), pick(other));
      const requests = (await this.rights.requestIdsOf(otherId, m)).map((r) => r.id);
      const moved = await this.tickets.moveRequesterIn(m, actor, requests, otherId, keptId);
      const who = auditActor(actor);
      // the other record goes; its history (audit trail on its id, the requests' timelines) stays
      await this.audit.record(m, who, 'citizen.merge', 'citizen', otherId, {
        mergedInto: { before: null, after: keptId },
        requests: { before: null, after: moved },
        reason: { before: null, after: reason },
      });
      await this.rights.deleteCitizen(otherId, m);
      const saved = await this.rights.saveCitizen(kept, merged.fields, m);
      await this.audit.record(m, who, 'citizen.merge', 'citizen', keptId, {
        ...diff<CitizenFields>(pick(kept), merged.fields, CITIZEN_FIELDS),
        mergedFrom: { before: null, after: otherId },
        requests: { before: null, after: moved },
        reason: { before: null, after: reason },
      });
      return { citizen: toCitizen(saved), mergedId: otherId, movedRequests: moved, filled: merged.filled, conflicts: merged.conflicts };
    });
  }
}
