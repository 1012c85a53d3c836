import { Transform, Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import {
  CHANNELS,
  PRIORITIES,
  TICKET_STATUSES,
  type Channel,
  type InboxQuery,
  type InboxSort,
  type InboxView,
  type Priority,
  type TicketStatus,
} from '@grc/domain';
import { IsCalendarDate } from '../../common/calendar-date';

/** "a,b" or repeated ?x=a&x=b → ['a', 'b'] */
const list = () =>
  Transform(({ value }) =>
    value === undefined || value === ''
      ? undefined
      : (Array.isArray(value) ? value : String(value).split(',')).map((v: string) => v.trim()).filter(Boolean),
  );

export class InboxQueryDto implements InboxQuery {
  @IsOptional() @IsIn(['mine', 'departments', 'unassigned', 'all']) view?: InboxView;
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  @IsOptional() @list() @IsArray() @IsIn(TICKET_STATUSES as unknown as string[], { each: true }) status?: TicketStatus[];
  @IsOptional() @list() @IsArray() @IsIn(CHANNELS as unknown as string[], { each: true }) channel?: Channel[];
  @IsOptional() @list() @IsArray() @IsUUID('all', { each: true }) categoryId?: string[];
  @IsOptional() @list() @IsArray() @IsUUID('all', { each: true }) departmentId?: string[];
  @IsOptional() @list() @IsArray() @IsIn(PRIORITIES as unknown as string[], { each: true }) priority?: Priority[];
  /** agent ids, or "none" for unassigned */
  @IsOptional() @list() @IsArray() @IsString({ each: true }) assigneeId?: string[];
  @IsOptional() @IsCalendarDate() createdFrom?: string;
  @IsOptional() @IsCalendarDate() createdTo?: string;
  @IsOptional() @IsIn(['created_desc', 'created_asc', 'updated_desc', 'priority_desc', 'due_asc']) sort?: InboxSort;
  /** ?breached=true: only tickets whose SLA is breached */
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean()
  breached?: boolean;
  @IsOptional() @IsString() @MaxLength(500) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
}
