import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { compareStreamIds, parseLiveEvent, type LiveEnvelope, type LiveEvent } from '@grc/domain';
import { GRC_CONFIG, type GrcConfig } from '../../config/config';
import { REDIS } from '../../infrastructure/redis.module';
import { LIVE_CONFIG, type LiveConfig } from './live.config';

/** XADD to the bounded log then PUBLISH "<id> <json>" to every API process, in one round trip, atomically. */
const APPEND = `local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2])
return id`;

type WithAppend = Redis & { grcLiveAppend(log: string, channel: string, maxLen: number, json: string): Promise<string> };

/**
 * The live events' log and fan-out, in Redis: every event is appended to a stream of bounded length
 * (its id is the SSE `id:`, what a reconnecting console sends back as `Last-Event-ID`) and published on
 * one channel that each API process subscribes to (LiveHub). Presence events are published only: they
 * are re-read on reconnection anyway, and heartbeats would flood the log.
 */
@Injectable()
export class LiveLog {
  private readonly log = new Logger('LiveLog');
  readonly logKey: string;
  readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(GRC_CONFIG) config: GrcConfig,
    @Inject(LIVE_CONFIG) private readonly live: LiveConfig,
  ) {
    this.logKey = `${config.queuePrefix}:live:log`;
    this.channel = `${config.queuePrefix}:live`;
    if (!(redis as unknown as Partial<WithAppend>).grcLiveAppend) redis.defineCommand('grcLiveAppend', { numberOfKeys: 2, lua: APPEND });
  }

  /** Appends and publishes; returns the event's id. */
  append(event: LiveEvent): Promise<string> {
    return (this.redis as unknown as WithAppend).grcLiveAppend(this.logKey, this.channel, this.live.logLength, JSON.stringify(event));
  }

  /** Fire and forget after a commit: a change is never held up (nor failed) by Redis; a lost event is a late refresh. */
  publishAll(events: readonly LiveEvent[]): void {
    for (const e of events) this.append(e).catch((err) => this.log.warn(`live event not published: ${(err as Error).message}`));
  }

  /** Presence: to the channel only, without an id (nothing to replay). */
  async publishVolatile(event: LiveEvent): Promise<void> {
    await this.redis.publish(this.channel, `- ${JSON.stringify(event)}`);
  }

  /** The newest id of the log ('0-0' when empty): a new stream's starting point. */
  async head(): Promise<string> {
    const [last] = (await this.redis.xrevrange(this.logKey, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    return last?.[0] ?? '0-0';
  }

  /**
   * What was appended after `id`, oldest first, up to `limit`. `gap`: the log no longer reaches back to
   * `id` (trimmed) or more than `limit` followed — the console must reload instead of replaying.
   */
  async after(id: string, limit: number): Promise<{ entries: LiveEnvelope[]; gap: boolean }> {
    const [raw, [first]] = await Promise.all([
      this.redis.xrange(this.logKey, `(${id}`, '+', 'COUNT', limit + 1) as Promise<Array<[string, string[]]>>,
      this.redis.xrange(this.logKey, '-', '+', 'COUNT', 1) as Promise<Array<[string, string[]]>>,
    ]);
    const entries: LiveEnvelope[] = [];
    for (const [entryId, fields] of raw.slice(0, limit)) {
      const event = parseLiveEvent(fields[fields.indexOf('e') + 1] ?? '');
      if (event) entries.push({ id: entryId, event });
    }
    const trimmed = !!first && id !== '0-0' && compareStreamIds(first[0], id) > 0 && raw[0]?.[0] === first[0];
    return { entries, gap: raw.length > limit || trimmed };
  }
}
