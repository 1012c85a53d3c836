import { TestEnvironment } from 'jest-environment-node';
import { adminQuery, databaseUrlFor } from './test-database';

let sequence = 0;

/**
 * Each spec file owns its database: a clone of the run's template (migrated, demo pack loaded by the
 * global setup), made before the file's first test and dropped after its last hook, so that no spec
 * sees or deletes another's rows and files may run in any order or in parallel. The Redis prefix follows
 * the database, so queues and rate limits are per file too. Specs read DATABASE_URL / GRC_QUEUE_PREFIX
 * from the environment as before (startTestApp passes them on to the app): no spec file knows.
 */
export default class SpecDatabaseEnvironment extends TestEnvironment {
  private readonly database: string | null = null;

  constructor(...[config, context]: ConstructorParameters<typeof TestEnvironment>) {
    super(config, context);
    // unit specs under src/ touch no database
    if (!/[\\/]test[\\/]/.test(context.testPath)) return;
    const template = process.env['GRC_TEST_TEMPLATE_DB'];
    if (!template) throw new Error('GRC_TEST_TEMPLATE_DB is not set: the global setup did not run');
    // pid + sequence: unique among the run's workers; the template's name prefixes it so the teardown finds leftovers
    this.database = `${template}_f${process.pid}_${++sequence}`;
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (!this.database) return;
    const template = process.env['GRC_TEST_TEMPLATE_DB']!;
    await adminQuery(`CREATE DATABASE ${this.database} TEMPLATE ${template}`);
    const env = this.global.process.env;
    env['GRC_TEST_DB'] = this.database;
    env['DATABASE_URL'] = databaseUrlFor(this.database);
    env['GRC_QUEUE_PREFIX'] = `grc-test-${this.database}`;
  }

  override async teardown(): Promise<void> {
    try {
      if (this.database && process.env['GRC_KEEP_TEST_DB'] !== 'true')
        await adminQuery(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    } finally {
      await super.teardown();
    }
  }
}
