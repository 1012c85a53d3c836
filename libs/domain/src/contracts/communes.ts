import type { PublicTexts } from './town';
import type { Role } from '../access/roles';

/**
 * The communes of a métropole (issue 15), managed by the métropole's administrators (Administration › Communes):
 * GET / POST /api/v1/communes, PUT /api/v1/communes/:id. There is no administrator of the whole install: an
 * administrator whose session works for a métropole manages the métropole and its member communes.
 */

/** A commune's code: its public path (`/c/<code>`), its Open311 jurisdiction, its pack's name. */
export const COMMUNE_CODE_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const COMMUNE_CODE_MAX = 64;
/** A host name of its own for the commune's public pages (lower case, no port). */
export const PUBLIC_HOST_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
export const PUBLIC_HOST_MAX = 253;

export interface CommuneView {
  id: string;
  code: string;
  name: string;
  kind: 'commune' | 'metropole';
  /** the métropole it belongs to, null for the métropole itself */
  parentId: string | null;
  isDefault: boolean;
  /** its public pages' own host, null: served under `publicPath` only */
  publicHost: string | null;
  /** where its request form is, on any host of the install: `/c/<code>/demande` */
  publicPath: string;
  publicTexts: PublicTexts;
  /** optimistic locking (its settings' version) */
  version: number;
}

export interface CommuneCreate {
  code: string;
  name: string;
  publicHost: string | null;
  publicTexts?: PublicTexts;
}

export interface CommuneUpdate {
  name: string;
  publicHost: string | null;
  publicTexts: PublicTexts;
  version: number;
}

/** An agent who works for a commune (`agent_communes`), as the métropole's communes screen lists them. */
export interface CommuneMember {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  active: boolean;
}
