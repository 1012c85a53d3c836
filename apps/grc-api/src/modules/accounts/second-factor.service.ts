import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { DataSource, EntityManager } from 'typeorm';
import type { RecoveryCodes, SecondFactorStatus, TotpEnrolment } from '@grc/domain';
import { conflict, invalidField, notFound, ProblemException } from '../../common/problem';
import { SecretBox } from '../../common/secret-box';
import { qrcode } from '../../common/on-demand';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { AgentsRepository } from '../agents/agents.repository';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { SecondFactorRepository } from './second-factor.repository';
import { SecuritySettingsRepository } from './security-settings.repository';

const PERIOD = 30;
const RECOVERY_CODES = 10;
/** no 0/O, 1/I/L: read aloud or copied from paper without doubt */
const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export const totpFor = (secret: string, label = 'GRC') =>
  new TOTP({ issuer: 'GRC', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });

/** Recovery codes are compared on their letters and digits only, whatever the case and dashes typed. */
const normaliseRecovery = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
const hashRecovery = (code: string) =>
  createHash('sha256')
    .update(`grc-recovery:${normaliseRecovery(code)}`)
    .digest('hex');
const newRecoveryCode = () => {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
};
const isTotpCode = (code: string) => /^\d{6}$/.test(code.replace(/\s/g, ''));

export const secondFactorInvalid = () =>
  new ProblemException(401, 'Code refusé', 'Code incorrect ou expiré.', [
    { field: 'code', message: 'Code incorrect ou expiré.', code: 'second_factor_invalid' },
  ]);

/**
 * TOTP second factor (RFC 6238, otpauth): 6 digits every 30 s, one step of drift either way, each time
 * step accepted once (no replay). The secret is sealed at rest (SecretBox, GRC_SECRET_KEY); the ten
 * recovery codes are kept as SHA-256 hashes (they are random, 50 bits each) and each works once.
 */
