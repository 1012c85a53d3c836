import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { MAX_RETENTION_MONTHS, RETENTION_ACTIONS, type RetentionAction } from '@grc/domain';

export class RetentionRuleDto {
  /** the category; null: the town's default for every category without its own rule */
  @IsOptional() @IsUUID('all') categoryId!: string | null;
  /** months the requester's identity is kept after the request is closed */
  @IsInt() @Min(0) @Max(MAX_RETENTION_MONTHS) months!: number;
  /** then: `anonymise` (the request stays, the person goes) or `delete` */
  @IsIn(RETENTION_ACTIONS) action!: RetentionAction;
}

/** PUT body: the whole rule set (replaces the previous one). */
export class RetentionRulesDto {
  @IsArray() @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => RetentionRuleDto) rules!: RetentionRuleDto[];
}

export interface RetentionRuleView {
  categoryId: string | null;
  categoryCode: string | null;
  months: number;
  action: RetentionAction;
  updatedAt: string;
}
export interface RetentionRunView {
  id: string;
  kind: 'retention' | 'purge';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  counts: Record<string, unknown>;
  error: string | null;
}
