import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAIL_EVENTS, type MailboxInput, type MailEvent, type ReplyTemplateInput } from '@grc/domain';

/** One line, no control characters: what ends up in a header or an IMAP command is refused otherwise. */
// eslint-disable-next-line no-control-regex
const ONE_LINE = /^[^\u0000-\u001f\u007f\u0085\u2028\u2029]*$/;
const oneLine = { message: 'Une seule ligne, sans caractère de contrôle (retour à la ligne refusé).' };

export class MailTemplateDto {
  @IsString() @MinLength(1) @MaxLength(300) @Matches(ONE_LINE, oneLine) subject!: string;
  @IsString() @MinLength(1) @MaxLength(20000) body!: string;
}

export class MailTemplatePreviewDto extends MailTemplateDto {
  @IsIn(MAIL_EVENTS as unknown as MailEvent[]) event!: MailEvent;
}

export class ReplyTemplateDto implements ReplyTemplateInput {
  @IsString() @MinLength(1) @MaxLength(100) @Matches(ONE_LINE, oneLine) name!: string;
  @IsString() @MinLength(1) @MaxLength(20000) body!: string;
  @IsOptional() @IsBoolean() active?: boolean;
  /** proposed first for this department's requests (null: any) */
  @IsOptional() @IsUUID() departmentId?: string | null;
  /** proposed first for this category's requests (null: any) */
  @IsOptional() @IsUUID() categoryId?: string | null;
}

export class RenderReplyTemplateDto {
  @IsUUID() ticketId!: string;
}

export class ReplyTemplatesQueryDto {
  /** the ticket being answered: the templates that fit it come first, each with its `fit` */
  @IsOptional() @IsUUID() ticketId?: string;
}

export class MailboxDto implements MailboxInput {
  @IsString() @MinLength(1) @MaxLength(100) @Matches(ONE_LINE, oneLine) name!: string;
  @IsString()
  @MinLength(1)
  @MaxLength(253)
  @Matches(/^[A-Za-z0-9.-]+$|^\[?[0-9a-fA-F:.]+\]?$/, { message: 'Nom d’hôte ou adresse IP.' })
  host!: string;
  @IsInt() @Min(1) @Max(65535) port!: number;
  @IsBoolean() secure!: boolean;
  @IsString() @MinLength(1) @MaxLength(254) @Matches(ONE_LINE, oneLine) username!: string;
  @IsOptional() @IsString() @MaxLength(500) @Matches(ONE_LINE, oneLine) password?: string;
  @IsString() @MinLength(1) @MaxLength(200) @Matches(ONE_LINE, oneLine) folder!: string;
  @IsOptional() @IsString() @MaxLength(200) @Matches(ONE_LINE, oneLine) processedFolder?: string | null;
  @IsUUID() categoryId!: string;
  @IsOptional() @IsUUID() departmentId?: string | null;
  @IsInt() @Min(1) @Max(86400) pollIntervalSeconds!: number;
  @IsBoolean() active!: boolean;
}
