import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** One definition of the connection, used by the app, the CLI commands and the tests. */
export function dataSourceOptions(databaseUrl: string, poolSize = Number(process.env['GRC_DB_POOL'] ?? 20)): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize },
  };
}

export const createDataSource = (databaseUrl: string): DataSource => new DataSource(dataSourceOptions(databaseUrl));
