import { priorityFromRank, type TicketSummary } from '@grc/domain';

/** Columns every ticket list selects; `toSummary` maps one row. */
export const SUMMARY_COLUMNS = `
  t.id, t.reference, t.subject, t.status, t.priority, t.channel, t.created_at, t.updated_at,
  c.id AS category_id, c.code AS category_code, c.name_fr AS category_name_fr, c.name_en AS category_name_en,
  d.id AS department_id, d.code AS department_code, d.name AS department_name,
  a.id AS assignee_id, a.display_name AS assignee_name,
  z.id AS citizen_id, t.sla_due_at, t.sla_breached OR coalesce(t.sla_due_at < now(), false) AS sla_breached,
  CASE WHEN z.kind = 'organisation' THEN z.organisation_name
       ELSE trim(coalesce(z.first_name, '') || ' ' || coalesce(z.last_name, '')) END AS citizen_name`;

export const SUMMARY_JOINS = `
  JOIN categories c ON c.id = t.category_id
  JOIN departments d ON d.id = t.department_id
  LEFT JOIN agents a ON a.id = t.assignee_id
  LEFT JOIN citizens z ON z.id = t.citizen_id`;

export interface SummaryRow {
  id: string;
  reference: string;
  subject: string;
  status: TicketSummary['status'];
  priority: number;
  channel: TicketSummary['channel'];
  created_at: Date;
  updated_at: Date;
  category_id: string;
  category_code: string;
  category_name_fr: string;
  category_name_en: string;
  department_id: string;
  department_code: string;
  department_name: string;
  assignee_id: string | null;
  assignee_name: string | null;
  citizen_id: string | null;
  citizen_name: string | null;
  sla_due_at?: Date | null;
  sla_breached?: boolean;
}

export const toSummary = (r: SummaryRow): TicketSummary => ({
  id: r.id,
  reference: r.reference,
  subject: r.subject,
  status: r.status,
  priority: priorityFromRank(r.priority),
  channel: r.channel,
  category: { id: r.category_id, code: r.category_code, nameFr: r.category_name_fr, nameEn: r.category_name_en },
  department: { id: r.department_id, code: r.department_code, name: r.department_name },
  assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name ?? '' } : null,
  citizen: r.citizen_id ? { id: r.citizen_id, displayName: r.citizen_name ?? '' } : null,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  sla: { dueAt: r.sla_due_at ? new Date(r.sla_due_at).toISOString() : null, breached: r.sla_breached === true },
});
