import { Transform, Type } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { InboxQueryDto } from '../tickets/inbox.dto';

export class AddressSearchQueryDto {
  /** what was typed: "12 bis av. de la gare" */
  @IsString() @MinLength(1) @MaxLength(200) q!: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(20) limit?: number;
}

/** A decimal number as typed in a query string ("47.39", "-0.5"); anything else ("", " ", "0x10", "1e3", "12abc") is NaN. */
export const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const decimal = () =>
  Transform(({ value }) => (typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : NaN));
const integer = () =>
  Transform(({ value }) =>
    typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN,
  );

export class PointQueryDto {
  @decimal() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-90) @Max(90) lat!: number;
  @decimal() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-180) @Max(180) lng!: number;
}

/** The inbox's view and filters, and the viewport: `bbox` = west,south,east,north (degrees) at `zoom` (0–22). */
export class RequestsMapQueryDto extends InboxQueryDto {
  @IsString() @MaxLength(200) bbox!: string;
  @integer() @IsInt() @Min(0) @Max(22) zoom!: number;
}
