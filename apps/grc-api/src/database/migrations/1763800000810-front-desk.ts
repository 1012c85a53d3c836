import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Front-desk departments (accueil, guichet unique): their members may search the town's whole
 * citizen directory (permission `citizens.directory`); every other agent reaches a citizen only
 * through a ticket of a department it may see. A department flag, not a role: a front-desk head is
 * still a head, a front-desk agent still an agent.
 */
export class FrontDesk1763800000810 implements MigrationInterface {
  name = 'FrontDesk1763800000810';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE departments ADD COLUMN front_desk boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE departments DROP COLUMN front_desk`);
  }
}
