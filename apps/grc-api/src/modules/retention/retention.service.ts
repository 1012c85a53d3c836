import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { checkRetentionRules, closedBeforeForDue, retentionRuleFor, type RetentionAction } from '@grc/domain';
import { badRequest } from '../../common/problem';
import { AnonymisationService } from '../anonymisation/anonymisation.service';
import { AuditService, auditActor, type AuditActor } from '../audit/audit.service';
import { SessionsRepository } from '../auth/sessions.repository';
import { MailIntakeRepository } from '../mail/intake.repository';
import { OutboxRepository } from '../mail/outbox.repository';
import { ATTACHMENT_STORE, type AttachmentStore } from '../tickets/attachment-store';
import { AttachmentsRepository } from '../tickets/attachments.repository';
import type { Actor } from '../auth/authenticated-agent';
import { RETENTION_CONFIG, type RetentionConfig } from './retention.config';
import type { RetentionRulesDto, RetentionRuleView, RetentionRunView } from './retention.dto';
import { RetentionRepository, type RunRow } from './retention.repository';

export const RETENTION_ACTOR: AuditActor = { actorId: null, actorLabel: 'system:retention', ip: null };
/** What a purged outbox body becomes (the row, its dates and its status stay for the figures). */
export const PURGED_BODY = '[purgé]';

/** A run's report: requests per category code and action, plus the other tables' rows. */
export interface RetentionCounts {
  byCategory: Record<string, Partial<Record<RetentionAction, number>>>;
  requests: number;
  citizensAnonymised: number;
  citizensUnlinked: number;
  rows: Record<string, number>;
  batches: number;
  /** longest batch transaction, ms (the longest any lock was held by the run) */
  longestBatchMs: number;
}
export interface PurgeCounts {
  expiredSessions: number;
  outboxBodies: number;
  quarantine: number;
  loginIps: number;
  /** stored files no attachment row names any more (a crash between an erasure's commit and their removal) */
  orphanFiles: number;
}
/** A stored file younger than this may be an upload whose row is not committed yet: the sweep leaves it. */
const ORPHAN_GRACE_MS = 60 * 60_000;
/**
 * Requests anonymised between two merges of the search indexes' pending entries (grc_flush_search_indexes). A
 * merge's cost per entry falls with the entries merged together: 19–28 ms for 100 requests' entries, 53–58 ms
 * for 1,000 (the bench's 1 M database, loaded machine). 1,000 requests leave ~110 pending pages in all, a fifth of
 * one index's 4 MB limit (gin_pending_list_limit): no batch fills a list and pays a merge inside its transaction.
 */
const FLUSH_EVERY_REQUESTS = 1000;

const runView = (r: RunRow): RetentionRunView => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  startedAt: new Date(r.started_at).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  counts: r.counts,
  error: r.error,
});

/**
 * Retention rules as data and the jobs that apply them. A run is rows first: the selection is the data
 * itself (closed, `anonymised_at IS NULL`, closed before the rule's cut-off), so a run that crashed midway is
 * resumed by the next one, and each batch is one short transaction (`SKIP LOCKED`: a request an agent holds is
 * left for later). The run's row reports the counts as it goes; an audit event closes it.
 */
