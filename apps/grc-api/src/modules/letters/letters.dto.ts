import { IsIn, IsOptional } from 'class-validator';
import { LETTER_STATES, type LetterState } from '@grc/domain';

export class LettersQueryDto {
  /** to_send (default): the queue, oldest first; sent: the letters posted, newest first */
  @IsOptional() @IsIn(LETTER_STATES as unknown as LetterState[]) state?: LetterState;
}
