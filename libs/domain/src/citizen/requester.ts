/** A requester is a resident or an organisation (business, association) with a contact person. */
export const REQUESTER_KINDS = ['resident', 'organisation'] as const;
export type RequesterKind = (typeof REQUESTER_KINDS)[number];
