import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  collisionWarning,
  compareStreamIds,
  inboxReceives,
  parseStreamId,
  ticketStreamAction,
  type LiveEvent,
  type LiveViewer,
  type PresenceState,
  type TicketPresence,
} from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { AgentsRepository } from '../agents/agents.repository';
import type { AuthenticatedAgent } from '../auth/authenticated-agent';
import { TicketsService } from '../tickets/tickets.service';
import { LiveHub, type HubMessage } from './live-hub';
import { LiveLog } from './live-log';
import { LIVE_CONFIG, type LiveConfig } from './live.config';
import { PresenceStore } from './presence.store';

/** At most this many missed events are replayed; beyond, the console is told to reload (`reset`). */
const REPLAY_LIMIT = 1000;

const viewerOf = (agent: AuthenticatedAgent): LiveViewer => ({
  admin: agent.role === 'admin',
  visibleDepartmentIds: agent.visibleDepartmentIds,
});

/**
 * Server-sent event streams of ticket changes, scoped exactly like the REST routes: the inbox stream
 * carries the events of the departments GET /tickets shows the agent, a ticket's stream the events of
 * that ticket while GET /tickets/:id would show it. Events are ids (LiveEvent); the console re-reads.
 */
@Injectable()
export class LiveService {
  constructor(
    private readonly hub: LiveHub,
    private readonly log: LiveLog,
    private readonly presence: PresenceStore,
    private readonly tickets: TicketsService,
    private readonly agents: AgentsRepository,
    @Inject(LIVE_CONFIG) private readonly config: LiveConfig,
  ) {}

  inbox(agent: AuthenticatedAgent, req: Request, res: Response): Promise<void> {
    const viewer = viewerOf(agent);
    return this.stream(req, res, (e) => (inboxReceives(viewer, e) ? 'send' : 'skip'));
  }

  async ticket(agent: AuthenticatedAgent, ticketId: string, req: Request, res: Response): Promise<void> {
    await this.tickets.assertVisible(agent, ticketId);
    const viewer = viewerOf(agent);
    return this.stream(req, res, (e) => ticketStreamAction(viewer, ticketId, e));
  }

  /**
   * One SSE response: subscribed first (what is published meanwhile waits), then what the log holds after
   * Last-Event-ID, then the live messages not already replayed; `ready` carries the log's head as its id,
   * so that a console reconnecting before any event still replays from there. Ends after `maxAgeSeconds`
   * (the console reconnects: its session and departments are checked again).
   */
  private async stream(req: Request, res: Response, action: (e: LiveEvent) => 'send' | 'close' | 'skip'): Promise<void> {
    if (this.hub.clients >= this.config.maxClients) {
      res.setHeader('Retry-After', '30');
      throw new ProblemException(503, 'Service indisponible', 'Trop de connexions en direct : la console passe en relève périodique.', [
        { field: '', message: 'Trop de connexions en direct.', code: 'live.too_many_clients' },
      ]);
    }
    const lastId = parseStreamId(req.header('last-event-id'));
    let replaying = true;
    let closed = false;
    let lastSent: string | null = lastId;
    const buffered: HubMessage[] = [];
    const write = (chunk: string) => {
      if (!closed) res.write(chunk);
    };
    const deliver = (m: HubMessage) => {
      if (closed) return;
      const what = action(m.event);
      if (what === 'skip') return;
      if (m.id) {
        if (lastSent && compareStreamIds(m.id, lastSent) <= 0) return;
        lastSent = m.id;
      }
      write(`${m.id ? `id: ${m.id}\n` : ''}data: ${JSON.stringify(m.event)}\n\n`);
      if (what === 'close') end();
    };
    const stop = await this.hub.listen((m) => (replaying ? buffered.push(m) : deliver(m)));
    const timers: NodeJS.Timeout[] = [];
    const end = () => {
      if (closed) return;
      closed = true;
      stop();
      timers.forEach(clearInterval);
      res.end();
    };
    req.on('close', end);
    try {
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      // no-transform: no compression middleware buffers the stream
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      const head = await this.log.head();
      write(`retry: 3000\n\n`);
      if (lastId) {
        const missed = await this.log.after(lastId, REPLAY_LIMIT);
        if (missed.gap) {
          lastSent = head;
          write(`id: ${head}\nevent: reset\ndata: {}\n\n`);
        } else for (const m of missed.entries) deliver(m);
      }
      write(`id: ${lastSent ?? head}\nevent: ready\ndata: {}\n\n`);
      replaying = false;
      for (const m of buffered.splice(0)) deliver(m);
    } catch (e) {
      end();
      throw e;
    }
    timers.push(
      setInterval(() => write(': ping\n\n'), this.config.heartbeatSeconds * 1000),
      setInterval(end, this.config.maxAgeSeconds * 1000),
    );
  }

  // ---------------------------------------------------------------- presence

  async present(agent: AuthenticatedAgent, ticketId: string): Promise<TicketPresence> {
    await this.tickets.assertVisible(agent, ticketId);
    return this.presenceOf(agent, ticketId, null);
  }

  /** A heartbeat: the agent is on the ticket (viewing, or writing a reply or a note); tells the others when it changes. */
  async beat(agent: AuthenticatedAgent, ticketId: string, state: PresenceState): Promise<TicketPresence> {
    const departmentId = await this.tickets.assertVisible(agent, ticketId);
    const before = await this.presence.beat(ticketId, agent.id, state);
    if (before !== state) await this.log.publishVolatile({ kind: 'presence', ticketId, version: 0, departmentId });
    return this.presenceOf(agent, ticketId, state);
  }

  async leave(agent: AuthenticatedAgent, ticketId: string): Promise<void> {
    const departmentId = await this.tickets.assertVisible(agent, ticketId);
    if (await this.presence.leave(ticketId, agent.id))
      await this.log.publishVolatile({ kind: 'presence', ticketId, version: 0, departmentId });
  }

  private async presenceOf(agent: AuthenticatedAgent, ticketId: string, starting: PresenceState | null): Promise<TicketPresence> {
    const entries = await this.presence.list(ticketId);
    const names = await this.agents.namesOf(entries.map((e) => e.agentId));
    const name = (id: string) => names.get(id) ?? '';
    const warning = starting ? collisionWarning(agent.id, entries, starting) : null;
    return {
      entries: entries.map((e) => ({ agentId: e.agentId, displayName: name(e.agentId), state: e.state, me: e.agentId === agent.id })),
      warning: warning ? { ...warning, displayName: name(warning.agentId) } : null,
    };
  }
}
