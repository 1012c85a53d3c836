import { All, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/decorators';
import { notFound311, splitFormat, type Open311Format } from './open311.errors';
import { Open311ExceptionFilter } from './open311.filter';
import { Open311ReadLimitGuard } from './open311.rate-limit';
import { sendOpen311 } from './open311.format';
import type { RawParams } from './open311.params';
import { Open311Service } from './open311.service';

const unknownEndpoint = () => notFound311('Cette adresse ne correspond à aucune ressource Open311 (formats : .json ou .xml).');

/** `services.json` → 'json' when the name is the expected one; 404 (unknown resource or format) otherwise. */
function formatOf(file: string, expected: string): Open311Format {
  const f = splitFormat(file);
  if (!f || f.name !== expected) throw unknownEndpoint();
  return f.format;
}

/**
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), outside the console API: no session, no CSRF
 * header (http-app excludes /open311 from the api/v1 prefix and the guard exempts it); POST needs an api_key.
 */
@ApiExcludeController()
@Public()
@UseFilters(Open311ExceptionFilter)
@UseGuards(Open311ReadLimitGuard) // GET only: POST needs an api_key
@Controller('open311/v2')
export class Open311Controller {
  constructor(private readonly open311: Open311Service) {}

  /** GET services.{fmt} and GET requests.{fmt} */
  @Get(':file')
  async list(@Param('file') file: string, @Query() query: RawParams, @Res() res: Response): Promise<void> {
    const f = splitFormat(file);
    if (f?.name === 'services') {
      await this.open311.checkJurisdiction(query);
      return sendOpen311(res, f.format, 200, 'services', 'service', await this.open311.services());
    }
    if (f?.name === 'requests') {
      const town = await this.open311.checkJurisdiction(query);
      return sendOpen311(res, f.format, 200, 'service_requests', 'request', await this.open311.list(query, town));
    }
    throw unknownEndpoint();
  }

  /** GET services/{service_code}.{fmt}, requests/{service_request_id}.{fmt}, tokens/{token}.{fmt} */
  @Get(':collection/:file')
  async item(
    @Param('collection') collection: string,
    @Param('file') file: string,
    @Query() query: RawParams,
    @Res() res: Response,
  ): Promise<void> {
    const f = splitFormat(file);
    if (!f || !['services', 'requests', 'tokens'].includes(collection)) throw unknownEndpoint();
    const town = await this.open311.checkJurisdiction(query);
    if (collection === 'services')
      return sendOpen311(res, f.format, 200, 'service_definition', null, await this.open311.definition(f.name));
    if (collection === 'requests')
      return sendOpen311(res, f.format, 200, 'service_requests', 'request', [await this.open311.one(f.name, town)]);
    return sendOpen311(res, f.format, 200, 'service_requests', 'request', [await this.open311.token(f.name)]);
  }

  /**
   * POST requests.{fmt}: form-encoded as the standard says (a JSON body is tolerated). Created
   * synchronously, so the answer carries service_request_id (the ticket's reference); the token
   * recorded for GET tokens/{token} is also sent in the X-Open311-Token header.
   */
  @Post(':file')
  @HttpCode(200)
  async create(@Param('file') file: string, @Query() query: RawParams, @Req() req: Request, @Res() res: Response): Promise<void> {
    const format = formatOf(file, 'requests');
    const body: RawParams = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? req.body : {};
    const params = { ...query, ...body };
    await this.open311.checkJurisdiction(params);
    const created = await this.open311.create(params, req.ip ?? null);
    res.setHeader('X-Open311-Token', created.token);
    sendOpen311(res, format, 200, 'service_requests', 'request', [
      { service_request_id: created.serviceRequestId, service_notice: null, account_id: created.accountId },
    ]);
  }

  /** Anything else under /open311/v2: the standard's 404. */
  @All('{*path}')
  unknown(): never {
    throw unknownEndpoint();
  }
}
