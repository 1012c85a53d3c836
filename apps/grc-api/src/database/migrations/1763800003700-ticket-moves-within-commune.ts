import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A request stays within its commune's reach when it moves (issue 15).
 *
 * Row-level security decides which rows a connection reads and writes, not what a row may reference: a métropole's
 * session reads its communes' categories that lead to its shared services (to name their requests), so its agent
 * could recategorise Val-Fleuri's request into Saint-Aubin's category — the request then vanished from
 * Val-Fleuri's own screens (its commune cannot read that category). And sending a commune's request to one of the
 * métropole's own, unshared services was refused by the policy's `WITH CHECK` only, as a 500.
 *
 * The tickets service now refuses both with the field named (`ticket.category_not_filable`,
 * `ticket.department_not_reachable`); this trigger is the net under every other path: when a request's category or
 * department changes, the new one must be the request's commune's own, or a shared service of its métropole (for a
 * category: one whose default department is shared). It reads as the session (a connection that cannot see the
 * category or the department is refused too) and runs only when one of the two columns changes, so creations and
 * every other change pay nothing. Refused as a check violation (SQLSTATE 23514: a 400 for the API). Reversible.
 */
export class TicketMovesWithinCommune1763800003700 implements MigrationInterface {
  name = 'TicketMovesWithinCommune1763800003700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '5s'`);
    await q.query(`CREATE FUNCTION grc_ticket_move_within_commune() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        metropole uuid := (SELECT parent_id FROM communes WHERE id = NEW.commune_id);
      BEGIN
        IF NEW.category_id IS DISTINCT FROM OLD.category_id AND NOT EXISTS (
             SELECT 1 FROM categories c WHERE c.id = NEW.category_id
                AND (c.commune_id = NEW.commune_id OR (c.commune_id = metropole
                     AND EXISTS (SELECT 1 FROM departments d WHERE d.id = c.default_department_id AND d.shared)))) THEN
          RAISE EXCEPTION 'category % is not one of the commune of request %', NEW.category_id, NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_category_within_commune';
        END IF;
        IF NEW.department_id IS DISTINCT FROM OLD.department_id AND NOT EXISTS (
             SELECT 1 FROM departments d WHERE d.id = NEW.department_id
                AND (d.commune_id = NEW.commune_id OR (d.shared AND d.commune_id = metropole))) THEN
          RAISE EXCEPTION 'department % is not within the reach of the commune of request %', NEW.department_id, NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tickets_department_within_commune';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER tickets_move_within_commune BEFORE UPDATE OF category_id, department_id ON tickets FOR EACH ROW
      WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.department_id IS DISTINCT FROM NEW.department_id)
      EXECUTE FUNCTION grc_ticket_move_within_commune()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS tickets_move_within_commune ON tickets`);
    await q.query(`DROP FUNCTION IF EXISTS grc_ticket_move_within_commune()`);
  }
}
