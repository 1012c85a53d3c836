import { Module } from '@nestjs/common';
import { PrivacySettingsRepository } from '../citizen-rights/privacy-settings.repository';
import { PublicTownController, TownSettingsController } from './town-settings.controller';
import { TownSettingsRepository } from './town-settings.repository';
import { TownSettingsService } from './town-settings.service';

/** The town's settings (`town_settings`), for both roles: the channels, e-mails and ticket references read them. */
@Module({
  providers: [TownSettingsRepository],
  exports: [TownSettingsRepository],
})
export class TownModule {}

/** The api role: the settings screen (Administration › Commune) and the town on the public pages. */
@Module({
  controllers: [TownSettingsController, PublicTownController],
  providers: [TownSettingsRepository, PrivacySettingsRepository, TownSettingsService],
})
export class TownAdminModule {}
