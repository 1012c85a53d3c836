import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import type { RecoveryCodes, SecuritySettings, SessionSummary } from '@grc/domain';
import { invalidField, notFound } from '../../common/problem';
import { AgentsRepository } from '../agents/agents.repository';
import { AuditService, auditActor } from '../audit/audit.service';
import { hashPassword } from '../auth/auth.service';
import type { Actor } from '../auth/authenticated-agent';
import { LoginThrottle } from '../auth/login-throttle';
import { hashToken, SessionService } from '../auth/session.service';
import { staleVersion } from '../reference/departments.service';
import { assertAcceptablePassword } from './password-strength';
import { SecondFactorService } from './second-factor.service';
import { SecuritySettingsRepository } from './security-settings.repository';

/** One's own account: password, sessions; and the town's security settings (admins). */
@Injectable()
export class AccountService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly agents: AgentsRepository,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly settings: SecuritySettingsRepository,
    private readonly audit: AuditService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  /**
   * The current password proves it is the agent (wrong ones count as failed logins); the new one must
   * pass the password rule and differ from it. Every other session of the agent ends; this one stays,
   * no longer restricted by a forced change.
   */
  async changePassword(actor: Actor, token: string, currentPassword: string, newPassword: string): Promise<void> {
    const ip = actor.ip ?? 'unknown';
    await this.throttle.check(ip, actor.agent.email);
    const current = await this.agents.findPasswordOf(actor.agent.id);
    if (!current) throw notFound('Agent');
    if (!(await argon2.verify(current.passwordHash, currentPassword).catch(() => false))) {
      await this.throttle.failed(ip, actor.agent.email);
      await this.db.transaction((m) =>
        this.audit.record(m, auditActor(actor), 'account.password_change_failed', 'agent', actor.agent.id, {}),
      );
      throw invalidField('currentPassword', 'Mot de passe actuel incorrect.', 'current_password_wrong');
    }
    if (newPassword === currentPassword) {
      throw invalidField('newPassword', 'Le nouveau mot de passe doit être différent de l’actuel.', 'password_unchanged');
    }
    assertAcceptablePassword(newPassword, current, 'newPassword');
    const passwordHash = await hashPassword(newPassword);
    await this.db.transaction(async (m) => {
      await this.agents.findPasswordOf(actor.agent.id, m); // locks the row
      await this.agents.setPassword(actor.agent.id, passwordHash, false, m);
      const closed = await this.sessions.closeOthers(actor.agent.id, token, m);
      await this.audit.record(m, auditActor(actor), 'account.password_change', 'agent', actor.agent.id, {
        password: { before: '***', after: '***' },
        ...(actor.agent.mustChangePassword ? { mustChangePassword: { before: true, after: false } } : {}),
        otherSessionsClosed: { before: null, after: closed },
      });
    });
    await this.throttle.succeeded(actor.agent.email);
    // a session opened elsewhere while the transaction ran (with the old password) ends too
    await this.sessions.closeOthers(actor.agent.id, token);
    this.sessions.evict(token);
  }

  /** The first code turns the second factor on; this session's cached flags are dropped (enrolment may have been required). */
  async confirmSecondFactor(actor: Actor, token: string, code: string): Promise<RecoveryCodes> {
    const codes = await this.secondFactor.confirmEnrolment(actor, code);
    this.sessions.evict(token);
    return codes;
  }

  async disableSecondFactor(actor: Actor, token: string, code: string): Promise<void> {
    await this.secondFactor.disable(actor, code);
    this.sessions.evict(token);
  }

  async listSessions(actor: Actor, token: string): Promise<SessionSummary[]> {
    const current = hashToken(token);
    return (await this.sessions.list(actor.agent.id)).map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.tokenHash === current,
    }));
  }

  /** Ends one of one's sessions (another agent's answers 404). */
  async closeSession(actor: Actor, id: string): Promise<void> {
    if (!(await this.sessions.closeById(actor.agent.id, id))) throw notFound('Session');
    await this.db.transaction((m) => this.audit.record(m, auditActor(actor), 'account.session_close', 'session', id, {}));
  }

  /** "Se déconnecter partout": every session but this one. */
  async closeOtherSessions(actor: Actor, token: string): Promise<{ closed: number }> {
    const closed = await this.db.transaction(async (m) => {
      const n = await this.sessions.closeOthers(actor.agent.id, token, m);
      await this.audit.record(m, auditActor(actor), 'account.sessions_close_others', 'agent', actor.agent.id, {
        closed: { before: null, after: n },
      });
      return n;
    });
    return { closed };
  }

  getSettings(): Promise<SecuritySettings> {
    return this.settings.get();
  }

  async updateSettings(actor: Actor, input: SecuritySettings): Promise<SecuritySettings> {
    return this.db.transaction(async (m) => {
      const before = await this.settings.get(m, true);
      if (before.version !== input.version) throw staleVersion('ces réglages');
      const next = {
        secondFactorRequiredForAdmins: input.secondFactorRequiredForAdmins,
        idleTimeoutMinutes: input.idleTimeoutMinutes,
        sessionLifetimeHours: input.sessionLifetimeHours,
        persistentCookie: input.persistentCookie,
      };
      const changes = Object.fromEntries(
        (Object.keys(next) as Array<keyof typeof next>)
          .filter((k) => before[k] !== next[k])
          .map((k) => [k, { before: before[k], after: next[k] }]),
      );
      if (Object.keys(changes).length === 0) return before;
      await this.settings.update(next, m);
      await this.audit.record(m, auditActor(actor), 'security_settings.update', 'town', 'security', changes);
      return this.settings.get(m);
    });
  }
}
