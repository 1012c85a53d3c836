import { Module } from '@nestjs/common';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import { TrackingRepository } from '../public/tracking.repository';
import { TrackingService } from '../public/tracking.service';
import { ReferenceModule } from '../reference/reference.module';
import { CitizensModule } from '../citizens/citizens.module';
import { TicketsModule } from '../tickets/tickets.module';
import { TownModule } from '../town/town.module';
import { MailIntakePoller } from './intake.poller';
import { MailIntakeService } from './intake.service';
import { loadMailConfig, MAIL_CONFIG } from './mail.config';
import { MailController, TicketMailController } from './mail.controller';
import { MailTicketListener } from './mail.listener';
import { MailSender } from './mail.sender';
import { MailIntakeRepository } from './intake.repository';
import { MailboxesRepository } from './mailboxes.repository';
import { MailboxesService } from './mailboxes.service';
import { OutboxRepository } from './outbox.repository';
import { MailTemplatesRepository } from './templates.repository';
import { OutboxNudger } from './outbox.nudger';
import { OutboxService } from './outbox.service';
import { ReplyAddresses } from './reply-address';
import { MailTemplatesService } from './templates.service';

/**
 * What every role needs: templates, the outbox and the ticket listener that writes e-mails in the
 * ticket's transaction (tickets change in the API and in the worker — intake, SLA escalations).
 * TrackingService (modules/public) is stateless: provided here too so the worker's acknowledgements carry the link.
 */
@Module({
  imports: [TicketsModule, ReferenceModule, CitizensModule],
  providers: [
    { provide: MAIL_CONFIG, inject: [GRC_CONFIG], useFactory: (c: GrcConfig) => loadMailConfig(process.env, c.maxUploadBytes) },
    MailTemplatesService,
    MailTemplatesRepository,
    OutboxService,
    OutboxRepository,
    MailboxesRepository,
    MailIntakeRepository,
    OutboxNudger,
    MailTicketListener,
    TrackingService,
    TrackingRepository,
    ReplyAddresses,
  ],
  exports: [
    MAIL_CONFIG,
    MailTemplatesService,
    OutboxService,
    OutboxRepository,
    MailboxesRepository,
    MailIntakeRepository,
    ReplyAddresses,
    TicketsModule,
    ReferenceModule,
    CitizensModule,
  ],
})
export class MailCoreModule {}

/** API role: admin configuration, reply templates, delivery states. */
@Module({
  imports: [MailCoreModule],
  controllers: [MailController, TicketMailController],
  providers: [MailboxesService],
})
export class MailModule {}

/** Worker role: the SMTP sender and the IMAP intake. */
@Module({
  imports: [MailCoreModule, TownModule],
  providers: [MailSender, MailIntakeService, MailIntakePoller],
  exports: [MailSender, MailIntakeService, MailIntakePoller],
})
export class MailWorkerModule {}
