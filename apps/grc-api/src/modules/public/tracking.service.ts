import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { isTrackingExpired, trackingExpiresAt, type TrackedTicket } from '@grc/domain';
import { currentPublicPrefix } from '../../database/tenancy';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { readEnvironment } from '../../config/environment';
import { TrackingRepository, type CurrentCommuneRow, type KeyedTicketRow } from './tracking.repository';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
/** A key as it appears in links: 32 random bytes, base64url (43 characters). */
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** What a right key opens: the ticket, or nothing any more once its links expired. */
export type TrackingAccess =
  { ticketId: string; expired: false; expiresAt: Date | null } | { ticketId: string; expired: true; expiresAt: Date; reference: string };

/**
 * Tracking links: `/suivi?ref=<reference>&k=<secret>`. The secret is random (256 bits) and only its SHA-256
 * is stored (ticket_tracking_keys), so neither references nor a database dump open the tracking page.
 * A ticket may have several keys (the form's success page, an acknowledgement e-mail): each keeps working
 * while the request is open and GRC_TRACKING_TTL_DAYS days after it was resolved or closed (libs/domain
 * trackingExpiresAt; 0: forever); reopening the request opens its links again.
 */
@Injectable()
export class TrackingService {
  /** The town's public address (PUBLIC_URL, read at start-up), else this process on localhost. */
  readonly publicBaseUrl: string;
  readonly ttlDays: number;

  constructor(
    @Inject(GRC_CONFIG) config: GrcConfig,
    private readonly keys: TrackingRepository,
  ) {
    const configured = readEnvironment().PUBLIC_URL;
    this.publicBaseUrl = (configured || `http://localhost:${config.port}`).replace(/\/+$/, '');
    this.ttlDays = config.trackingTtlDays;
  }

  /** A new secret for the ticket, in the caller's transaction; returns the absolute tracking URL. */
  async issueLink(m: EntityManager, ticketId: string): Promise<string> {
    const { reference, key, commune } = await this.issueKey(m, ticketId);
    const site = await this.publicSite(m, commune);
    return `${site.base}${site.prefix}${trackingPath(reference, key)}`;
  }

  /**
   * Where the current commune's public pages are: for a request, where it came (`/c/<code>`, or the commune's
   * host); else its own host (communes.public_host, PUBLIC_URL's scheme), else `/c/<code>` on PUBLIC_URL —
   * the default commune's at the root, as before communes.
   */
  async publicSite(m?: EntityManager, known?: CurrentCommuneRow | null): Promise<{ base: string; prefix: string }> {
    const came = currentPublicPrefix();
    if (came) return { base: this.publicBaseUrl, prefix: came };
    const c = known !== undefined ? known : await this.keys.currentCommune(m);
    if (c?.public_host) return { base: `${new URL(this.publicBaseUrl).protocol}//${c.public_host}`, prefix: '' };
    if (c && !c.is_default) return { base: this.publicBaseUrl, prefix: `/c/${c.code}` };
    return { base: this.publicBaseUrl, prefix: '' };
  }

  /** Same as issueLink, returning the parts (the public form's success page builds a same-site link). */
  async issueKey(m: EntityManager, ticketId: string): Promise<{ reference: string; key: string; commune: CurrentCommuneRow | null }> {
    const key = randomBytes(32).toString('base64url');
    const row = await this.keys.insert(m, ticketId, sha256(key).toString('hex'));
    if (!row) throw new Error(`issueKey: ticket ${ticketId} not found`);
    return { reference: row.reference, key, commune: row.commune };
  }

  /**
   * The ticket the key opens, else null — the same answer for an unknown reference, a wrong key or a malformed
   * one (every stored hash of the ticket is compared in constant time). With a right key, also whether the
   * ticket's links have expired: said only to the holder of the key, so it discloses nothing about references.
   * `now` for tests; `m` a transaction (else the pool).
   */
  async access(reference: string, key: string, now = new Date(), m?: EntityManager): Promise<TrackingAccess | null> {
    const wellFormed = KEY_PATTERN.test(key);
    const given = sha256(wellFormed ? key : 'x'.repeat(43));
    const rows = await this.keys.keyedTicket(reference, m);
    let found: KeyedTicketRow | null = null;
    for (const r of rows) {
      const stored = Buffer.from(r.key_hash ?? '0'.repeat(64), 'hex');
      if (stored.length === given.length && timingSafeEqual(stored, given) && wellFormed && r.key_hash) found = r;
    }
    if (!found) return null;
    const t: TrackedTicket = {
      status: found.status,
      resolvedAt: found.resolved_at && new Date(found.resolved_at),
      closedAt: found.closed_at && new Date(found.closed_at),
      updatedAt: new Date(found.updated_at),
    };
    const expiresAt = trackingExpiresAt(t, this.ttlDays);
    if (expiresAt && isTrackingExpired(t, this.ttlDays, now)) return { ticketId: found.id, expired: true, expiresAt, reference };
    return { ticketId: found.id, expired: false, expiresAt };
  }
}

export const trackingPath = (reference: string, key: string) => `/suivi?ref=${encodeURIComponent(reference)}&k=${encodeURIComponent(key)}`;
