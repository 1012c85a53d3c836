import { Body, Controller, Get, Put, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { PublicTown, TownSettingsView } from '@grc/domain';
import type { Actor } from '../auth/authenticated-agent';
import { CurrentActor, Public, RequirePermission } from '../auth/decorators';
import { TownSettingsDto } from './town-settings.dto';
import { TownSettingsService } from './town-settings.service';

/** The town's own settings (Administration › Commune). */
@ApiTags('town')
@Controller('town-settings')
export class TownSettingsController {
  constructor(private readonly town: TownSettingsService) {}

  @RequirePermission('admin.config')
  @Get()
  get(): Promise<TownSettingsView> {
    return this.town.get();
  }

  @RequirePermission('admin.config')
  @Put()
  update(@CurrentActor() actor: Actor, @Body() body: TownSettingsDto): Promise<TownSettingsView> {
    return this.town.update(actor, body);
  }
}

/** What the public pages show of the town: its name, texts and logo. */
@ApiTags('public')
@Controller('public')
export class PublicTownController {
  constructor(private readonly town: TownSettingsService) {}

  @Public()
  @Get('town')
  publicTown(): Promise<PublicTown> {
    return this.town.publicTown();
  }

  /** The logo's bytes (404 without one); its type was checked from its content when it was saved. */
  @Public()
  @Get('town-logo')
  async logo(@Res() res: Response): Promise<void> {
    const logo = await this.town.logo();
    res.setHeader('Content-Type', logo.type);
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(logo.bytes);
  }
}
