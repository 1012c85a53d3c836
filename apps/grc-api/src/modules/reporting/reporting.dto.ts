import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsOptional, IsString, IsUrl, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { BREAKDOWNS, CHANNELS, PRIORITIES, type Breakdown, type Channel, type Priority } from '@grc/domain';
import { IsCalendarDate } from '../../common/calendar-date';

/** "a,b" or repeated ?x=a&x=b → ['a', 'b'] */
const list = () =>
  Transform(({ value }) =>
    value === undefined || value === ''
      ? undefined
      : (Array.isArray(value) ? value : String(value).split(',')).map((v: string) => String(v).trim()).filter(Boolean),
  );

/** The period and filters of a dashboard, an export or a breakdown. Without a period: the last 30 days. */
export class FiguresQueryDto {
  @IsOptional() @IsCalendarDate() from?: string;
  @IsOptional() @IsCalendarDate() to?: string;
  @ApiProperty({ required: false, enum: BREAKDOWNS })
  @IsOptional()
  @IsIn(BREAKDOWNS as unknown as string[])
  by?: Breakdown;
  /** departments (each with the departments below it) */
  @IsOptional() @list() @IsArray() @IsUUID('all', { each: true }) departmentId?: string[];
  @IsOptional() @list() @IsArray() @IsUUID('all', { each: true }) categoryId?: string[];
  @IsOptional() @list() @IsArray() @IsIn(CHANNELS as unknown as string[], { each: true }) channel?: Channel[];
  @IsOptional() @list() @IsArray() @IsIn(PRIORITIES as unknown as string[], { each: true }) priority?: Priority[];
  /** areas by name ("" for requests without an area) */
  @IsOptional() @list() @IsArray() @IsString({ each: true }) @MaxLength(200, { each: true }) area?: string[];
}

export class ExportQueryDto extends FiguresQueryDto {
  @ApiProperty({ enum: ['csv', 'xlsx'] })
  @IsIn(['csv', 'xlsx'])
  format!: 'csv' | 'xlsx';
  /** `breakdown`: the table of figures per group (default); `requests`: the requests received in the period, one line each */
  @ApiProperty({ required: false, enum: ['breakdown', 'requests'] })
  @IsOptional()
  @IsIn(['breakdown', 'requests'])
  kind?: 'breakdown' | 'requests';
}

export class MonthlyReportQueryDto {
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'Mois invalide (AAAA-MM).' }) month!: string;
  @IsOptional() @list() @IsArray() @IsUUID('all', { each: true }) departmentId?: string[];
}

export class OpenDataSettingsDto {
  @IsIn([';', ',']) csvSeparator!: ';' | ',';
  @IsInt() @Min(1) @Max(1000) threshold!: number;
  @IsInt() @Min(1) @Max(120) months!: number;
  @IsString() @MinLength(1) @MaxLength(200) licenceTitle!: string;
  @IsUrl({ require_protocol: true, protocols: ['https', 'http'] }) @MaxLength(500) licenceUrl!: string;
}
