import { MigrationInterface, QueryRunner } from 'typeorm';

const SHARED = `(SELECT grc_shared_departments())::uuid[]`;
const HAS_SHARED = `cardinality(${SHARED}) > 0`;
const AUDIT_TICKET = `CASE WHEN audit_events.entity_type = 'ticket' AND audit_events.entity_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN audit_events.entity_id::uuid END`;

const BEFORE = (check: boolean) =>
  `${HAS_SHARED} AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ${AUDIT_TICKET}
     ${check ? 'AND t.commune_id = audit_events.commune_id' : ''} AND t.department_id = ANY (${SHARED}))`;
const AFTER = (check: boolean) =>
  `${HAS_SHARED} AND grc_audit_ticket_shared(entity_type, entity_id, ${check ? 'commune_id' : 'NULL'}, ${SHARED})`;

/**
 * A métropole's audit entries about its communes' requests stop scanning every request (issue 16: 200 agents at
 * 10 M requests).
 *
 * The policies of 1763800002500 that let a métropole read and file audit entries of its shared services' requests
 * matched the request by `t.id = CASE WHEN entity_id ~ <uuid> THEN entity_id::uuid END`. Under the requests' own
 * row-level security, a condition whose functions are not LEAKPROOF (the regular expression, the cast) is never an
 * index condition: each audit entry a métropole agent wrote — every ticket read is one — read the 10 M requests
 * (32 s, EXPLAIN ANALYZE as grc_app). The same test in a PL/pgSQL function (like `grc_citizen_shared` of
 * 1763800003800) looks the request up by a variable, which the primary key answers. Same rows for every connection
 * (the function runs as the caller, under the requests' policies); reversible.
 */
export class AuditSharedPolicyFunction1763800004010 implements MigrationInterface {
  name = 'AuditSharedPolicyFunction1763800004010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    // whether the audit entry is about a request of `shared` (and, to file it, of the entry's commune)
    await q.query(`CREATE FUNCTION grc_audit_ticket_shared(entity_type varchar, entity_id varchar, commune uuid, shared uuid[])
      RETURNS boolean LANGUAGE plpgsql STABLE PARALLEL SAFE AS $f$
      DECLARE ticket uuid;
      BEGIN
        IF entity_type IS DISTINCT FROM 'ticket' OR entity_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
          RETURN false;
        END IF;
        ticket := entity_id::uuid;
        RETURN EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket AND (commune IS NULL OR t.commune_id = commune) AND t.department_id = ANY (shared));
      END $f$`);
    await q.query(`ALTER POLICY audit_events_shared ON audit_events USING (${AFTER(false)})`);
    await q.query(`ALTER POLICY audit_events_shared_file ON audit_events WITH CHECK (${AFTER(true)})`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`ALTER POLICY audit_events_shared ON audit_events USING (${BEFORE(false)})`);
    await q.query(`ALTER POLICY audit_events_shared_file ON audit_events WITH CHECK (${BEFORE(true)})`);
    await q.query(`DROP FUNCTION IF EXISTS grc_audit_ticket_shared(varchar, varchar, uuid, uuid[])`);
  }
}
