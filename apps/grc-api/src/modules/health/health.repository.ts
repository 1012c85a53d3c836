import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The health checks' statements: whether PostgreSQL answers, whether every migration of this build is applied. */
@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Throws when PostgreSQL does not answer. */
  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** True when this build knows migrations the database has not run yet (an image newer than its schema). */
  pendingMigrations(): Promise<boolean> {
    return this.db.showMigrations();
  }
}
