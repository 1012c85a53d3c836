import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type IRateLimiterStoreOptions } from 'rate-limiter-flexible';
import { LOGIN_IP_THROTTLED, LOGIN_LOCKED, lockSecondsAfter } from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';

const DAY = 86_400;

/**
 * Login throttling with rate-limiter-flexible, counted in Redis so that every API instance shares it.
 * Only failures count: 200 agents signing in at 8:30 behind the town's one address never meet a limit.
 * - per account (the e-mail as typed, known or not: no enumeration): consecutive failures, reset by a
 *   success, lock the account for a doubling delay (libs/domain lockSecondsAfter);
 * - per IP: failures in a window (GRC_LOGIN_IP_FAILURES per GRC_LOGIN_IP_WINDOW_SECONDS), against one
 *   address spraying many accounts.
 * When Redis is unreachable each limiter answers from its in-memory insurance limiter (per process):
 * it never fails open.
 */
@Injectable()
export class LoginThrottle {
  private readonly log = new Logger('LoginThrottle');
  private readonly failures: RateLimiterRedis;
  private readonly locks: RateLimiterRedis;
  private readonly ipFailures: RateLimiterRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
  ) {
    const limiter = (name: string, opts: Omit<IRateLimiterStoreOptions, 'storeClient'>) =>
      new RateLimiterRedis({
        ...opts,
        storeClient: redis,
        keyPrefix: `${config.queuePrefix}:login:${name}`,
        // with the shared client's offline queue a command would wait for Redis: refuse at once instead, so that
        // the insurance limiter answers
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ ...opts, keyPrefix: `login:${name}` }),
      });
    this.failures = limiter('failures', { points: 1_000_000, duration: DAY });
    this.locks = limiter('locks', { points: 1, duration: DAY });
    const ip = config.loginThrottle.ipFailures;
    this.ipFailures = limiter('ip', { points: ip.points, duration: ip.windowSeconds, blockDuration: ip.windowSeconds });
  }

  /** Throws 429 (with Retry-After) when this account is locked or this address has failed too often. */
  async check(ip: string, email: string): Promise<void> {
    const account = accountKey(email);
    const [lock, byIp] = await Promise.all([this.locks.get(account), this.ipFailures.get(ip)]);
    if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) throw locked(lock.msBeforeNext);
    if (byIp && byIp.consumedPoints >= this.config.loginThrottle.ipFailures.points) throw ipThrottled(byIp.msBeforeNext);
  }

  /** A wrong password (or unknown account): counted for the account and the address; may lock the account. */
  async failed(ip: string, email: string): Promise<void> {
    const account = accountKey(email);
    const [count] = await Promise.all([
      this.failures.penalty(account, 1),
      this.ipFailures.consume(ip).catch((r: unknown) => {
        if (!(r instanceof RateLimiterRes)) throw r;
      }),
    ]);
    const seconds = lockSecondsAfter(count.consumedPoints, this.config.loginThrottle.account);
    if (seconds > 0) {
      await this.locks.block(account, seconds);
      this.log.warn(`account ${account} locked for ${seconds} s after ${count.consumedPoints} failed logins`);
    }
  }

  /** Throws 429 when this address has failed too often (a sign-in link's token names no account before it is found). */
  async checkAddress(ip: string): Promise<void> {
    const byIp = await this.ipFailures.get(ip);
    if (byIp && byIp.consumedPoints >= this.config.loginThrottle.ipFailures.points) throw ipThrottled(byIp.msBeforeNext);
  }

  /** A token that matched nothing: counted for the address only (no account to lock). */
  async failedAddress(ip: string): Promise<void> {
    await this.ipFailures.consume(ip).catch((r: unknown) => {
      if (!(r instanceof RateLimiterRes)) throw r;
    });
  }

  /** A successful login clears the account's failures: it never counts against anyone. */
  async succeeded(email: string): Promise<void> {
    await this.failures.delete(accountKey(email));
  }
}

const accountKey = (email: string) => email.trim().toLowerCase();
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

export class LoginThrottled extends ProblemException {
  constructor(
    readonly retryAfterSeconds: number,
    detail: string,
    code: string,
    field: string,
  ) {
    super(429, 'Trop de tentatives', detail, [{ field, code, message: detail }]);
  }
}

const locked = (ms: number) =>
  new LoginThrottled(
    seconds(ms),
    `Trop d’essais de mot de passe pour ce compte : il est verrouillé pendant ${minutes(ms)} minute(s). Réessayez ensuite, ou demandez à un administrateur de vous donner un nouveau mot de passe.`,
    LOGIN_LOCKED,
    'email',
  );
const ipThrottled = (ms: number) =>
  new LoginThrottled(
    seconds(ms),
    `Trop d’échecs de connexion depuis cette adresse. Réessayez dans ${minutes(ms)} minute(s).`,
    LOGIN_IP_THROTTLED,
    '',
  );
