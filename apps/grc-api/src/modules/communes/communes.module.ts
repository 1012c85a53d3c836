import { Module } from '@nestjs/common';
import { TownModule } from '../town/town.module';
import { CommunesController } from './communes.controller';
import { CommunesRepository } from './communes.repository';
import { CommunesService } from './communes.service';

/** The api role: a métropole's communes (Administration › Communes). */
@Module({
  imports: [TownModule],
  controllers: [CommunesController],
  providers: [CommunesRepository, CommunesService],
})
export class CommunesModule {}
