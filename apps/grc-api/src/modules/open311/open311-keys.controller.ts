import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { notFound } from '../../common/problem';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, RequirePermission } from '../auth/decorators';
import { Open311KeysService, type Open311ApiKey } from './open311-keys.service';

export class CreateOpen311KeyDto {
  /** who uses the key, e.g. "FixMyStreet — prestataire X" */
  @IsString() @MinLength(1) @MaxLength(100) name!: string;
}

const uuid = new ParseUUIDPipe({ exceptionFactory: () => notFound('Clé Open311') });

/**
 * Admin side of the Open311 channel, in the console API. Served at /api/v1/open311-keys rather than
 * /api/v1/open311/keys: http-app excludes `open311/{*path}` from the api/v1 prefix (and the guard
 * exempts /open311/ URLs from the CSRF check), so a controller path starting with `open311/` would
 * leave the console API.
 */
@ApiTags('open311')
@Controller('open311-keys')
export class Open311KeysController {
  constructor(private readonly keys: Open311KeysService) {}

  @RequirePermission('admin.config')
  @Get()
  list(): Promise<Open311ApiKey[]> {
    return this.keys.list();
  }

  @RequirePermission('admin.config')
  @Post()
  create(@CurrentActor() actor: Actor, @Body() dto: CreateOpen311KeyDto): Promise<Open311ApiKey & { key: string }> {
    return this.keys.create(actor, dto.name);
  }

  @RequirePermission('admin.config')
  @Delete(':id')
  revoke(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<Open311ApiKey> {
    return this.keys.revoke(actor, id);
  }
}
