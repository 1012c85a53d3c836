import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { EntityManager } from 'typeorm';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { readEnvironment } from '../../config/environment';
import { REDIS } from '../../infrastructure/redis.module';
import { SecuritySettingsRepository } from '../accounts/security-settings.repository';
import type { AuthenticatedAgent } from './authenticated-agent';
import { withCommune } from '../../database/tenancy';
import { SessionRow, SessionsRepository } from './sessions.repository';

export const SESSION_COOKIE = 'grc_session';
const CACHE_MAX = 10_000;
/** last_seen_at is written at most this often per session (the idle timeout is counted in minutes) */
const TOUCH_EVERY_MS = 60_000;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface OpenedSession {
  token: string;
  expiresAt: Date;
  /** false: the cookie carries no Expires (the town's setting for shared counter PCs) */
  persistent: boolean;
}

/** An eviction sent to every API process: a token's hash, every session of an agent, or all of them but one. */
type Eviction = { token: string } | { agent: string; keep?: string };

/** Opaque session tokens; PostgreSQL keeps their hashes, so a database leak reveals no live session. */
@Injectable()
export class SessionService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Sessions');
  /**
   * Resolved sessions are kept this long in the process: every request needs the agent and its
   * departments, and this saves a query per request. Logout, deactivation and ending a session evict
   * at once in this process and, through Redis pub/sub, in every other API process (several pods);
   * while Redis is away, other processes notice within this delay.
   */
  private readonly cacheMs = readEnvironment().GRC_SESSION_CACHE_MS;
  private readonly cache = new Map<string, { agent: AuthenticatedAgent; until: number; lastSeenAt: number }>();

  private subscriber: Redis | null = null;
  private readonly channel: string;

  constructor(
    private readonly rows: SessionsRepository,
    private readonly settings: SecuritySettingsRepository,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.channel = `${config.queuePrefix}:sessions:evict`;
  }

  onModuleInit(): void {
    if (this.cacheMs <= 0) return;
    const sub = this.redis.duplicate({ lazyConnect: false });
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, message: string) => {
      try {
        this.apply(JSON.parse(message) as Eviction);
      } catch {
        // not ours
      }
    });
    // subscribed again by ioredis after every reconnection
    sub.subscribe(this.channel).catch((e: Error) => this.log.warn(`session evictions not shared (Redis?): ${e.message}`));
    this.subscriber = sub;
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  /** Evicts here, and tells the other processes (never fails the caller: without Redis their cache expires on its own). */
  private evictEverywhere(e: Eviction): void {
    this.apply(e);
    if (this.cacheMs <= 0) return;
    void Promise.race([this.redis.publish(this.channel, JSON.stringify(e)), new Promise((r) => setTimeout(r, 1_000).unref())]).catch(
      () => undefined,
    );
  }

  private apply(e: Eviction): void {
    if ('token' in e) this.cache.delete(e.token);
    else for (const [key, entry] of this.cache) if (entry.agent.id === e.agent && key !== e.keep) this.cache.delete(key);
  }

  async open(agentId: string, ttlHours: number, ip: string | null, userAgent: string | null): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
    await this.rows.insert(hashToken(token), agentId, expiresAt, ip, userAgent?.slice(0, 300) ?? null);
    return { token, expiresAt };
  }

  /** A session as the town's security settings say: their absolute lifetime, their kind of cookie. */
  async openWithSettings(agentId: string, ip: string | null, userAgent: string | null): Promise<OpenedSession> {
    const s = await this.settings.get();
    return { ...(await this.open(agentId, s.sessionLifetimeHours, ip, userAgent)), persistent: s.persistentCookie };
  }

  /** The session cookie: httpOnly, SameSite=Strict; without Expires when the session is not persistent. */
  setCookie(res: Response, session: OpenedSession): void {
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      ...(session.persistent ? { expires: session.expiresAt } : {}),
    });
  }

  async close(token: string): Promise<void> {
    this.cache.delete(hashToken(token));
    await this.rows.delete(hashToken(token));
    this.evictEverywhere({ token: hashToken(token) });
  }

  /** Forgets every process's cached resolution of the token (its agent's flags changed). */
  evict(token: string): void {
    this.evictEverywhere({ token: hashToken(token) });
  }

  /**
   * Every session of the agent, in the caller's transaction when `m` is given (a deactivation or a
   * password change logs the agent out exactly when it commits). Evicts this process's cache first, then every
   * process's (in a transaction that commits later, another process that reads the session again before the
   * commit may keep it for `cacheMs` at most).
   */
  async closeAllFor(agentId: string, m?: EntityManager): Promise<void> {
    this.apply({ agent: agentId });
    await this.rows.deleteAllFor(agentId, m);
    this.evictEverywhere({ agent: agentId });
  }

  /** Every session of the agent but the one of `keepToken`; how many ended. */
  async closeOthers(agentId: string, keepToken: string, m?: EntityManager): Promise<number> {
    const keep = hashToken(keepToken);
    this.apply({ agent: agentId, keep });
    const n = await this.rows.deleteOthers(agentId, keep, m);
    this.evictEverywhere({ agent: agentId, keep });
    return n;
  }

  /** One of the agent's sessions by id; false when it is not one of the agent's. */
  async closeById(agentId: string, id: string): Promise<boolean> {
    const tokenHash = await this.rows.deleteOne(agentId, id);
    if (tokenHash) this.evictEverywhere({ token: tokenHash });
    return tokenHash !== null;
  }

  /** The communes the agent works for. */
  communesOf(agentId: string): Promise<Array<{ id: string; code: string; name: string; kind: 'commune' | 'metropole' }>> {
    return this.rows.communesOf(agentId);
  }

  /**
   * The session behind `token` works for `communeId` from now on (every process forgets its cached agent,
   * whose departments were the other commune's); false when the agent is no member of it.
   */
  async switchCommune(token: string, agentId: string, communeId: string, m?: EntityManager): Promise<boolean> {
    const mine = await this.rows.communesOf(agentId, m);
    if (!mine.some((c) => c.id === communeId)) return false;
    const key = hashToken(token);
    await this.rows.setCommune(key, communeId, m);
    this.evictEverywhere({ token: key });
    return true;
  }

  list(agentId: string): Promise<SessionRow[]> {
    return this.rows.listFor(agentId);
  }

  /**
   * The agent behind a live session (cached `cacheMs` in this process; otherwise one prepared query).
   * The session is marked seen at most once a minute, so that the idle timeout costs no write per request.
   */
  async resolve(token: string): Promise<AuthenticatedAgent | null> {
    const key = hashToken(token);
    const cached = this.cache.get(key);
    const now = Date.now();
    if (cached && cached.until > now) {
      if (now - cached.lastSeenAt >= TOUCH_EVERY_MS) {
        cached.lastSeenAt = now;
        await this.rows.touch(key);
      }
      return cached.agent;
    }
    // the session's commune first (shared tables), then the agent and its departments as that commune's
    const communeId = await this.rows.communeOf(key);
    const found = communeId ? await withCommune(communeId, () => this.rows.lookup(key)) : null;
    if (found) found.agent.communeId = communeId!;
    if (!found) {
      this.cache.delete(key);
      return null;
    }
    let lastSeenAt = found.lastSeenAt.getTime();
    if (now - lastSeenAt >= TOUCH_EVERY_MS) {
      lastSeenAt = now;
      await this.rows.touch(key);
    }
    if (this.cacheMs > 0) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, { agent: found.agent, until: now + this.cacheMs, lastSeenAt });
    }
    return found.agent;
  }
}
