import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { LETTER_STATES, type LetterState } from '@grc/domain';

export class LettersQueryDto {
  /** to_send (default): the queue, oldest first; sent: the letters posted, newest first */
  @IsOptional() @IsIn(LETTER_STATES as unknown as LetterState[]) state?: LetterState;
  /** one request's letters (the ticket page's panel): both states unless `state` is given */
  @IsOptional() @IsUUID() ticketId?: string;
}
