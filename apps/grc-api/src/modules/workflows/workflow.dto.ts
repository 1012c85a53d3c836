import { Type } from 'class-transformer';
import {
  Allow,
  Equals,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CHANNELS, PRIORITIES, TICKET_STATUSES, type Priority } from '@grc/domain';
import type {
  DelegationInput,
  WorkflowActionRequest,
  WorkflowActionRequestType,
  WorkflowBindingInput,
  WorkflowDryRunRequest,
  WorkflowDryRunSample,
  WorkflowFileFormat,
  WorkflowImportRequest,
  WorkflowSourceRequest,
} from '@grc/domain';

const FORMATS = ['yaml', 'json'];
const ACTIONS: WorkflowActionRequestType[] = [
  'start',
  'submit_draft',
  'approve',
  'reject',
  'edit_and_approve',
  'give_opinion',
  'citizen_replied',
  'cancel',
];

export class WorkflowSourceDto implements WorkflowSourceRequest {
  /** YAML or JSON text (≤ 256 kB) */
  @IsOptional() @IsString() @MaxLength(262_144) source?: string;
  @IsOptional() @IsIn(FORMATS) format?: WorkflowFileFormat;
  /** or the definition as an object */
  @IsOptional() @Allow() definition?: unknown;
}

export class WorkflowImportDto extends WorkflowSourceDto implements WorkflowImportRequest {
  @IsOptional() @IsBoolean() publish?: boolean;
}

/** The sample request of a dry run: ids of the town's reference data, values picked from lists. */
export class WorkflowDryRunSampleDto implements WorkflowDryRunSample {
  @IsUUID() departmentId!: string;
  @IsOptional() @IsUUID() categoryId?: string | null;
  @IsOptional() @IsIn(PRIORITIES as unknown as Priority[]) priority?: Priority;
  @IsOptional() @IsIn(CHANNELS as unknown as string[]) channel?: string | null;
  @IsOptional() @IsIn(TICKET_STATUSES as unknown as string[]) status?: string | null;
  @IsOptional() @IsIn(['agent', 'head', 'admin', 'elected']) authorRole?: 'agent' | 'head' | 'admin' | 'elected';
}

export class WorkflowDryRunDto extends WorkflowSourceDto implements WorkflowDryRunRequest {
  /** one definition (an object; the YAML or JSON text goes in `source`) */
  @ValidateIf((o: WorkflowDryRunDto) => o.definition !== undefined) @IsObject() declare definition?: unknown;
  @IsObject() @ValidateNested() @Type(() => WorkflowDryRunSampleDto) sample!: WorkflowDryRunSampleDto;
}

export class WorkflowExportQueryDto {
  @IsOptional() @IsIn(FORMATS) format?: WorkflowFileFormat;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(2_147_483_647) version?: number;
}

export class WorkflowBindingDto implements WorkflowBindingInput {
  @IsOptional() @IsUUID() categoryId?: string | null;
  @IsOptional() @IsUUID() departmentId?: string | null;
  @IsString() @Matches(/^[a-z][a-z0-9_-]*$/) @MaxLength(64) definitionCode!: string;
  /** a binding with neither category nor department covers the whole town: only when asked explicitly */
  @ValidateIf((o: WorkflowBindingDto) => !o.categoryId && !o.departmentId)
  @Equals(true, {
    message:
      'Sans catégorie ni service, le circuit s’appliquerait à toute la commune : cochez « toute la commune » (townWide) pour le confirmer.',
  })
  townWide?: boolean;
}

export class WorkflowActionDto implements WorkflowActionRequest {
  @IsIn(ACTIONS) type!: WorkflowActionRequestType;
  @Type(() => Number) @IsInt() @Min(1) version!: number;
  @IsOptional() @IsString() @MaxLength(5000) comment?: string;
  @IsOptional() @IsString() @MaxLength(20_000) text?: string;
  @IsOptional() @IsString() @MaxLength(64) department?: string;
  @IsOptional() @IsIn(['favourable', 'unfavourable', 'reserved']) verdict?: 'favourable' | 'unfavourable' | 'reserved';
  @IsOptional() @IsUUID() onBehalfOf?: string;
}

export class DelegationDto implements DelegationInput {
  @IsOptional() @IsUUID() fromAgentId?: string;
  @IsUUID() toAgentId!: string;
  @IsDateString() startsAt!: string;
  @IsDateString() endsAt!: string;
}
