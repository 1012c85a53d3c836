import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  CHANNELS,
  INBOX_COLUMNS,
  PRIORITIES,
  TICKET_STATUSES,
  type Channel,
  type InboxColumn,
  type InboxSort,
  type InboxView,
  type Priority,
  type SavedViewInput,
  type SavedViewQuery,
  type TicketStatus,
} from '@grc/domain';

/** The inbox's filters and sort as a view keeps them (the same values GET /tickets takes). */
export class SavedViewQueryDto implements SavedViewQuery {
  @IsOptional() @IsIn(['mine', 'departments', 'unassigned', 'all']) view?: InboxView;
  @IsOptional() @IsString() @MaxLength(200) q?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsIn(TICKET_STATUSES as unknown as string[], { each: true }) status?: TicketStatus[];
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsIn(CHANNELS as unknown as string[], { each: true }) channel?: Channel[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) categoryId?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsUUID('all', { each: true }) departmentId?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsIn(PRIORITIES as unknown as string[], { each: true }) priority?: Priority[];
  /** agent ids, or "none" for unassigned */
  @IsOptional() @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(36, { each: true }) assigneeId?: string[];
  @IsOptional() @IsBoolean() breached?: boolean;
  @IsOptional() @IsIn(['created_desc', 'created_asc', 'updated_desc', 'priority_desc', 'due_asc']) sort?: InboxSort;
}

export class SavedViewDto implements SavedViewInput {
  @IsString() @MinLength(1) @MaxLength(80) name!: string;
  @IsObject() @ValidateNested() @Type(() => SavedViewQueryDto) query!: SavedViewQueryDto;
  @IsArray() @ArrayMaxSize(INBOX_COLUMNS.length) @IsIn(INBOX_COLUMNS as unknown as string[], { each: true }) columns!: InboxColumn[];
  /** [] = personal; a head may share with departments they belong to */
  @IsArray() @ArrayMaxSize(50) @IsUUID('all', { each: true }) sharedDepartmentIds!: string[];
}

export class SavedViewUpdateDto extends SavedViewDto {
  @Type(() => Number) @IsInt() @Min(1) version!: number;
}
