import { Controller, Get, Param, ParseUUIDPipe, Post, Query, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { diskStorage } from 'multer';
import type { AddressSuggestion, BanImportReport, MapSettings, NearbyRequest, PlacesSummary, RequestsMap } from '@grc/domain';
import { invalidField } from '../../common/problem';
import type { Actor, AuthenticatedAgent } from '../auth/authenticated-agent';
import { Authenticated, CurrentActor, CurrentAgent, Public, RequirePermission } from '../auth/decorators';
import { PublicRateLimitGuard, RateLimited } from '../public/public-rate-limiter';
import { AddressSearchQueryDto, PointQueryDto, RequestsMapQueryDto } from './places.dto';
import { PlacesService } from './places.service';
import { envAtImport } from '../../config/environment';

/** A BAN file of a large département is a few hundred megabytes: kept on disk while it is read, then removed. */
const BAN_MAX_BYTES = envAtImport('GRC_BAN_MAX_BYTES');
const banUpload = FileInterceptor('file', {
  storage: diskStorage({ destination: tmpdir() }),
  limits: { fileSize: BAN_MAX_BYTES, files: 1, fields: 2 },
});

/** The agents' side: addresses (every signed-in role that reads reference data), the map, the admin's BAN import. */
@ApiTags('places')
@Controller('places')
export class PlacesController {
  constructor(private readonly places: PlacesService) {}

  /** Search-as-you-type in the town's BAN addresses. */
  @RequirePermission('reference.read')
  @Get('search')
  search(@Query() q: AddressSearchQueryDto): Promise<AddressSuggestion[]> {
    return this.places.search(q.q, q.limit);
  }

  /** The nearest address to a point (a pin dropped on the map); `null` farther than 1 km from any. */
  @RequirePermission('reference.read')
  @Get('reverse')
  reverse(@Query() q: PointQueryDto): Promise<AddressSuggestion | null> {
    return this.places.reverse(q.lat, q.lng);
  }

  /** The tile source (configuration) and where the map opens. */
  @Authenticated()
  @Get('map-settings')
  mapSettings(): Promise<MapSettings> {
    return this.places.mapSettings();
  }

  /** Open requests of the caller's departments within 500 m of a point, nearest first (the new-ticket form). */
  @RequirePermission('tickets.read')
  @Get('nearby')
  nearby(@CurrentAgent() agent: AuthenticatedAgent, @Query() q: PointQueryDto): Promise<NearbyRequest[]> {
    return this.places.near(agent, q.lat, q.lng);
  }

  /** The map of requests: the inbox's view and filters, open and placed requests in the viewport, clustered per zoom. */
  @RequirePermission('tickets.read')
  @Get('requests-map')
  requestsMap(@CurrentAgent() agent: AuthenticatedAgent, @Query() q: RequestsMapQueryDto): Promise<RequestsMap> {
    return this.places.requestsMap(agent, q);
  }

  /** How many addresses, streets and communes are loaded, and when. */
  @RequirePermission('admin.config')
  @Get('summary')
  summary(): Promise<PlacesSummary> {
    return this.places.summary();
  }

  /** Imports a file of the BAN's CSV format (multipart `file`): idempotent, updates in place. */
  @RequirePermission('admin.config')
  @Post('imports')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @UseInterceptors(banUpload)
  async import(@CurrentActor() actor: Actor, @UploadedFile() file: Express.Multer.File | undefined): Promise<BanImportReport> {
    if (!file?.path) throw invalidField('file', 'Joignez un fichier au format BAN (adresses-<département>.csv).', 'file.required');
    try {
      return await this.places.import(actor, createReadStream(file.path), file.originalname || 'upload.csv');
    } finally {
      await unlink(file.path).catch(() => undefined);
    }
  }
}

/** A ticket's open neighbours (its department's visibility rules: another department's ticket answers 404). */
@ApiTags('places')
@Controller('tickets')
export class TicketNearbyController {
  constructor(private readonly places: PlacesService) {}

  @RequirePermission('tickets.read')
  @Get(':id/nearby')
  nearby(@CurrentAgent() agent: AuthenticatedAgent, @Param('id', new ParseUUIDPipe()) id: string): Promise<NearbyRequest[]> {
    return this.places.nearTicket(agent, id);
  }
}

/** The public form's address field and map (no account; rate-limited per IP like the other public reads). */
@ApiTags('public')
@Controller('public/places')
@Public()
@UseGuards(PublicRateLimitGuard)
export class PublicPlacesController {
  constructor(private readonly places: PlacesService) {}

  @Get('search')
  @RateLimited('read')
  search(@Query() q: AddressSearchQueryDto): Promise<AddressSuggestion[]> {
    return this.places.search(q.q, q.limit);
  }

  @Get('reverse')
  @RateLimited('read')
  reverse(@Query() q: PointQueryDto): Promise<AddressSuggestion | null> {
    return this.places.reverse(q.lat, q.lng);
  }

  @Get('map-settings')
  @RateLimited('read')
  mapSettings(): Promise<MapSettings> {
    return this.places.mapSettings();
  }
}
