import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { MAX_AREA_FEATURES } from '@grc/domain';
import type { Polygon, RoutingRuleInput } from '@grc/domain';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateRoutingRuleDto implements RoutingRuleInput {
  @IsUUID() categoryId!: string;
  @IsUUID() departmentId!: string;
  /** name of the area (required with `area`) */
  @IsOptional() @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) areaName?: string | null;
  /** [lng, lat] points, at least 3 (checked point by point by the service); null means "anywhere" */
  @IsOptional() @IsArray() area?: Polygon | null;
  /** lower runs first; defaults to after the category's last rule */
  @IsOptional() @IsInt() @Min(0) @Max(1_000_000) position?: number;
}

/** PUT body: the same fields plus the version last read. Absent area/areaName/position are left unchanged; null clears the area. */
export class UpdateRoutingRuleDto extends CreateRoutingRuleDto {
  @IsInt() @Min(1) version!: number;
}

/** A GeoJSON FeatureCollection (RFC 7946) of Polygon features; each feature is checked by libs/domain `planAreaImport`. */
export class RoutingAreasGeoJsonDto {
  @IsIn(['FeatureCollection']) type!: 'FeatureCollection';
  /** `{ type: 'Feature', properties: { ruleId?, name, category?, department? }, geometry: { type: 'Polygon', coordinates } }` */
  @IsArray() @ArrayMaxSize(MAX_AREA_FEATURES) @IsObject({ each: true }) features!: object[];
  /** RFC 7946 allows these members; they are ignored */
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsObject() crs?: object;
  @IsOptional() @IsArray() bbox?: number[];
}

export class AreasImportQueryDto {
  /** `true`: the preview only, nothing is written */
  @IsOptional() @IsIn(['true', 'false']) dryRun?: 'true' | 'false';
}
