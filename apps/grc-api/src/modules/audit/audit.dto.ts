import type { AuditEvent, AuditPage } from '@grc/domain';
export type { AuditPage };
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

export const AUDIT_ENTITY_TYPES = [
  'ticket',
  'citizen',
  'agent',
  'department',
  'category',
  'routing_rule',
  'pack',
  'audit',
  'commune',
] as const;

/**
 * The audit viewer's filters (all optional, combined with AND) and its keyset cursor. Heads (audit.read
 * without rgpd) see the events of their departments' tickets only.
 */
export class AuditQueryDto {
  @IsOptional() @IsIn(AUDIT_ENTITY_TYPES) entityType?: string;
  @IsOptional() @IsString() @MaxLength(64) entityId?: string;
  /** the agent who acted */
  @IsOptional() @IsUUID() actorId?: string;
  /** a citizen: their record's events and those of each of their requests */
  @IsOptional() @IsUUID() citizenId?: string;
  /** a request, by its public reference */
  @IsOptional() @IsString() @MaxLength(32) ticketReference?: string;
  /** an action code, e.g. ticket.read */
  @IsOptional() @Matches(/^[a-z][a-z0-9_.]{0,63}$/) action?: string;
  /** from this instant (included) */
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  /** until this instant (excluded) */
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
  /** the `next` of the previous page */
  @IsOptional() @Matches(/^[A-Za-z0-9_-]{1,200}$/) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

/** The same filters, for the CSV export (no page: every matching event). */
export class AuditExportQueryDto {
  @IsOptional() @IsIn(AUDIT_ENTITY_TYPES) entityType?: string;
  @IsOptional() @IsString() @MaxLength(64) entityId?: string;
  @IsOptional() @IsUUID() actorId?: string;
  @IsOptional() @IsUUID() citizenId?: string;
  @IsOptional() @IsString() @MaxLength(32) ticketReference?: string;
  @IsOptional() @Matches(/^[a-z][a-z0-9_.]{0,63}$/) action?: string;
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

/** the contract's AuditEvent, under the name the module used */
export type AuditEventView = AuditEvent;
