import { Module } from '@nestjs/common';
import { AnonymisationModule } from '../anonymisation/anonymisation.module';
import { loadRetentionConfig, RETENTION_CONFIG } from './retention.config';
import { RetentionController } from './retention.controller';
import { RetentionProcessor } from './retention.processor';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';

const CORE = [{ provide: RETENTION_CONFIG, useFactory: () => loadRetentionConfig() }, RetentionRepository, RetentionService];

/** The api role: rules and runs for the admin screen. */
@Module({ imports: [AnonymisationModule], controllers: [RetentionController], providers: CORE, exports: [RetentionService] })
export class RetentionModule {}

/** The worker role: the repeatable retention job and the purges. */
@Module({ imports: [AnonymisationModule], providers: [...CORE, RetentionProcessor] })
export class RetentionWorkerModule {}
