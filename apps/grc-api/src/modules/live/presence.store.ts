import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { livePresence, PRESENCE_STATES, type PresenceEntry, type PresenceState } from '@grc/domain';
import { GRC_CONFIG, type GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';
import { LIVE_CONFIG, type LiveConfig } from './live.config';

/**
 * Who has a ticket open, in Redis only (nothing of it is worth keeping): one hash per ticket, a field per
 * agent holding its state and the time its heartbeat runs out; the key itself expires when nobody beats.
 */
@Injectable()
export class PresenceStore {
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GRC_CONFIG) config: GrcConfig,
    @Inject(LIVE_CONFIG) private readonly live: LiveConfig,
  ) {
    this.prefix = `${config.queuePrefix}:presence:`;
  }

  /** Records the agent's heartbeat; returns the state it had before (null: it was not there). */
  async beat(ticketId: string, agentId: string, state: PresenceState, now = Date.now()): Promise<PresenceState | null> {
    const key = this.prefix + ticketId;
    const ttl = this.live.presenceTtlSeconds * 1000;
    const [[, previous]] = (await this.redis
      .multi()
      .hget(key, agentId)
      .hset(key, agentId, `${state}|${now + ttl}`)
      .pexpire(key, ttl)
      .exec()) as Array<[Error | null, string | null]>;
    const before = previous ? parse(agentId, previous) : null;
    return before && before.until > now ? before.state : null;
  }

  /** The agent closed the ticket; whether it was there. */
  async leave(ticketId: string, agentId: string): Promise<boolean> {
    return (await this.redis.hdel(this.prefix + ticketId, agentId)) > 0;
  }

  /** Who is there now (expired entries are dropped). */
  async list(ticketId: string, now = Date.now()): Promise<PresenceEntry[]> {
    const key = this.prefix + ticketId;
    const all = await this.redis.hgetall(key);
    const entries = Object.entries(all)
      .map(([agentId, v]) => parse(agentId, v))
      .filter((e): e is PresenceEntry => !!e);
    const expired = entries.filter((e) => e.until <= now).map((e) => e.agentId);
    if (expired.length) await this.redis.hdel(key, ...expired);
    return livePresence(entries, now);
  }
}

function parse(agentId: string, v: string): PresenceEntry | null {
  const [state, until] = v.split('|');
  if (!(PRESENCE_STATES as readonly string[]).includes(state ?? '') || !Number.isFinite(Number(until))) return null;
  return { agentId, state: state as PresenceState, until: Number(until) };
}
