import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { parseLiveEvent, type LiveEnvelope } from '@grc/domain';
import { REDIS } from '../../infrastructure/redis.module';
import { LiveLog } from './live-log';

/** A live event as the hub hands it to a stream: `id` null for presence (not in the log). */
export type HubMessage = { id: string | null; event: LiveEnvelope['event'] };
type Listener = (m: HubMessage) => void;

/**
 * This API process's one subscription to the live channel (one Redis connection whatever the number of
 * consoles), handing each message to the streams open here. Every API process has its own, so a change
 * made through any process (or the worker) reaches every console.
 */
@Injectable()
export class LiveHub implements OnApplicationShutdown {
  private readonly log = new Logger('LiveHub');
  private readonly listeners = new Set<Listener>();
  private sub: Redis | null = null;
  private ready: Promise<void> | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly live: LiveLog,
  ) {}

  get clients(): number {
    return this.listeners.size;
  }

  /** Subscribes (once per process, on the first stream); resolves when Redis confirmed the subscription. */
  private start(): Promise<void> {
    if (!this.ready) {
      const sub = this.redis.duplicate();
      this.sub = sub;
      sub.on('message', (_channel: string, message: string) => this.dispatch(message));
      sub.on('error', (e) => this.log.warn(`live subscription: ${(e as Error).message}`));
      this.ready = sub.subscribe(this.live.channel).then(() => undefined);
    }
    return this.ready;
  }

  private dispatch(message: string): void {
    const space = message.indexOf(' ');
    if (space < 0) return;
    const id = message.slice(0, space);
    const event = parseLiveEvent(message.slice(space + 1));
    if (!event) return;
    const m: HubMessage = { id: id === '-' ? null : id, event };
    for (const l of this.listeners) l(m);
  }

  /** Adds a stream's listener once the subscription is live (nothing published after this returns is missed). */
  async listen(listener: Listener): Promise<() => void> {
    this.listeners.add(listener);
    await this.start();
    return () => this.listeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    await this.sub?.quit().catch(() => undefined);
  }
}
