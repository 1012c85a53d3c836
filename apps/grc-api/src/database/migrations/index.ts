import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { TownSettings1763800000001 } from './1763800000001-town-settings';
import { Open3111763800000100 } from './1763800000100-open311';
import { Sla1763800000200 } from './1763800000200-sla';
import { Workflows1763800000300 } from './1763800000300-workflows';
import { Mail1763800000400 } from './1763800000400-mail';
import { PublicDuplicates1763800000500 } from './1763800000500-public-duplicates';
import { Channels1763800000600 } from './1763800000600-channels';
import { NotificationReads1763800000700 } from './1763800000700-notification-reads';
import { SlaStepCalendars1763800000800 } from './1763800000800-sla-step-calendars';
import { FrontDesk1763800000810 } from './1763800000810-front-desk';
import { MailThreadingPublicNotes1763800000820 } from './1763800000820-mail-threading-public-notes';
import { Retention1763800000840 } from './1763800000840-retention';
import { PrivacySettings1763800000850 } from './1763800000850-privacy-settings';
import { Dpo1763800000860 } from './1763800000860-dpo';
import { IdentityProviders1763800000870 } from './1763800000870-identity-providers';
import { LocalAccounts1763800000880 } from './1763800000880-local-accounts';
import { TownSettingsScreen1763800000910 } from './1763800000910-town-settings-screen';
import { FrenchCollation1763800000911 } from './1763800000911-french-collation';
import { SearchIndexFlush1763800000885 } from './1763800000885-search-index-flush';
import { AttachmentKeys1763800000886 } from './1763800000886-attachment-keys';
import { WorkflowDefinitionsKeyOrder1763800000915 } from './1763800000915-workflow-definitions-key-order';
import { Reporting1763800000890 } from './1763800000890-reporting';
import { Places1763800000895 } from './1763800000895-places';
import { SavedViews1763800000900 } from './1763800000900-saved-views';
import { IntakeLocaleIndex1763800000920 } from './1763800000920-intake-locale-index';
import { Communes1763800000925 } from './1763800000925-communes';
import { CommunesValidate1763800000926 } from './1763800000926-communes-validate';
import { AppRole1763800000950 } from './1763800000950-app-role';

/** Every migration, in order. Webpack bundles the API, so they are listed, not globbed. */
export const MIGRATIONS = [
  InitialSchema1763800000000,
  TownSettings1763800000001,
  Open3111763800000100,
  Sla1763800000200,
  Workflows1763800000300,
  Mail1763800000400,
  PublicDuplicates1763800000500,
  Channels1763800000600,
  NotificationReads1763800000700,
  SlaStepCalendars1763800000800,
  FrontDesk1763800000810,
  MailThreadingPublicNotes1763800000820,
  Retention1763800000840,
  PrivacySettings1763800000850,
  Dpo1763800000860,
  IdentityProviders1763800000870,
  LocalAccounts1763800000880,
  SearchIndexFlush1763800000885,
  AttachmentKeys1763800000886,
  Reporting1763800000890,
  Places1763800000895,
  SavedViews1763800000900,
  WorkflowDefinitionsKeyOrder1763800000915,
  IntakeLocaleIndex1763800000920,
  TownSettingsScreen1763800000910,
  FrenchCollation1763800000911,
  Communes1763800000925,
  CommunesValidate1763800000926,
  AppRole1763800000950,
];
