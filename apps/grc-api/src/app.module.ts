import { CommunesModule } from './modules/communes/communes.module';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dbPoolSize } from './config/capacity';
import { loadConfig, ProcessRole } from './config/config';
import { dataSourceOptions, tenantDataSource } from './database/data-source';
import { ConfigModule } from './infrastructure/config.module';
import { RedisModule } from './infrastructure/redis.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CitizensModule } from './modules/citizens/citizens.module';
import { CitizenRightsModule } from './modules/citizen-rights/citizen-rights.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { AgentsModule } from './modules/agents/agents.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { ReferenceModule } from './modules/reference/reference.module';
import { InboxCountersModule } from './modules/worker/inbox-counters.module';
import { WorkerModule } from './modules/worker/worker.module';
import { TicketsModule } from './modules/tickets/tickets.module';
import { Open311Module } from './modules/open311/open311.module';
import { MailModule, MailWorkerModule } from './modules/mail/mail.module';
import { PublicModule } from './modules/public/public.module';
import { DuplicatesCoreModule, DuplicatesModule } from './modules/duplicates/duplicates.module';
import { SlaCoreModule, SlaModule } from './modules/sla/sla.module';
import { TimersWorkerModule } from './modules/timers/timers.module';
import { WorkflowsCoreModule, WorkflowsModule } from './modules/workflows/workflows.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { AnonymisationModule } from './modules/anonymisation/anonymisation.module';
import { RetentionModule, RetentionWorkerModule } from './modules/retention/retention.module';
import { ReportingModule, ReportingWorkerModule } from './modules/reporting/reporting.module';
import { PlacesModule } from './modules/places/places.module';
import { LiveCoreModule, LiveModule } from './modules/live/live.module';
import { ViewsModule } from './modules/views/views.module';
import { PacksModule } from './modules/packs/packs.module';
import { TownAdminModule } from './modules/town/town.module';
import { LettersCoreModule, LettersModule } from './modules/letters/letters.module';

/** HTTP feature modules (the api role). */
const API_MODULES = [
  AuthModule,
  HealthModule,
  CitizensModule,
  CitizenRightsModule,
  TicketsModule,
  ReferenceModule,
  AgentsModule,
  AccountsModule,
  InboxCountersModule,
  Open311Module,
  MailModule,
  SlaModule,
  WorkflowsModule,
  PublicModule,
  DuplicatesModule,
  NotificationsModule,
  AnonymisationModule,
  RetentionModule,
  ReportingModule,
  PlacesModule,
  LiveModule,
  ViewsModule,
  PacksModule,
  TownAdminModule,
  CommunesModule,
  LettersModule,
];
/** BullMQ processors (the worker role). */
const WORKER_MODULES: DynamicModule['imports'] = [
  WorkerModule,
  MailWorkerModule,
  SlaCoreModule,
  TimersWorkerModule,
  WorkflowsCoreModule,
  DuplicatesCoreModule,
  AnonymisationModule,
  RetentionWorkerModule,
  ReportingWorkerModule,
  LiveCoreModule,
  LettersCoreModule,
];

@Module({})
export class AppModule {
  static forRole(role: ProcessRole): DynamicModule {
    const config = loadConfig();
    return {
      module: AppModule,
      imports: [
        ConfigModule,
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(config.databaseUrl, dbPoolSize(role), config.dbRole, `grc-${role}`),
          // every connection carries the commune (database/tenancy.ts)
          dataSourceFactory: async (options) => tenantDataSource(options!).initialize(),
        }),
        RedisModule,
        MetricsModule,
        AuditModule,
        ...(role !== 'worker' ? API_MODULES : []),
        ...(role !== 'api' ? (WORKER_MODULES ?? []) : []),
      ],
    };
  }
}
