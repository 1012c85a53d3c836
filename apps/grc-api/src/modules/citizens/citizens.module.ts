import { Module } from '@nestjs/common';
import { CitizensController } from './citizens.controller';
import { CitizensRepository } from './citizens.repository';
import { CitizensService } from './citizens.service';

@Module({ controllers: [CitizensController], providers: [CitizensService, CitizensRepository], exports: [CitizensService] })
export class CitizensModule {}
