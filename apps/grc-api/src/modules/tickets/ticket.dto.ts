import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  IsObject,
} from 'class-validator';
import {
  AGENT_ENTRY_CHANNELS,
  MESSAGE_KINDS,
  PRIORITIES,
  TICKET_STATUSES,
  type MessageKind,
  type AssignRequest,
  type Channel,
  type CreateTicketRequest,
  type MessageRequest,
  type Priority,
  type StatusChangeRequest,
  type TicketStatus,
  type TransferRequest,
  type UpdateTicketRequest,
} from '@grc/domain';
import { CitizenInputDto } from '../citizens/citizen.dto';

export class CreateTicketDto implements CreateTicketRequest {
  /** Agents register phone, counter, postal mail and email requests; web and Open311 arrive by themselves. */
  @IsIn(AGENT_ENTRY_CHANNELS as Channel[]) channel!: Channel;
  @IsUUID() categoryId!: string;
  @IsString() @MinLength(3) @MaxLength(300) subject!: string;
  @IsString() @MinLength(1) @MaxLength(20000) description!: string;
  @IsOptional() @IsIn(PRIORITIES as unknown as Priority[]) priority?: Priority;
  @IsOptional() @IsUUID() citizenId?: string | null;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CitizenInputDto) newCitizen?: CitizenInputDto | null;
  @IsOptional() @IsString() @MaxLength(500) address?: string | null;
  @IsOptional() @IsLatitude() latitude?: number | null;
  @IsOptional() @IsLongitude() longitude?: number | null;
  /** the category's own fields (checked against their definitions by libs/domain checkFieldValues) */
  @IsOptional() @IsObject() attributes?: Record<string, unknown>;
}

class VersionedDto {
  /** the version the client last read (optimistic locking) */
  @IsInt() @Min(1) version!: number;
}

export class AssignDto extends VersionedDto implements AssignRequest {
  @IsOptional() @IsUUID() assigneeId!: string | null;
}

export class TransferDto extends VersionedDto implements TransferRequest {
  @IsUUID() departmentId!: string;
  @IsString() @MaxLength(1000) reason!: string;
}

export class StatusChangeDto extends VersionedDto implements StatusChangeRequest {
  @IsIn(TICKET_STATUSES as unknown as TicketStatus[]) status!: TicketStatus;
  @IsOptional() @IsString() @MaxLength(20000) comment?: string;
}

export class MessageDto extends VersionedDto implements MessageRequest {
  @IsIn(MESSAGE_KINDS as MessageKind[]) kind!: MessageKind;
  @IsString() @MaxLength(20000) body!: string;
}

export class UpdateTicketDto extends VersionedDto implements UpdateTicketRequest {
  @IsOptional() @IsIn(PRIORITIES as unknown as Priority[]) priority?: Priority;
  @IsOptional() @IsUUID() categoryId?: string;
  @IsOptional() @IsString() @MinLength(3) @MaxLength(300) subject?: string;
  /** some of the category's own fields: code → new value (empty removes an optional one) */
  @IsOptional() @IsObject() attributes?: Record<string, unknown>;
}

/** multipart field next to the file */
export class AttachmentUploadDto {
  @Type(() => Number) @IsInt() @Min(1) version!: number;
}
