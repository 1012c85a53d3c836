import { EventSource } from 'eventsource';

export interface SseMessage {
  type: string;
  id: string;
  data: Record<string, unknown>;
}

/** Logs in by HTTP and returns the session cookie (what a browser's EventSource sends). */
export async function sessionCookie(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/**
 * A console's stream, through the `eventsource` package (the browser's EventSource for Node): every
 * message kept in order, `ready` / `reset` included. `lastEventId` is sent on the first connection as
 * a reconnecting browser would.
 */
export function openStream(url: string, cookie: string, opts: { lastEventId?: string } = {}) {
  const messages: SseMessage[] = [];
  let status = 0;
  let closedByServer = false;
  let first = true;
  const es = new EventSource(url, {
    fetch: async (input, init) => {
      const headers: Record<string, string> = { ...(init?.headers as Record<string, string>), Cookie: cookie };
      if (first && opts.lastEventId) headers['Last-Event-ID'] = opts.lastEventId;
      first = false;
      const res = await fetch(input, { ...init, headers });
      status = res.status;
      return res;
    },
  });
  const push = (type: string) => (e: MessageEvent) =>
    messages.push({ type, id: e.lastEventId, data: e.data ? (JSON.parse(e.data) as Record<string, unknown>) : {} });
  es.addEventListener('message', push('message'));
  es.addEventListener('ready', push('ready'));
  es.addEventListener('reset', push('reset'));
  es.addEventListener('error', () => {
    if (messages.length) closedByServer = true;
  });
  return {
    messages,
    get status() {
      return status;
    },
    get closedByServer() {
      return closedByServer;
    },
    /** the ticket events (not ready / reset) */
    events: () =>
      messages.filter((m) => m.type === 'message').map((m) => ({ ...m.data, id: m.id })) as Array<Record<string, unknown> & { id: string }>,
    close: () => es.close(),
  };
}
