import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { CHANNELS, REQUESTER_KINDS, type Channel, type CitizenInput, type RequesterKind } from '@grc/domain';

/** Shape and types only; the rules (who needs what, phone and e-mail formats) are libs/domain's validateCitizen. */
export class CitizenInputDto implements CitizenInput {
  @IsIn(REQUESTER_KINDS as unknown as string[]) kind!: RequesterKind;
  @IsOptional() @IsString() @MaxLength(100) firstName!: string | null;
  @IsOptional() @IsString() @MaxLength(100) lastName!: string | null;
  @IsOptional() @IsString() @MaxLength(200) organisationName!: string | null;
  @IsOptional() @IsString() @MaxLength(200) contactPerson!: string | null;
  @IsOptional() @IsString() @MaxLength(254) email!: string | null;
  @IsOptional() @IsString() @MaxLength(40) phone!: string | null;
  @IsOptional() @IsString() @MaxLength(500) address!: string | null;
  @IsOptional() @IsString() @MaxLength(10) postcode!: string | null;
  @IsOptional() @IsString() @MaxLength(100) city!: string | null;
  @IsOptional() @IsIn(CHANNELS as unknown as string[]) preferredChannel!: Channel | null;
}

export class CitizenUpdateDto extends CitizenInputDto {
  @IsInt() @Min(1) version!: number;
}

export class CitizenSearchDto {
  @IsString() @MaxLength(200) q!: string;
}
