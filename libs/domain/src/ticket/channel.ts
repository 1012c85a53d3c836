/** Every way a request reaches the town hall. */
export const CHANNELS = ['web', 'email', 'phone', 'counter', 'mail', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];
/** Channels an agent registers on behalf of a citizen (the others arrive by themselves). */
export const AGENT_ENTRY_CHANNELS: readonly Channel[] = ['phone', 'counter', 'mail', 'email'];
export const isChannel = (v: unknown): v is Channel => (CHANNELS as readonly unknown[]).includes(v);
