import { readEnvironment } from '../config/environment';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { attachTenancy } from './tenancy';

const SERVES_AGENTS = new Set(['grc-api', 'grc-all']);

/**
 * One definition of the connection, used by the app, the CLI commands and the tests. `role` (GRC_DB_ROLE)
 * is taken at connection start (`-c role=…`): the app runs with that role's rights whatever the login
 * user, so that a quick start or a test connected as the owner still cannot alter its audit trail.
 * `applicationName` is the process's role (`grc-api`, `grc-worker`, `grc-all`; `grc` for the CLI and tests).
 */
export function dataSourceOptions(
  databaseUrl: string,
  poolSize = readEnvironment().GRC_DB_POOL ?? 20,
  role: string | null = null,
  applicationName = 'grc',
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // application_name: pg_stat_activity (and the bench's CPU by process) tells the API's connections from the worker's
    // jit=off: the product's statements are short, and a policy's never-run sub-plan can push a statement's
    // estimated cost past jit_above_cost — the anonymisation's audit look-up spent 256 ms compiling for 4 ms of work
    // no parallel workers where agents are served (grc-api, grc-all): a request's statement is short, the pool already
    // uses every core under load, and a parallel plan starts its workers before a gate that skips it — the full-text
    // search's fallback (inbox.repository.ts) paid 270 ms of workers' start for no row at 10 M requests
    extra: {
      max: poolSize,
      application_name: applicationName,
      options: `-c jit=off${SERVES_AGENTS.has(applicationName) ? ' -c max_parallel_workers_per_gather=0' : ''}${role ? ` -c role=${role}` : ''}`,
    },
  };
}

/**
 * A DataSource whose connections carry the commune (tenancy.ts): every DataSource of the app, the CLI
 * commands and the tests is made here or by `tenantDataSource`.
 */
export function tenantDataSource(options: DataSourceOptions): DataSource {
  const ds = new DataSource(options);
  const initialize = ds.initialize.bind(ds);
  ds.initialize = async () => attachTenancy(await initialize());
  return ds;
}

export const createDataSource = (databaseUrl: string): DataSource => tenantDataSource(dataSourceOptions(databaseUrl));
