import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import { actorId, type Actor, type AuthenticatedAgent } from '../auth/authenticated-agent';
import type { AuditEventView, AuditQueryDto } from './audit.dto';
import { AuditRepository, type AuditEventRow } from './audit.repository';

export type Changes = Record<string, { before: unknown; after: unknown }>;
export interface AuditActor {
  actorId: string | null;
  actorLabel: string;
  ip: string | null;
}

export const auditActor = (actor: Actor): AuditActor => ({ actorId: actorId(actor), actorLabel: actor.agent.email, ip: actor.ip });

/** The fields whose value differs between two snapshots, as {field: {before, after}}. */
export function diff<T extends object>(before: Partial<T> | null, after: Partial<T> | null, fields: Array<keyof T>): Changes {
  const out: Changes = {};
  for (const f of fields) {
    const b = before ? (before[f] ?? null) : null;
    const a = after ? (after[f] ?? null) : null;
    const norm = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
    if (JSON.stringify(norm(b)) !== JSON.stringify(norm(a))) out[String(f)] = { before: norm(b), after: norm(a) };
  }
  return out;
}

const toView = (r: AuditEventRow): AuditEventView => ({
  id: r.id,
  at: new Date(r.at).toISOString(),
  actorId: r.actor_id,
  actorLabel: r.actor_label,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  changes: r.changes,
  ip: r.ip,
});

/**
 * Writes audit events with the caller's EntityManager, so that the event commits or rolls back
 * together with the change it describes; reads one record's trail for the people allowed to.
 */
@Injectable()
export class AuditService {
  constructor(private readonly events: AuditRepository) {}

  async record(
    manager: EntityManager,
    actor: AuditActor,
    action: string,
    entityType: string,
    entityId: string,
    changes: Changes,
  ): Promise<void> {
    await this.events.insert({ ...actor, action, entityType, entityId, changes }, manager);
  }

  /** The same action on many records, one event each, in one statement (a retention batch). */
  async recordMany(
    manager: EntityManager,
    actor: AuditActor,
    action: string,
    entityType: string,
    entries: ReadonlyArray<{ entityId: string; changes: Changes }>,
  ): Promise<void> {
    await this.events.insertMany(actor, action, entityType, entries, manager);
  }

  /** Admins read every trail; heads (audit.read) only the trail of a ticket of a department they see (404 otherwise). */
  async trail(agent: AuthenticatedAgent, q: AuditQueryDto): Promise<AuditEventView[]> {
    if (agent.role !== 'admin') {
      if (q.entityType !== 'ticket') throw forbidden('Seuls les administrateurs consultent ce journal.');
      const departmentId = await this.events.ticketDepartment(q.entityId);
      if (departmentId === null || !agent.visibleDepartmentIds.includes(departmentId)) throw notFound('Demande');
    }
    return (await this.events.trail(q.entityType, q.entityId, q.limit ?? 100)).map(toView);
  }
}
