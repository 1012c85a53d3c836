import { IsInt, IsUUID, Min } from 'class-validator';

export class UnlinkDto {
  /** the version the client last read (optimistic locking) */
  @IsInt() @Min(1) version!: number;
}

export class LinkDto extends UnlinkDto {
  /** the ticket this one will follow */
  @IsUUID() masterId!: string;
}
