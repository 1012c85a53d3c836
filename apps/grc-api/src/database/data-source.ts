import { readEnvironment } from '../config/environment';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { attachTenancy } from './tenancy';

/**
 * One definition of the connection, used by the app, the CLI commands and the tests. `role` (GRC_DB_ROLE)
 * is taken at connection start (`-c role=…`): the app runs with that role's rights whatever the login
 * user, so that a quick start or a test connected as the owner still cannot alter its audit trail.
 */
export function dataSourceOptions(
  databaseUrl: string,
  poolSize = readEnvironment().GRC_DB_POOL ?? 20,
  role: string | null = null,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, ...(role ? { options: `-c role=${role}` } : {}) },
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
