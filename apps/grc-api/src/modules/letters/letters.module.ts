import { Module } from '@nestjs/common';
import { PrivacySettingsRepository } from '../citizen-rights/privacy-settings.repository';
import { TicketsModule } from '../tickets/tickets.module';
import { TownModule } from '../town/town.module';
import { LettersController } from './letters.controller';
import { LetterListener } from './letters.listener';
import { LettersRepository } from './letters.repository';
import { LettersService } from './letters.service';

/**
 * What every role needs: the listener writing letters in the ticket's transaction (replies are sent in the API
 * and by the worker's circuit timers), like the e-mail outbox.
 */
@Module({
  imports: [TicketsModule],
  providers: [LettersRepository, LetterListener],
  exports: [LettersRepository, TicketsModule],
})
export class LettersCoreModule {}

/** API role: "courrier à envoyer", the PDF, "mark as sent". */
@Module({
  imports: [LettersCoreModule, TownModule],
  controllers: [LettersController],
  providers: [LettersService, PrivacySettingsRepository],
})
export class LettersModule {}
