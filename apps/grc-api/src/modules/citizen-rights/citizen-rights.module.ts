import { Module } from '@nestjs/common';
import { AccessExportService } from './access-export.service';
import { CitizenRightsController, PrivacyNoticeController, PrivacySettingsController } from './citizen-rights.controller';
import { CitizenRightsRepository } from './citizen-rights.repository';
import { PrivacyNoticeService } from './privacy-notice.service';
import { PrivacySettingsRepository } from './privacy-settings.repository';

/** The rights of the citizen (issue 10): access export and letter, the information notice and its settings. */
@Module({
  controllers: [CitizenRightsController, PrivacySettingsController, PrivacyNoticeController],
  providers: [AccessExportService, CitizenRightsRepository, PrivacyNoticeService, PrivacySettingsRepository],
  exports: [PrivacyNoticeService],
})
export class CitizenRightsModule {}
