-- The rows one ticket creation writes (bench/intake.mjs --pgbench), as PostgreSQL alone commits them: the ticket,
-- its 'created' event and audit row, two SLA clocks and six escalation timers, the tracking key, the acknowledgement
-- in the outbox, the figures' mark, the inbox's SLA summary, then the detail read — in as few statements as SQL allows
-- (one CTE for every insert). Run by pgbench -M prepared with -D category=… department=… citizen=… agent=… (uuids).
BEGIN;
WITH t AS (
  INSERT INTO tickets (reference, channel, category_id, department_id, citizen_id, subject, description, priority, status, created_by, attributes)
  VALUES ('PGB-' || substr(md5(random()::text), 1, 24), 'phone', :category::uuid, :department::uuid, :citizen::uuid, 'Nid-de-poule devant le 12 rue Nationale',
    'Appel d’un riverain : un trou s’est formé au milieu de la chaussée, les voitures font des écarts pour l’éviter.', 2, 'new', :agent::uuid, '{}')
  RETURNING id),
e AS (INSERT INTO ticket_events (ticket_id, kind, actor_id, data) SELECT id, 'created', :agent::uuid, '{"channel": "phone"}' FROM t),
a AS (INSERT INTO audit_events (actor_id, actor_label, action, entity_type, entity_id, changes, ip)
      SELECT :agent::uuid, 'Karim Benali', 'ticket.create', 'ticket', id::text,
        '{"channel": {"before": null, "after": "phone"}, "subject": {"before": null, "after": "Nid-de-poule devant le 12 rue Nationale"}}', '127.0.0.1' FROM t),
s AS (INSERT INTO ticket_sla (ticket_id, target, policy_id, policy, status, deadline, events)
      SELECT id, x, 'default', '{"id": "default", "targets": {}}', 'running', now() + interval '2 days', '[{"type": "started"}]'
      FROM t, unnest(ARRAY['firstResponse', 'resolution']) x),
tm AS (INSERT INTO timers (key, kind, ticket_id, due_at, payload)
       SELECT id || ':' || g, 'sla.escalation', id, now() + g * interval '1 day', '{"atPercent": 50}' FROM t, generate_series(1, 6) g),
k AS (INSERT INTO ticket_tracking_keys (ticket_id, key_hash) SELECT id, encode(sha256(convert_to(id::text, 'UTF8')), 'hex') FROM t),
o AS (INSERT INTO mail_outbox (id, ticket_id, kind, to_address, subject, text, html, message_id, state, next_attempt_at)
      SELECT gen_random_uuid(), id, 'acknowledgement', 'riverain@example.org', 'Votre demande est enregistrée', repeat('Bonjour, ', 70),
        repeat('<p>Bonjour</p>', 110), gen_random_uuid() || '@grc.example', 'queued', now() FROM t),
r AS (INSERT INTO report_dirty (ticket_id) SELECT id FROM t)
SELECT id FROM t \gset
UPDATE tickets SET sla_due_at = now() + interval '2 days' WHERE id = :id::uuid;
SELECT t.id, t.reference, t.subject, c.name_fr, d.name,
  (SELECT json_agg(e ORDER BY e.at, e.id) FROM ticket_events e WHERE e.ticket_id = t.id) AS timeline
FROM tickets t JOIN categories c ON c.id = t.category_id JOIN departments d ON d.id = t.department_id WHERE t.id = :id::uuid;
COMMIT;
