import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ProblemException } from '../../common/problem';
import { TicketChangeHooks, type TicketChange, type TicketChangeListener } from '../tickets/ticket-change.hooks';
import { CircuitsRepository } from './circuits.repository';
import { WorkflowDefinitionsService } from './definitions.service';

type ChangeEvent = TicketChange['events'][number];
const fromCircuit = (e: ChangeEvent) => e.data?.['viaWorkflow'] === true;

/**
 * While a circuit runs on a ticket, no text reaches the citizen except through it, and the ticket is
 * not resolved or closed behind its back. Runs inside every ticket change (TicketChangeHooks), so
 * every path is covered — a reply, a reply template's text, a status change with a comment (which the
 * e-mail listener would send), the resolution: each is refused with a 409 naming the circuit and the
 * step (code `workflow_running`, params for the console), and the whole change rolls back.
 * The circuit's own events carry `viaWorkflow`; a citizen's message (inbound) is not ours to stop.
 */
@Injectable()
export class CircuitGuard implements TicketChangeListener, OnModuleInit {
  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly circuits: CircuitsRepository,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onTicketChanged(m: EntityManager, change: TicketChange): Promise<void> {
    if (!change.before) return;
    const mine = change.events.filter((e) => !fromCircuit(e));
    const reply = mine.some((e) => e.kind === 'reply');
    // a public note is published (Open311 status_notes): text for the citizen too
    const publicNote = mine.some((e) => e.kind === 'public_note');
    const fromCitizen = change.events.some((e) => e.kind === 'inbound');
    const status = mine.find((e) => e.kind === 'status_changed');
    const finishing = status && (change.after.status === 'resolved' || change.after.status === 'closed');
    const commented = !fromCitizen && status?.body?.trim();
    if (!reply && !publicNote && !finishing && !commented) return;

    const running = await this.circuits.running(m, change.ticketId);
    if (running) {
      const params = {
        circuit: running.definition_code,
        circuitName: running.name ?? running.definition_code,
        step: running.step_id,
        stepLabel: running.step_label ?? running.step_id,
      };
      const where = `le circuit « ${params.circuitName} » est à l’étape « ${params.stepLabel} »`;
      if (finishing)
        throw refused(
          `Cette demande ne peut pas être ${change.after.status === 'closed' ? 'close' : 'résolue'} : ${where}. Annulez le circuit (avec un motif) ou menez-le à son terme.`,
          'status',
          params,
        );
      if (reply || publicNote)
        throw refused(
          `Réponse directe impossible : ${where}. Rédigez le projet dans le circuit, il partira une fois validé.`,
          'kind',
          params,
        );
      throw refused(
        `Le commentaire serait envoyé au demandeur alors que ${where}. Changez le statut sans commentaire, ou passez par le circuit.`,
        'comment',
        params,
      );
    }
    // no circuit running: a direct reply is still closed where a circuit is bound (a new draft starts it again)
    if (!reply) return;
    const bound = await this.definitions.boundFor(m, change.after.categoryId, change.after.departmentId);
    if (bound) {
      throw new ProblemException(
        409,
        'Action impossible',
        `Cette demande suit le circuit de validation « ${bound.code} » : rédigez un projet de réponse, il sera envoyé une fois validé.`,
        [
          {
            field: 'kind',
            message: 'réponse directe désactivée : circuit de validation',
            code: 'workflow_required',
            params: { circuit: bound.code, circuitName: bound.name },
          },
        ],
      );
    }
  }
}

const refused = (detail: string, field: string, params: Record<string, string>) =>
  new ProblemException(409, 'Action impossible', detail, [
    { field, message: 'circuit de validation en cours', code: 'workflow_running', params },
  ]);
