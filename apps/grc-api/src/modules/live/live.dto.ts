import { IsIn } from 'class-validator';
import { PRESENCE_STATES, type PresenceState } from '@grc/domain';

export class PresenceBeatDto {
  /** viewing the ticket, or writing a reply / a note */
  @IsIn(PRESENCE_STATES as unknown as string[]) state!: PresenceState;
}
