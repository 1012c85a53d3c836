import {
  ArgumentsHost,
  BadRequestException,
  Body,
  Catch,
  Controller,
  ExceptionFilter,
  Get,
  Headers,
  HttpCode,
  Ip,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  UploadedFiles,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiTags } from '@nestjs/swagger';
import type { PublicForm, PublicRequestCreated, PublicTracking } from '@grc/domain';
import { ProblemException } from '../../common/problem';
import { ProblemFilter } from '../../common/problem.filter';
import { envAtImport } from '../../config/environment';
import { Public } from '../auth/decorators';
import type { UploadedFile } from '../tickets/attachments.service';
import { PUBLIC_MAX_FILES } from './public-files';
import { PublicRateLimitGuard, RateLimited } from './public-rate-limiter';
import { PublicService, type RawFields } from './public.service';

const MAX_BYTES = envAtImport('GRC_MAX_UPLOAD_BYTES');
const upload = (maxFiles: number) =>
  FilesInterceptor('files', maxFiles, {
    // +1: a file of exactly the maximum passes; multer stops reading a larger one at once
    limits: { fileSize: MAX_BYTES + 1, files: maxFiles, fields: 60, fieldSize: 64 * 1024, parts: maxFiles + 60 },
  });

/** multer's own refusals (a file over the limit, too many files) in the words of the public form. */
@Catch(PayloadTooLargeException, BadRequestException)
class UploadErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemFilter();
  catch(error: PayloadTooLargeException | BadRequestException, host: ArgumentsHost): void {
    const message = String((error.getResponse() as { message?: unknown })?.message ?? error.message);
    let converted: unknown = error;
    if (error instanceof PayloadTooLargeException) {
      const text = `Un fichier dépasse la taille maximale de ${Math.round(MAX_BYTES / 1048576)} Mo.`;
      converted = new ProblemException(413, 'Fichier trop volumineux', text, [{ field: 'files', message: text, code: 'file.too_large' }]);
    } else if (/too many files|unexpected field/i.test(message)) {
      const text = `${PUBLIC_MAX_FILES} fichiers au plus.`;
      converted = new ProblemException(400, 'Requête invalide', text, [{ field: 'files', message: text, code: 'file.too_many' }]);
    }
    this.problems.catch(converted, host);
  }
}

/**
 * The citizen side, without an account (rate-limited per IP; state-changing calls need the same
 * `X-Requested-With: grc` header as the console, which the public pages send).
 */
@ApiTags('public')
@Controller('public')
@Public()
@UseGuards(PublicRateLimitGuard)
export class PublicController {
  constructor(private readonly service: PublicService) {}

  /** The town's name, the active categories with their own fields, and the upload limits. */
  @Get('form')
  @RateLimited('read')
  form(): Promise<PublicForm> {
    return this.service.form();
  }

  /** A new request (multipart/form-data: the fields of PublicRequestFields and up to 5 `files`). */
  @Post('requests')
  @RateLimited('create')
  @UseFilters(UploadErrorFilter)
  @UseInterceptors(upload(PUBLIC_MAX_FILES))
  create(@Body() fields: RawFields, @UploadedFiles() files: UploadedFile[] | undefined, @Ip() ip: string): Promise<PublicRequestCreated> {
    return this.service.create(fields ?? {}, files ?? [], ip ?? null);
  }

  /** The tracking page's data: the key in `k` (or the X-Tracking-Key header). 404 for any key that does not open it. */
  @Get('requests/:reference')
  @RateLimited('read')
  track(
    @Param('reference') reference: string,
    @Query('k') k: string | undefined,
    @Headers('x-tracking-key') header: string | undefined,
  ): Promise<PublicTracking> {
    return this.service.track(reference, String(header ?? k ?? ''));
  }

  /** Additional information from the citizen (multipart: `k`, `body`, up to 5 `files`). */
  @Post('requests/:reference/messages')
  @HttpCode(200)
  @RateLimited('message')
  @UseFilters(UploadErrorFilter)
  @UseInterceptors(upload(PUBLIC_MAX_FILES))
  message(
    @Param('reference') reference: string,
    @Body() fields: RawFields,
    @UploadedFiles() files: UploadedFile[] | undefined,
    @Headers('x-tracking-key') header: string | undefined,
    @Ip() ip: string,
  ): Promise<PublicTracking> {
    const k = header ?? (typeof fields?.['k'] === 'string' ? fields['k'] : '');
    return this.service.addInformation(reference, k, fields ?? {}, files ?? [], ip ?? null);
  }
}
