import { Module, OnModuleInit } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { SlaCoreModule } from '../sla/sla.module';
import { TicketChangeHooks } from '../tickets/ticket-change.hooks';
import { TicketsModule } from '../tickets/tickets.module';
import { TownModule } from '../town/town.module';
import { OpenDataService } from './open-data.service';
import { loadReportingConfig, REPORTING_CONFIG } from './reporting.config';
import { OpenDataController, ReportingController } from './reporting.controller';
import { ReportingExportsService } from './reporting-exports.service';
import { ReportingFactsService } from './reporting-facts.service';
import { ReportingTicketListener } from './reporting.listener';
import { ReportingProcessor } from './reporting.processor';
import { ReportingRepository } from './reporting.repository';
import { ReportingService } from './reporting.service';

const CORE = [
  { provide: REPORTING_CONFIG, useFactory: () => loadReportingConfig() },
  ReportingRepository,
  ReportingTicketListener,
  ReportingFactsService,
  OpenDataService,
];

/** Both roles: every ticket change marks its request for the rollup (the listener), the facts' fold and the open data. */
@Module({
  imports: [TicketsModule, SlaCoreModule, ReferenceModule, TownModule],
  providers: CORE,
  exports: [REPORTING_CONFIG, ReportingFactsService, OpenDataService, ReportingRepository],
})
export class ReportingCoreModule implements OnModuleInit {
  constructor(
    private readonly hooks: TicketChangeHooks,
    private readonly listener: ReportingTicketListener,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this.listener);
  }
}

/** The api role: dashboards, exports, the monthly report, the open data's settings and public files. */
@Module({
  imports: [ReportingCoreModule, ReferenceModule, TownModule],
  controllers: [ReportingController, OpenDataController],
  providers: [ReportingService, ReportingExportsService],
  exports: [ReportingService],
})
export class ReportingModule {}

/** The worker role: the rollup's refresh and the open data's daily regeneration. */
@Module({ imports: [ReportingCoreModule], providers: [ReportingProcessor] })
export class ReportingWorkerModule {}
