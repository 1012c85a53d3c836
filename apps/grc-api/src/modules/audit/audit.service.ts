import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { actorId, type Actor } from '../auth/authenticated-agent';

export type Changes = Record<string, { before: unknown; after: unknown }>;
export interface AuditActor { actorId: string | null; actorLabel: string; ip: string | null }

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

/**
 * Writes audit events with the caller's EntityManager, so that the event commits or rolls back
 * together with the change it describes.
 */
@Injectable()
export class AuditService {
  async record(manager: EntityManager, actor: AuditActor, action: string, entityType: string, entityId: string, changes: Changes): Promise<void> {
    await manager.query(
      `INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [actor.actorId, actor.actorLabel, action, entityType, entityId, JSON.stringify(changes), actor.ip],
    );
  }
}
