import { Module } from '@nestjs/common';
import { ViewsController } from './views.controller';
import { ViewsRepository } from './views.repository';
import { ViewsService } from './views.service';

/** Saved views of the inbox (api role). AuditService comes from the global AuditModule. */
@Module({ controllers: [ViewsController], providers: [ViewsRepository, ViewsService] })
export class ViewsModule {}
