import { AgentEntity } from './agent.entity';
import { AttachmentEntity } from './attachment.entity';
import { AuditEventEntity } from './audit-event.entity';
import { CategoryEntity } from './category.entity';
import { CitizenEntity } from './citizen.entity';
import { DepartmentEntity } from './department.entity';
import { RoutingRuleEntity } from './routing-rule.entity';
import { SessionEntity } from './session.entity';
import { TicketEventEntity } from './ticket-event.entity';
import { TicketEntity } from './ticket.entity';

export {
  AgentEntity,
  AttachmentEntity,
  AuditEventEntity,
  CategoryEntity,
  CitizenEntity,
  DepartmentEntity,
  RoutingRuleEntity,
  SessionEntity,
  TicketEventEntity,
  TicketEntity,
};

export const ENTITIES = [
  AgentEntity,
  AttachmentEntity,
  AuditEventEntity,
  CategoryEntity,
  CitizenEntity,
  DepartmentEntity,
  RoutingRuleEntity,
  SessionEntity,
  TicketEventEntity,
  TicketEntity,
];
