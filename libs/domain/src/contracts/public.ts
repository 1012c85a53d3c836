import type { TicketStatus } from '../ticket/ticket-status';
import type { CategoryField, FieldDatatype } from '../category-fields/category-fields';

/**
 * The citizen side (no account): the public request form, the tracking page reached with a reference and
 * a secret key, and — for agents — duplicate candidates and master/follower links.
 */

// ---------- public request form ----------
export type PublicAttributeDatatype = FieldDatatype;
/** One of a category's own fields (category_attributes, shared with Open311 and the agent's form). */
export type PublicAttribute = CategoryField;
export interface PublicCategory {
  id: string;
  code: string;
  nameFr: string;
  nameEn: string;
  attributes: PublicAttribute[];
}
export interface PublicLimits {
  maxFiles: number;
  maxFileBytes: number;
  /** accepted MIME types and extensions (the `accept` attribute of the file input) */
  accept: string[];
  descriptionMax: number;
  messageMax: number;
}
export interface PublicForm {
  town: { name: string };
  categories: PublicCategory[];
  limits: PublicLimits;
}

/** Multipart fields of POST /public/requests (with `files`). `website` is a honeypot: it must stay empty. */
export interface PublicRequestFields {
  categoryId: string;
  description: string;
  address?: string;
  latitude?: string;
  longitude?: string;
  /** JSON object: attribute code → value (string, or array of strings for multivaluelist) */
  attributes?: string;
  firstName?: string;
  lastName: string;
  email?: string;
  phone?: string;
  /** the page's language: the e-mails about this request are written in it (absent: the town's language) */
  locale?: 'fr' | 'en';
  website?: string;
}
export interface PublicRequestCreated {
  reference: string;
  /** the secret key of the tracking link (shown once; only its SHA-256 is stored) */
  key: string;
  /** `/suivi?ref=…&k=…`, relative to the site */
  trackingPath: string;
  /** absolute, on the configured public address (PUBLIC_URL) */
  trackingUrl: string;
}

/** Field error codes of the public endpoints, translated by the public pages (the detail stays in French). */
export const PUBLIC_ERROR_CODES = [
  'required',
  'too_long',
  'invalid',
  'file.too_large',
  'file.type',
  'file.empty',
  'file.too_many',
  'contact.missing',
  'closed',
] as const;
export type PublicErrorCode = (typeof PUBLIC_ERROR_CODES)[number];

// ---------- tracking ----------
export interface PublicMessage {
  at: string;
  /** reply: from the town hall; inbound: from the citizen */
  kind: 'reply' | 'inbound';
  body: string;
}
export interface PublicTracking {
  reference: string;
  /** the status the citizen sees: the master's when the request was grouped with another report */
  status: TicketStatus;
  /** grouped with another report of the same problem (its reference is not disclosed) */
  grouped: boolean;
  category: { nameFr: string; nameEn: string };
  description: string;
  address: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** the town's commitment (SLA deadline) when one runs */
  expectedAt: string | null;
  messages: PublicMessage[];
  attachments: Array<{ filename: string; size: number }>;
  /** false once closed for good: a new request is then needed */
  canAddInformation: boolean;
  /**
   * when the tracking links stop working: GRC_TRACKING_TTL_DAYS after the request was resolved or closed;
   * null while it is open (or when links never expire). Past that date the API answers 410.
   */
  linkExpiresAt: string | null;
}

// ---------- duplicates (agents) ----------
export interface LinkedTicketRef {
  id: string;
  reference: string;
  subject: string;
  status: TicketStatus;
  createdAt: string;
}
export interface DuplicateCandidate extends LinkedTicketRef {
  address: string | null;
  /** null when either request has no position */
  distanceMetres: number | null;
  /** the candidate's position (the ticket page's map), null when it has none */
  lat: number | null;
  lng: number | null;
  textSimilarity: number;
  score: number;
  followerCount: number;
}
export interface DuplicatesView {
  /** the master this ticket follows, if any */
  master: LinkedTicketRef | null;
  /** the tickets following this one, of the departments the agent may see */
  followers: LinkedTicketRef[];
  /** how many followers belong to departments the agent may not see (only counted: need-to-know) */
  otherDepartmentFollowers: number;
  /** open requests that resemble this one (empty for a follower), of the departments the agent may see */
  candidates: DuplicateCandidate[];
  /** how many more candidates belong to departments the agent may not see (only counted) */
  otherDepartmentCandidates: number;
}
export interface LinkTicketRequest {
  masterId: string;
  version: number;
}
export interface UnlinkTicketRequest {
  version: number;
}
