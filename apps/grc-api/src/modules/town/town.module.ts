import { Module } from '@nestjs/common';
import { TownSettingsRepository } from './town-settings.repository';

/** The town's settings (`town_settings`), for both roles: the channels, e-mails and ticket references read them. */
@Module({
  providers: [TownSettingsRepository],
  exports: [TownSettingsRepository],
})
export class TownModule {}