@Injectable()
export class SecondFactorService {
  private readonly secrets: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rows: SecondFactorRepository,
    private readonly settings: SecuritySettingsRepository,
    private readonly agents: AgentsRepository,
    private readonly audit: AuditService,
    @Inject(GRC_CONFIG) config: GrcConfig,
  ) {
    this.secrets = new SecretBox(config.dataDir);
  }

  async status(agent: AuthenticatedAgent): Promise<SecondFactorStatus> {
    const totp = await this.rows.findTotp(agent.id);
    const required = agent.role === 'admin' && (await this.settings.get()).secondFactorRequiredForAdmins;
    return {
      enabled: totp?.confirmed === true,
      pending: totp !== null && !totp.confirmed,
      recoveryCodesLeft: totp?.confirmed ? await this.rows.recoveryCodesLeft(agent.id) : 0,
      required,
    };
  }

  /** A new secret, to be confirmed by a first code; refused while a confirmed one exists. */
  async startEnrolment(actor: Actor): Promise<TotpEnrolment> {
    const secret = new Secret({ size: 20 }).base32;
    await this.db.transaction(async (m) => {
      const existing = await this.rows.findTotp(actor.agent.id, m, true);
      if (existing?.confirmed) throw alreadyEnrolled();
      await this.rows.startEnrolment(actor.agent.id, this.secrets.seal(secret), m);
      await this.audit.record(m, auditActor(actor), 'account.second_factor_enrolment', 'agent', actor.agent.id, {});
    });
    const otpauthUri = totpFor(secret, actor.agent.email).toString();
    return { secret, otpauthUri, qrDataUrl: await qrcode().toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }) };
  }

  /** The first code proves the app has the secret: the factor is on, and here are the recovery codes (shown once). */
  async confirmEnrolment(actor: Actor, code: string): Promise<RecoveryCodes> {
    return this.db.transaction(async (m) => {
      const totp = await this.rows.findTotp(actor.agent.id, m, true);
      if (!totp)
        throw conflict('Commencez par afficher le QR code.', [
          { field: 'code', message: 'Aucun enrôlement en cours', code: 'no_enrolment' },
        ]);
      if (totp.confirmed) throw alreadyEnrolled();
      const step = this.matchStep(totp.secret, code, totp.lastUsedStep);
      if (step === null)
        throw invalidField('code', 'Code incorrect : vérifiez l’heure du téléphone et saisissez le code affiché.', 'second_factor_invalid');
      await this.rows.confirm(actor.agent.id, step, m);
      const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
      await this.rows.replaceRecoveryCodes(actor.agent.id, codes.map(hashRecovery), m);
      await this.audit.record(m, auditActor(actor), 'account.second_factor_enable', 'agent', actor.agent.id, {
        secondFactor: { before: false, after: true },
      });
      return { recoveryCodes: codes };
    });
  }

  /** Turning it off takes a valid code (or a recovery code); refused when the town requires it of this account. */
  async disable(actor: Actor, code: string): Promise<void> {
    const required = actor.agent.role === 'admin' && (await this.settings.get()).secondFactorRequiredForAdmins;
    if (required) {
      throw conflict('La commune exige un second facteur pour les administrateurs.', [
        { field: 'code', message: 'Second facteur obligatoire', code: 'second_factor_required' },
      ]);
    }
    await this.db.transaction(async (m) => {
      const how = await this.verifyIn(m, actor.agent.id, code);
      if (!how) throw invalidField('code', 'Code incorrect ou expiré.', 'second_factor_invalid');
      await this.rows.remove(actor.agent.id, m);
      await this.audit.record(m, auditActor(actor), 'account.second_factor_disable', 'agent', actor.agent.id, {
        secondFactor: { before: true, after: false },
        with: { before: null, after: how },
      });
    });
  }

  /** An administrator removes an agent's second factor (a lost phone): the agent enrols again. */
  async adminReset(actor: Actor, agentId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      if ((await this.agents.lockVersion(agentId, m)) === null) throw notFound('Agent');
      const removed = await this.rows.remove(agentId, m);
      await this.audit.record(m, auditActor(actor), 'agent.second_factor_reset', 'agent', agentId, {
        secondFactor: { before: removed, after: false },
      });
    });
  }

  /**
   * Checks a login's code in the caller's transaction: a TOTP code (its step then used up) or an unused
   * recovery code (then spent). Which one matched, or null.
   */
  async verifyIn(m: EntityManager, agentId: string, code: string): Promise<'totp' | 'recovery_code' | null> {
    const totp = await this.rows.findTotp(agentId, m, true);
    if (!totp?.confirmed) return null;
    if (isTotpCode(code)) {
      const step = this.matchStep(totp.secret, code, totp.lastUsedStep);
      if (step === null) return null;
      await this.rows.useStep(agentId, step, m);
      return 'totp';
    }
    const normalised = normaliseRecovery(code);
    if (normalised.length !== 10) return null;
    return (await this.rows.useRecoveryCode(agentId, hashRecovery(normalised), m)) ? 'recovery_code' : null;
  }

  async hasSecondFactor(agentId: string): Promise<boolean> {
    return (await this.rows.findTotp(agentId))?.confirmed === true;
  }

  /** The time step of a valid code (±1 step), later than the last one used; null otherwise. */
  private matchStep(sealedSecret: string, code: string, lastUsedStep: number): number | null {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const now = Date.now();
    const delta = totpFor(this.secrets.open(sealedSecret)!).validate({ token, timestamp: now, window: 1 });
    if (delta === null) return null;
    const step = Math.floor(now / 1000 / PERIOD) + delta;
    return step > lastUsedStep ? step : null;
  }
}

const alreadyEnrolled = () =>
  conflict('Un second facteur est déjà actif sur ce compte : désactivez-le d’abord pour en enrôler un autre.', [
    { field: 'code', message: 'Second facteur déjà actif', code: 'second_factor_already_enabled' },
  ]);
