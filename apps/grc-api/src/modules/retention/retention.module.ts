import { Module } from '@nestjs/common';
import { AnonymisationModule } from '../anonymisation/anonymisation.module';
import { SessionsRepository } from '../auth/sessions.repository';
import { MailIntakeRepository } from '../mail/intake.repository';
import { OutboxRepository } from '../mail/outbox.repository';
import { TicketsModule } from '../tickets/tickets.module';
import { loadRetentionConfig, RETENTION_CONFIG } from './retention.config';
import { RetentionController } from './retention.controller';
import { RetentionProcessor } from './retention.processor';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

// the purges go through the repositories of what they purge (stateless, provided here for the worker role,
// which loads neither the auth nor the mail API modules)
const CORE = [
  { provide: RETENTION_CONFIG, useFactory: () => loadRetentionConfig() },
  RetentionRepository,
  RetentionService,
  SessionsRepository,
  OutboxRepository,
  MailIntakeRepository,
];

/** The api role: rules and runs for the admin screen. */
@Module({ imports: [AnonymisationModule, TicketsModule], controllers: [RetentionController], providers: CORE, exports: [RetentionService] })
export class RetentionModule {}

/** The worker role: the repeatable retention job and the purges. */
@Module({ imports: [AnonymisationModule, TicketsModule], providers: [...CORE, RetentionProcessor] })
export class RetentionWorkerModule {}
