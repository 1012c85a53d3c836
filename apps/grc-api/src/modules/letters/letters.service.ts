import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { decideLetterSent, type Letter, type LetterState } from '@grc/domain';
import { notFound } from '../../common/problem';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { PrivacySettingsRepository } from '../citizen-rights/privacy-settings.repository';
import { canSeeDepartment } from '../tickets/ticket-access';
import { refusal, TicketsService } from '../tickets/tickets.service';
import type { Letterhead } from '../town/letterhead';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { replyLetter } from './letter-pdf';
import { LettersRepository, type LetterRow } from './letters.repository';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const toLetter = (r: LetterRow): Letter => ({
  id: r.id,
  ticketId: r.ticket_id,
  reference: r.reference,
  subject: r.subject,
  departmentId: r.department_id,
  departmentName: r.department_name,
  recipient: [r.recipient_name, ...(r.recipient_address ?? '').split('\n').filter((x) => x.trim())],
  signatoryName: r.signatory_name,
  state: r.state,
  createdAt: iso(r.created_at)!,
  sentAt: iso(r.sent_at),
  sentBy: r.sent_by ? { id: r.sent_by, displayName: r.sent_by_name ?? '' } : null,
});

/**
 * "Courrier à envoyer": the letters of the agent's departments, their PDF, and the agent's "sent" — a change of
 * the ticket (TicketsService.mutateIn: locked, department checked, 'letter_sent' on the timeline, audited).
 * Another department's letter is a 404, as its ticket is.
 */
@Injectable()
export class LettersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: LettersRepository,
    private readonly tickets: TicketsService,
    private readonly audit: AuditService,
    private readonly town: TownSettingsRepository,
    private readonly privacy: PrivacySettingsRepository,
  ) {}

  /** The queue or the letters sent; with `ticketId`, that request's letters (both states unless `state` is given; none for another department's). */
  async list(agent: AuthenticatedAgent, query: { state?: LetterState; ticketId?: string } = {}, limit = 200): Promise<Letter[]> {
    const departments = agent.role === 'admin' ? null : agent.visibleDepartmentIds;
    if (query.ticketId) {
      const rows = await this.rows.ofTicket(query.ticketId, departments);
      return rows.filter((r) => !query.state || r.state === query.state).map(toLetter);
    }
    const rows = await this.rows.list(departments, query.state ?? 'to_send', limit);
    return rows.map(toLetter);
  }

  private async visible(agent: AuthenticatedAgent, id: string): Promise<LetterRow> {
    const row = await this.rows.find(id);
    if (!row || !canSeeDepartment(agent, row.department_id)) throw notFound('Courrier');
    return row;
  }

  /** The letter as a PDF (made from the row, never stored); the read is audited on its ticket. */
  async pdf(actor: Actor, id: string): Promise<{ filename: string; doc: PDFKit.PDFDocument }> {
    const row = await this.visible(actor.agent, id);
    const [town, privacy] = await Promise.all([this.town.find(), this.privacy.find()]);
    const head: Letterhead = {
      senderName: town?.name || privacy?.controllerName || 'Mairie',
      senderAddress: privacy?.controllerAddress ?? null,
      senderEmail: privacy?.controllerEmail ?? town?.senderAddress ?? null,
      logo: town?.logo && town.logoType ? { bytes: town.logo, type: town.logoType } : null,
      townName: town?.name ?? '',
      timezone: town?.timezone ?? 'Europe/Paris',
    };
    await this.audit.recordRead(auditActor(actor), 'ticket.letter.read', row.ticket_id, { letterId: id });
    return { filename: `courrier-${row.reference}.pdf`, doc: replyLetter(row, head) };
  }

  /** The agent posted it: the letter marked sent, 'letter_sent' on the ticket's timeline, audited — one change of the ticket. */
  async markSent(actor: Actor, id: string): Promise<Letter> {
    const ticketId = await this.rows.ticketOf(id);
    if (!ticketId) throw notFound('Courrier');
    await this.db.transaction((m) =>
      this.tickets.mutateIn(m, actor, ticketId, null, async (mm) => {
        const letter = await this.rows.lock(mm, id);
        if (!letter) throw notFound('Courrier');
        const decision = decideLetterSent(letter.state);
        if (!decision.ok) throw refusal(decision, 409);
        await this.rows.markSent(mm, id, actor.system ? null : actor.agent.id);
        return {
          set: {},
          events: [{ kind: 'letter_sent', data: { letterId: id } }],
          action: 'ticket.letter_sent',
          audit: { letter: { before: 'to_send', after: 'sent' }, letterId: { before: null, after: id } },
        };
      }),
    );
    return toLetter((await this.rows.find(id))!);
  }
}