@Injectable()
export class RetentionService {
  private readonly log = new Logger('Retention');
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
    private readonly repo: RetentionRepository,
    private readonly engine: AnonymisationService,
    private readonly audit: AuditService,
    private readonly sessions: SessionsRepository,
    private readonly outbox: OutboxRepository,
    private readonly intake: MailIntakeRepository,
    private readonly attachments: AttachmentsRepository,
    @Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore,
  ) {}

  async rules(): Promise<RetentionRuleView[]> {
    return (await this.repo.rules()).map((r) => ({
      categoryId: r.category_id,
      categoryCode: r.category_code,
      months: r.months,
      action: r.action,
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  async replaceRules(actor: Actor, dto: RetentionRulesDto): Promise<RetentionRuleView[]> {
    const rules = dto.rules.map((r) => ({ categoryId: r.categoryId ?? null, months: r.months, action: r.action }));
    const refusals = checkRetentionRules(rules);
    if (refusals.length) {
      const messages: Record<string, string> = {
        retention_months_range: 'Une durée de 0 à 1200 mois.',
        retention_action_unknown: 'anonymise ou delete.',
        retention_category_twice: 'Une seule règle par catégorie.',
        retention_default_twice: 'Une seule règle par défaut.',
      };
      throw badRequest(
        'Règles de conservation invalides.',
        refusals.map((r) => ({ field: `rules[${r.index}].${r.field}`, message: messages[r.code] ?? r.code, code: r.code })),
      );
    }
    await this.db.transaction(async (m) => {
      const unknown = await this.repo.unknownCategories(
        m,
        rules.flatMap((r) => (r.categoryId ? [r.categoryId] : [])),
      );
      if (unknown.length) {
        const i = rules.findIndex((r) => r.categoryId === unknown[0]);
        throw badRequest('Catégorie inconnue.', [
          { field: `rules[${i}].categoryId`, message: 'Catégorie inconnue.', code: 'category_not_found' },
        ]);
      }
      const before = await this.repo.rules(m);
      await this.repo.replaceRules(m, rules, actor.agent.id);
      await this.audit.record(m, auditActor(actor), 'retention.rules', 'retention', 'rules', {
        rules: {
          before: before.map((r) => ({ categoryId: r.category_id, months: r.months, action: r.action })),
          after: rules,
        },
      });
    });
    return this.rules();
  }

  async runs(limit = 50): Promise<RetentionRunView[]> {
    return (await this.repo.runs(limit)).map(runView);
  }

  /** Applies every rule to the requests now due; null when another run is under way. */
  async runRetention(now = new Date()): Promise<RetentionCounts | null> {
    const runId = await this.repo.startRun('retention');
    if (!runId) return null;
    const counts: RetentionCounts = {
      byCategory: {},
      requests: 0,
      citizensAnonymised: 0,
      citizensUnlinked: 0,
      rows: {},
      batches: 0,
      longestBatchMs: 0,
    };
    // requests anonymised since the last merge of the search indexes' pending entries (both loops together)
    let unflushed = 0;
    try {
      const rules = (await this.repo.rules()).map((r) => ({ categoryId: r.category_id, months: r.months, action: r.action }));
      for (const category of await this.repo.categories()) {
        const rule = retentionRuleFor(rules, category.id);
        if (!rule) continue;
        const closedBefore = closedBeforeForDue(now, rule);
        // `concurrency` loops side by side, each on its own connection: a batch is round-trip bound (its
        // statements wait on each other), so two keep both the database and the process busy. SKIP LOCKED
        // gives each loop other requests; a person shared by two batches is settled in turn (settleCitizens).
        const loop = async (): Promise<void> => {
          for (;;) {
            const started = Date.now();
            const result = await this.db.transaction(async (m) => {
              await this.repo.commitWithoutWaitingForDisk(m);
              const ids = await this.repo.dueBatch(m, category.id, closedBefore, this.config.batchSize);
              if (!ids.length) return null;
              return rule.action === 'delete'
                ? await this.engine.deleteTicketsIn(m, RETENTION_ACTOR, ids, { skipLocked: true })
                : await this.engine.anonymiseTicketsIn(m, RETENTION_ACTOR, ids, { skipLocked: true });
            });
            if (!result || !result.tickets) return;
            counts.longestBatchMs = Math.max(counts.longestBatchMs, Date.now() - started);
            await this.engine.removeFiles(result);
            unflushed += result.tickets;
            if (unflushed >= FLUSH_EVERY_REQUESTS) {
              unflushed = 0;
              await this.repo.flushSearchIndexes();
            }
            counts.batches++;
            counts.requests += result.tickets;
            counts.citizensAnonymised += result.citizensAnonymised;
            counts.citizensUnlinked += result.citizensUnlinked;
            const c = (counts.byCategory[category.code] ??= {});
            c[rule.action] = (c[rule.action] ?? 0) + result.tickets;
            for (const [t, n] of Object.entries(result.rows)) counts.rows[t] = (counts.rows[t] ?? 0) + n;
            await this.repo.beat(this.repo.manager, runId, { ...counts });
          }
        };
        await Promise.all(Array.from({ length: this.config.concurrency }, loop));
      }
      // what the last batches left pending: searches would read it on every query until the next merge
      if (unflushed > 0) await this.repo.flushSearchIndexes();
      await this.close(runId, 'retention.run', 'done', counts, null);
      return counts;
    } catch (e) {
      this.log.error(`retention run ${runId}: ${(e as Error).message}`);
      await this.close(runId, 'retention.run', 'failed', counts, (e as Error).message.slice(0, 500));
      throw e;
    }
  }

  /** The technical purges, each on its own clock; null when another purge is under way. */
  async runPurges(): Promise<PurgeCounts | null> {
    const runId = await this.repo.startRun('purge');
    if (!runId) return null;
    const c = this.config;
    const counts: PurgeCounts = { expiredSessions: 0, outboxBodies: 0, quarantine: 0, loginIps: 0, orphanFiles: 0 };
    const drain = async (key: keyof PurgeCounts, step: () => Promise<number>) => {
      for (let n = await step(); n > 0; n = await step()) counts[key] += n;
    };
    try {
      await drain('expiredSessions', () => this.db.transaction((m) => this.sessions.purgeExpired(m, c.expiredSessionDays, c.batchSize)));
      await drain('outboxBodies', () =>
        this.db.transaction((m) => this.outbox.purgeSentBodies(m, c.outboxBodyDays, PURGED_BODY, c.batchSize)),
      );
      await drain('quarantine', () => this.db.transaction((m) => this.intake.purgeQuarantine(m, c.quarantineDays, c.batchSize)));
      await drain('loginIps', () =>
        this.db.transaction(async (m) => {
          const rows = await this.repo.loginIpsToClear(m, c.loginIpMonths, c.batchSize);
          return this.engine.redactAuditRowsIn(
            m,
            RETENTION_ACTOR,
            rows.map((r) => ({ id: r.id, changes: r.changes, clearIp: true })),
          );
        }),
      );
      counts.orphanFiles = await this.sweepOrphanFiles(c.batchSize);
      await this.close(runId, 'retention.purge', 'done', counts, null);
      return counts;
    } catch (e) {
      await this.close(runId, 'retention.purge', 'failed', counts, (e as Error).message.slice(0, 500));
      throw e;
    }
  }

  /** Removes the stored files (older than the grace period) that no attachment row names; how many. */
  private async sweepOrphanFiles(batchSize: number): Promise<number> {
    let removed = 0;
    let keys: string[] = [];
    const settle = async () => {
      const kept = await this.attachments.keptKeys(keys);
      for (const key of keys.filter((k) => !kept.has(k))) {
        await this.store.delete(key);
        removed++;
      }
      keys = [];
    };
    for await (const key of this.store.keysBefore(new Date(Date.now() - ORPHAN_GRACE_MS))) {
      keys.push(key);
      if (keys.length >= batchSize) await settle();
    }
    await settle();
    return removed;
  }

  private async close(runId: string, action: string, state: 'done' | 'failed', counts: object, error: string | null): Promise<void> {
    await this.db.transaction(async (m) => {
      await this.repo.finishRun(m, runId, state, counts as Record<string, unknown>, error);
      await this.audit.record(m, RETENTION_ACTOR, action, 'retention_run', runId, {
        state: { before: 'running', after: state },
        counts: { before: null, after: counts },
      });
    });
  }
}
