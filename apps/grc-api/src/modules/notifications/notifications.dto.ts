import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { NOTIFICATION_PAGE_MAX, type NotificationListQuery, type NotificationReadAllRequest } from '@grc/domain';

/** ?unread=true|false (query strings are text) */
const bool = () =>
  Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value));

export class NotificationListQueryDto implements NotificationListQuery {
  /** only the unread ones */
  @IsOptional() @bool() @IsBoolean() unread?: boolean;
  /** the `nextCursor` of the previous page */
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(NOTIFICATION_PAGE_MAX) limit?: number;
}

export class NotificationReadAllDto implements NotificationReadAllRequest {
  /** mark only notifications up to this one (the newest the agent has seen); all when absent */
  @IsOptional() @IsString() @Matches(/^[1-9][0-9]{0,17}$/, { message: 'Identifiant de notification invalide.' }) upToId?: string;
}
