import { Module } from '@nestjs/common';
import { AnonymisationModule } from '../anonymisation/anonymisation.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ErasureService } from './erasure.service';
import { AccessExportService } from './access-export.service';
import { CitizenRightsController, PrivacyNoticeController, PrivacySettingsController } from './citizen-rights.controller';
import { CitizenRightsRepository } from './citizen-rights.repository';
import { PrivacyNoticeService } from './privacy-notice.service';
import { PrivacySettingsRepository } from './privacy-settings.repository';

/** The rights of the citizen (issue 10): access export and letter, the information notice and its settings. */
@Module({
  imports: [AnonymisationModule, TicketsModule],
  controllers: [CitizenRightsController, PrivacySettingsController, PrivacyNoticeController],
  providers: [AccessExportService, ErasureService, CitizenRightsRepository, PrivacyNoticeService, PrivacySettingsRepository],
  exports: [PrivacyNoticeService],
})
export class CitizenRightsModule {}
