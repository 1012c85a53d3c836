import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { forbidden, notFound } from '../../common/problem';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { CurrentAgent, RequirePermission } from '../auth/decorators';

class AuditQueryDto {
  @IsIn(['ticket', 'citizen', 'agent', 'department', 'category', 'routing_rule', 'pack']) entityType!: string;
  @IsString() @MaxLength(64) entityId!: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export interface AuditEventView {
  id: string; at: string; actorId: string | null; actorLabel: string; action: string;
  entityType: string; entityId: string; changes: Record<string, { before: unknown; after: unknown }>; ip: string | null;
}

/** The audit trail of one record. Heads see their departments' tickets' trail; the rest is for admins. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @RequirePermission('audit.read')
  @Get()
  async list(@CurrentAgent() agent: AuthenticatedAgent, @Query() q: AuditQueryDto): Promise<AuditEventView[]> {
    if (agent.role !== 'admin') {
      if (q.entityType !== 'ticket') throw forbidden('Seuls les administrateurs consultent ce journal.');
      const [t] = await this.db.query(`SELECT department_id FROM tickets WHERE id::text = $1`, [q.entityId]);
      if (!t || !agent.visibleDepartmentIds.includes(t.department_id)) throw notFound('Demande');
    }
    const rows = await this.db.query(
      `SELECT id::text, at, actor_id, actor_label, action, entity_type, entity_id, changes, ip FROM audit_events
       WHERE entity_type = $1 AND entity_id = $2 ORDER BY at DESC, id DESC LIMIT $3`,
      [q.entityType, q.entityId, q.limit ?? 100],
    );
    return rows.map((r: { id: string; at: Date; actor_id: string | null; actor_label: string; action: string; entity_type: string; entity_id: string; changes: AuditEventView['changes']; ip: string | null }) => ({
      id: r.id, at: new Date(r.at).toISOString(), actorId: r.actor_id, actorLabel: r.actor_label, action: r.action,
      entityType: r.entity_type, entityId: r.entity_id, changes: r.changes, ip: r.ip,
    }));
  }
}
