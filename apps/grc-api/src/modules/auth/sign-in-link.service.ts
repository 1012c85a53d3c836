import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  SIGN_IN_LINK_AGENT_INACTIVE,
  SIGN_IN_LINK_EXPIRED,
  SIGN_IN_LINK_INVALID,
  SIGN_IN_LINK_USED,
  signInLinkVerdict,
  type SignInLinkRefusal,
  type SignInLinkView,
} from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { assertAcceptablePassword } from '../accounts/password-strength';
import { SecondFactorService } from '../accounts/second-factor.service';
import { SecuritySettingsRepository } from '../accounts/security-settings.repository';
import { SignInLinksRepository, type SignInLinkRow } from '../accounts/sign-in-links.repository';
import { AgentsRepository } from '../agents/agents.repository';
import { AuditService } from '../audit/audit.service';
import { AuthService, hashPassword, type LoginOutcome } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { hashToken } from './session.service';

/**
 * The sign-in links `grc create-admin` prints: the console's "choose your password" page checks one, then
 * redeems it with the password chosen (the password rule applies, as everywhere). A link works once and
 * until it expires; tokens that match nothing count as failed logins of the address. The redemption and
 * every refusal of a real link are audited.
 */
@Injectable()
export class SignInLinkService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly links: SignInLinksRepository,
    private readonly agents: AgentsRepository,
    private readonly auth: AuthService,
    private readonly throttle: LoginThrottle,
    private readonly secondFactor: SecondFactorService,
    private readonly settings: SecuritySettingsRepository,
    private readonly audit: AuditService,
  ) {}

  /** Whose link it is and until when (the page greets the person); refused as redeem would refuse it. */
  async check(token: string, ip: string): Promise<SignInLinkView> {
    const link = await this.usable(token, ip);
    return {
      email: link.email,
      displayName: link.displayName,
      expiresAt: link.expiresAt.toISOString(),
      secondFactorRequired: link.role === 'admin' && (await this.settings.get()).secondFactorRequiredForAdmins,
    };
  }

  /**
   * The password chosen: set (no change forced), the link spent, a session opened — or, when the account
   * already has a second factor, the login's second step, as after a password.
   */
  async redeem(token: string, newPassword: string, ip: string, userAgent: string | null): Promise<LoginOutcome> {
    const link = await this.usable(token, ip);
    assertAcceptablePassword(newPassword, link, 'newPassword');
    const passwordHash = await hashPassword(newPassword);
    const key = hashToken(token);
    const refusal = await this.db.transaction(async (m) => {
      const locked = await this.links.find(key, m, true);
      const verdict = signInLinkVerdict(locked, new Date());
      if (!verdict.ok) return verdict.code; // spent by another tab meanwhile
      await this.agents.findPasswordOf(link.agentId, m); // locks the agent's row
      await this.agents.setPassword(link.agentId, passwordHash, false, m);
      await this.links.markUsed(key, m);
      await this.audit.record(m, { actorId: link.agentId, actorLabel: link.email, ip }, 'auth.sign_in_link_used', 'agent', link.agentId, {
        password: { before: null, after: '***' },
        mustChangePassword: { before: null, after: false },
      });
      return null;
    });
    if (refusal) throw await this.refuse(refusal, link, ip);
    if (await this.secondFactor.hasSecondFactor(link.agentId)) return this.auth.login(link.email, newPassword, ip, userAgent);
    await this.throttle.succeeded(link.email);
    return this.auth.signIn(link.agentId, ip, userAgent);
  }

  private async usable(token: string, ip: string): Promise<SignInLinkRow> {
    await this.throttle.checkAddress(ip);
    const key = hashToken(token);
    const link = await this.links.find(key);
    const verdict = signInLinkVerdict(link, new Date());
    if (!verdict.ok) throw await this.refuse(verdict.code, link, ip);
    return link!;
  }

  /**
   * A forged token names nobody: it counts against the address (the login limiter), and is not audited (a
   * stranger's guesses would fill the trail with rows about no one). Refusals of a real link are audited on its agent.
   */
  private async refuse(code: SignInLinkRefusal, link: SignInLinkRow | null, ip: string): Promise<ProblemException> {
    if (!link) {
      await this.throttle.failedAddress(ip);
      return refusal(code);
    }
    await this.db.transaction((m) =>
      this.audit.record(m, { actorId: link.agentId, actorLabel: link.email, ip }, 'auth.sign_in_link_refused', 'agent', link.agentId, {
        reason: { before: null, after: code },
      }),
    );
    return refusal(code);
  }
}

const MESSAGES: Record<SignInLinkRefusal, [number, string]> = {
  [SIGN_IN_LINK_INVALID]: [400, 'Ce lien de connexion n’est pas valide : vérifiez qu’il a été copié en entier.'],
  [SIGN_IN_LINK_EXPIRED]: [410, 'Ce lien de connexion a expiré : demandez-en un nouveau à votre administrateur (grc create-admin).'],
  [SIGN_IN_LINK_USED]: [410, 'Ce lien de connexion a déjà servi : connectez-vous avec le mot de passe choisi.'],
  [SIGN_IN_LINK_AGENT_INACTIVE]: [403, 'Ce compte est désactivé : le lien de connexion ne peut plus servir.'],
};

const refusal = (code: SignInLinkRefusal) => {
  const [status, message] = MESSAGES[code];
  return new ProblemException(status, 'Lien de connexion refusé', message, [{ field: 'token', message, code }]);
};
