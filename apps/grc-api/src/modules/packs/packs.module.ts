import { Module } from '@nestjs/common';
import { PacksController } from './packs.controller';
import { PacksService } from './packs.service';

/** The api role: export and import of the town's configuration as a town pack. */
@Module({ controllers: [PacksController], providers: [PacksService] })
export class PacksModule {}
