import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { InboxQueryDto } from '../tickets/inbox.dto';

export class AddressSearchQueryDto {
  /** what was typed: "12 bis av. de la gare" */
  @IsString() @MinLength(1) @MaxLength(200) q!: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(20) limit?: number;
}

export class PointQueryDto {
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-90) @Max(90) lat!: number;
  @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-180) @Max(180) lng!: number;
}

/** The inbox's view and filters, and the viewport: `bbox` = west,south,east,north (degrees) at `zoom` (0–22). */
export class RequestsMapQueryDto extends InboxQueryDto {
  @IsString() @MaxLength(200) bbox!: string;
  @Type(() => Number) @IsInt() @Min(0) @Max(22) zoom!: number;
}
