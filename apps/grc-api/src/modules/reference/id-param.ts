import { ParseUUIDPipe } from '@nestjs/common';
import { notFound } from '../../common/problem';

/** A `:id` path parameter: anything but a UUID names nothing, so it answers 404 like an unknown id. */
export const idParam = (what: string) => new ParseUUIDPipe({ exceptionFactory: () => notFound(what) });
