/** What the ticket timeline records. */
export const TIMELINE_EVENT_KINDS = [
  'created',
  'reply', // public reply to the citizen
  'note', // internal note, never shown to the citizen
  'public_note', // a note the agent wrote for the public: published as Open311 status_notes, never e-mailed
  'inbound', // a message from the citizen
  'assigned',
  'transferred',
  'status_changed',
  'priority_changed',
  'category_changed',
  // the category's own fields edited on the ticket page: data = { codes } (the values are in the audit, masked)
  'attributes_changed',
  'attachment_added',
  // validation circuits (libs/workflows): body = comment, data = { step, action, onBehalfOf, definitionCode, version }
  'workflow_started',
  'draft_submitted',
  'workflow_step', // approve, edit_and_approve, reject, cancel, timer outcomes
  'opinion_requested',
  'opinion_given',
  'workflow_finished',
  'information_requested', // wait-for-citizen: the citizen is asked by e-mail (data = { step, stepLabel, template })
  // SLA (apps/grc-api modules/sla): body = the French explanation, data = { target, deadline, previous, atPercent, actions }
  'sla_changed',
  'sla_warning',
  'sla_breached',
  'sla_escalated',
  // duplicates (apps/grc-api modules/duplicates): data = { masterId, masterReference } on the follower, { followerId, followerReference } on the master
  'linked',
  'unlinked',
  // retention (apps/grc-api modules/anonymisation): the requester's identity left the request; data = {} (no personal data)
  'anonymised',
  // replies by post (apps/grc-api modules/letters): data = { letterId }; the letter to print, then posted by an agent
  'letter_queued',
  'letter_sent',
] as const;
export type TimelineEventKind = (typeof TIMELINE_EVENT_KINDS)[number];
