import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { randomBytes } from 'node:crypto';
import { permissionsOf, type Me, type SecondFactorChallenge } from '@grc/domain';
import { invalidField, ProblemException } from '../../common/problem';
import { withCommune } from '../../database/tenancy';
import { AgentsRepository } from '../agents/agents.repository';
import { AuditService } from '../audit/audit.service';
import { DepartmentsRepository } from '../reference/departments.repository';
import type { AuthenticatedAgent } from './authenticated-agent';
import { LoginThrottle } from './login-throttle';
import { SecondFactorRepository } from '../accounts/second-factor.repository';
import { secondFactorInvalid, SecondFactorService } from '../accounts/second-factor.service';
import { hashToken, OpenedSession, SessionService } from './session.service';

/** A pending second step lasts this long, and allows this many codes. */
export const CHALLENGE_SECONDS = 300;
const CHALLENGE_ATTEMPTS = 5;

export type LoginOutcome =
  | { kind: 'signed_in'; session: OpenedSession; me: Me }
  | { kind: 'second_factor'; challengeToken: string; challenge: SecondFactorChallenge };

/** argon2id with OWASP's recommended memory cost. */
export const hashPassword = (password: string) =>
  argon2.hash(password, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });

// Verifying against a real hash when the e-mail is unknown keeps response times alike (no account enumeration).
const DUMMY_HASH = hashPassword('grc-dummy-password-for-timing');

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
    private readonly agents: AgentsRepository,
    private readonly departments: DepartmentsRepository,
    private readonly secondFactor: SecondFactorService,
    private readonly challenges: SecondFactorRepository,
  ) {}

  /**
   * Throttled (only failures count), verified, then a new session for the agent — or, when the account
   * has a second factor, a pending login (server-side, CHALLENGE_SECONDS) that the code completes.
   */
  async login(email: string, password: string, ip: string, userAgent: string | null): Promise<LoginOutcome> {
    await this.throttle.check(ip, email);
    let agentId: string;
    try {
      agentId = await this.verify(email, password, ip);
    } catch (e) {
      if (e instanceof ProblemException && e.getStatus() === 401) await this.throttle.failed(ip, email);
      throw e;
    }
    if (await this.secondFactor.hasSecondFactor(agentId)) {
      const challengeToken = randomBytes(32).toString('base64url');
      await this.challenges.insertChallenge(hashToken(challengeToken), agentId, new Date(Date.now() + CHALLENGE_SECONDS * 1000));
      return { kind: 'second_factor', challengeToken, challenge: { secondFactor: 'totp', expiresInSeconds: CHALLENGE_SECONDS } };
    }
    await this.throttle.succeeded(email);
    return this.signIn(agentId, ip, userAgent);
  }

  /**
   * The login's second step: a TOTP code or a recovery code for the pending login. Wrong codes count
   * as failed logins (the same limiter: account and address) and a pending login allows
   * CHALLENGE_ATTEMPTS of them; it is spent by a success.
   */
  async completeSecondFactor(challengeToken: string, code: string, ip: string, userAgent: string | null): Promise<LoginOutcome> {
    const key = hashToken(challengeToken);
    const pending = await this.db.transaction((m) => this.challenges.lockChallenge(key, m));
    if (!pending) throw challengeExpired();
    await this.throttle.check(ip, pending.email);
    const result = await this.db.transaction(async (m) => {
      const c = await this.challenges.lockChallenge(key, m);
      if (!c) return 'expired' as const;
      const how = await this.secondFactor.verifyIn(m, c.agentId, code);
      if (!how) {
        if (c.attempts + 1 >= CHALLENGE_ATTEMPTS) await this.challenges.deleteChallenge(key, m);
        else await this.challenges.countAttempt(key, m);
        await this.audit.record(m, { actorId: c.agentId, actorLabel: c.email, ip }, 'auth.second_factor_failed', 'agent', c.agentId, {});
        return 'wrong' as const;
      }
      await this.challenges.deleteChallenge(key, m);
      await this.audit.record(m, { actorId: c.agentId, actorLabel: c.email, ip }, 'auth.second_factor', 'agent', c.agentId, {
        with: { before: null, after: how },
      });
      return how;
    });
    if (result === 'expired') throw challengeExpired();
    if (result === 'wrong') {
      await this.throttle.failed(ip, pending.email);
      throw secondFactorInvalid();
    }
    await this.throttle.succeeded(pending.email);
    return this.signIn(pending.agentId, ip, userAgent);
  }

  /**
   * The session behind `token` works for another of its agent's communes (audited in that commune); the
   * agent as that commune sees it (its departments there). 422 on `communeId` when it is not one of the agent's.
   */
  async switchCommune(token: string, agent: AuthenticatedAgent, communeId: string, ip: string | null): Promise<Me> {
    const ok = await this.sessions.switchCommune(token, agent.id, communeId);
    if (!ok) throw invalidField('communeId', 'Vous ne travaillez pas pour cette commune.', 'commune_not_member');
    await withCommune(communeId, () =>
      this.db.transaction((m) =>
        this.audit.record(m, { actorId: agent.id, actorLabel: agent.email, ip }, 'auth.commune.switch', 'agent', agent.id, {
          commune: { before: agent.communeId ?? null, after: communeId },
        }),
      ),
    );
    const switched = await this.sessions.resolve(token);
    return this.me(switched!);
  }

  /** A session for an agent whose identity is proven, as the town's security settings say. */
  async signIn(agentId: string, ip: string | null, userAgent: string | null): Promise<LoginOutcome> {
    const session = await this.sessions.openWithSettings(agentId, ip, userAgent);
    const agent = await this.sessions.resolve(session.token);
    return { kind: 'signed_in', session, me: await this.me(agent!) };
  }

  async verify(email: string, password: string, ip: string | null): Promise<string> {
    const row = await this.agents.findCredentials(email.toLowerCase());
    const ok = await argon2.verify(row?.passwordHash ?? (await DUMMY_HASH), password).catch(() => false);
    if (!row || !ok || !row.active) {
      await this.db.transaction((m) =>
        this.audit.record(
          m,
          { actorId: row?.id ?? null, actorLabel: email.toLowerCase(), ip },
          'auth.login_failed',
          'agent',
          row?.id ?? email.toLowerCase(),
          {},
        ),
      );
      throw new ProblemException(401, 'Identifiants refusés', 'E-mail ou mot de passe incorrect.');
    }
    await this.db.transaction((m) =>
      this.audit.record(m, { actorId: row.id, actorLabel: row.email, ip }, 'auth.login', 'agent', row.id, {}),
    );
    return row.id;
  }

  async me(agent: AuthenticatedAgent): Promise<Me> {
    // as the session's commune (after a sign-in or a switch the request's context may still be another's)
    const inCommune = <T>(fn: () => Promise<T>) => (agent.communeId ? withCommune(agent.communeId, fn) : fn());
    const departments = agent.departmentIds.length ? await inCommune(() => this.departments.summaries(agent.departmentIds)) : [];
    const communes = await this.sessions.communesOf(agent.id);
    const commune = communes.find((c) => c.id === agent.communeId);
    return {
      ...(commune ? { commune } : {}),
      communes,
      id: agent.id,
      email: agent.email,
      displayName: agent.displayName,
      role: agent.role,
      locale: agent.locale,
      departments,
      visibleDepartmentIds: agent.visibleDepartmentIds,
      permissions: permissionsOf(agent.role, agent),
      mustChangePassword: agent.mustChangePassword === true,
      secondFactorEnrolmentRequired: agent.secondFactorEnrolmentRequired === true,
      secondFactor: agent.secondFactor === true,
    };
  }
}

const challengeExpired = () =>
  new ProblemException(401, 'Connexion expirée', 'La connexion en attente du code a expiré : saisissez de nouveau votre mot de passe.', [
    { field: 'code', message: 'Connexion expirée', code: 'second_factor_expired' },
  ]);
