import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedAgent } from './authenticated-agent';
import { SessionsRepository } from './sessions.repository';

export const SESSION_COOKIE = 'grc_session';
/**
 * Resolved sessions are kept this long in the process: every request needs the agent and its
 * departments, and this saves a query per request. Logout and deactivation evict at once in this
 * process; other API processes notice within this delay.
 */
const CACHE_MS = Number(process.env['GRC_SESSION_CACHE_MS'] ?? 5_000);
const CACHE_MAX = 10_000;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Opaque session tokens; PostgreSQL keeps their hashes, so a database leak reveals no live session. */
@Injectable()
export class SessionService {
  private readonly cache = new Map<string, { agent: AuthenticatedAgent; until: number }>();

  constructor(private readonly rows: SessionsRepository) {}

  async open(agentId: string, ttlHours: number, ip: string | null, userAgent: string | null): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
    await this.rows.insert(hash(token), agentId, expiresAt, ip, userAgent?.slice(0, 300) ?? null);
    return { token, expiresAt };
  }

  async close(token: string): Promise<void> {
    this.cache.delete(hash(token));
    await this.rows.delete(hash(token));
  }

  /**
   * Every session of the agent, in the caller's transaction when `m` is given (a deactivation or a
   * password change logs the agent out exactly when it commits). Evicts this process's cache first.
   */
  async closeAllFor(agentId: string, m?: EntityManager): Promise<void> {
    for (const [key, entry] of this.cache) if (entry.agent.id === agentId) this.cache.delete(key);
    await this.rows.deleteAllFor(agentId, m);
  }

  /** The agent behind a live session (cached CACHE_MS in this process; otherwise one prepared query). */
  async resolve(token: string): Promise<AuthenticatedAgent | null> {
    const key = hash(token);
    const cached = this.cache.get(key);
    if (cached && cached.until > Date.now()) return cached.agent;
    const agent = await this.rows.lookup(key);
    if (agent) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(key, { agent, until: Date.now() + CACHE_MS });
    } else {
      this.cache.delete(key);
    }
    return agent;
  }
}
