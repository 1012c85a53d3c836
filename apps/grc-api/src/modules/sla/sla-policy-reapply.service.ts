import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { targetDuration, type SlaPolicy } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { TicketsService, type Mutation } from '../tickets/tickets.service';
import { SlaConfigService } from './sla-config.service';
import { append } from './sla-clock';
import { SlaClocks } from './sla-clocks.service';
import { SlaRepository } from './sla.repository';

/**
 * An administrator changed a policy and asked for it to apply to the requests already running under
 * it: each running or paused clock of that policy is recomputed from its start with the new durations
 * (reason `policy_changed`, new generation, timers moved, explained in the timeline), one ticket per
 * transaction under the ticket's lock, audited `ticket.sla_recompute`. Escalation points already past
 * under the new terms are recorded, not acted upon; a deadline already past marks the ticket breached.
 * Clocks of other policies and stopped clocks stay as they are.
 */
@Injectable()
export class SlaPolicyReapply {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: SlaRepository,
    private readonly clocks: SlaClocks,
    private readonly config: SlaConfigService,
    private readonly tickets: TicketsService,
  ) {}

  /** Returns the tickets recomputed. */
  async run(actor: Actor, policy: SlaPolicy, batch = 200): Promise<number> {
    let recomputed = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids = await this.rows.ticketsUnderPolicy(policy.id, after, batch);
      for (const id of ids) {
        // a change of the ticket like any other (lock, version, hooks, audit `ticket.sla_recompute`); the
        // actor's policy is the town's, whatever the ticket's department (propagated)
        const done = await this.db.transaction(async (m) => {
          let changed = false;
          await this.tickets.mutateIn(
            m,
            actor,
            id,
            null,
            async (mm, t, effects): Promise<Mutation | null> => {
              const now = new Date();
              const calOf = this.clocks.calendarsOf(mm, () => this.config.calendarFor(mm, t.departmentId));
              const clocks = (await this.clocks.load(mm, id, true)).filter((r) => r.status !== 'stopped' && r.policy_id === policy.id);
              if (!clocks.length) return null;
              for (const row of clocks) {
                const calendar = await calOf(row);
                append(
                  row,
                  {
                    type: 'recomputed',
                    at: now,
                    reason: 'policy_changed',
                    policyId: policy.id,
                    duration: targetDuration(policy, row.target),
                  },
                  calendar,
                );
                row.policy = policy;
                await this.clocks.save(mm, row, calendar, now, effects);
              }
              // as for a backfill: escalation points the new terms put in the past are recorded, not acted
              // upon (no wave of warnings and reassignments across the town); a deadline already past is a breach
              await this.clocks.settlePast(mm, id, now, policy.id);
              effects.refreshSla();
              changed = true;
              return {
                set: {},
                events: [],
                action: 'ticket.sla_recompute',
                audit: {
                  policy: { before: null, after: policy.id },
                  targets: { before: null, after: clocks.map((c) => c.target).join(', ') },
                },
              };
            },
            { propagated: true },
          );
          return changed;
        });
        if (done) recomputed++;
      }
      if (ids.length < batch) return recomputed;
      after = ids[ids.length - 1]!;
    }
  }
}
