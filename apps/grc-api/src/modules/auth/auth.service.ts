import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { DataSource } from 'typeorm';
import { permissionsOf, type Me } from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { AgentsRepository } from '../agents/agents.repository';
import { AuditService } from '../audit/audit.service';
import { DepartmentsRepository } from '../reference/departments.repository';
import type { AuthenticatedAgent } from './authenticated-agent';
import { LoginThrottle } from './login-throttle';
import { SessionService } from './session.service';

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
  ) {}

  /** Throttled (only failures count), verified, then a new session for the agent. */
  async login(
    email: string,
    password: string,
    ip: string,
    userAgent: string | null,
    ttlHours: number,
  ): Promise<{ token: string; expiresAt: Date; me: Me }> {
    await this.throttle.check(ip, email);
    let agentId: string;
    try {
      agentId = await this.verify(email, password, ip);
    } catch (e) {
      if (e instanceof ProblemException && e.getStatus() === 401) await this.throttle.failed(ip, email);
      throw e;
    }
    await this.throttle.succeeded(email);
    const { token, expiresAt } = await this.sessions.open(agentId, ttlHours, ip, userAgent);
    const agent = await this.sessions.resolve(token);
    return { token, expiresAt, me: await this.me(agent!) };
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
    const departments = agent.departmentIds.length ? await this.departments.summaries(agent.departmentIds) : [];
    return {
      id: agent.id,
      email: agent.email,
      displayName: agent.displayName,
      role: agent.role,
      locale: agent.locale,
      departments,
      visibleDepartmentIds: agent.visibleDepartmentIds,
      permissions: permissionsOf(agent.role, agent),
    };
  }
}
