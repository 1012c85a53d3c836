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
import { AppRole1763800000950 } from './1763800000950-app-role';
import { SearchIndexFlush1763800001000 } from './1763800001000-search-index-flush';
import { AttachmentKeys1763800001010 } from './1763800001010-attachment-keys';
import { Reporting1763800001020 } from './1763800001020-reporting';
import { Places1763800001030 } from './1763800001030-places';
import { PlacesTicketPositions1763800001035 } from './1763800001035-places-ticket-positions';
import { SavedViews1763800001040 } from './1763800001040-saved-views';
import { TownSettingsScreen1763800001050 } from './1763800001050-town-settings-screen';
import { FrenchCollation1763800001060 } from './1763800001060-french-collation';
import { WorkflowDefinitionsKeyOrder1763800001070 } from './1763800001070-workflow-definitions-key-order';
import { IntakeLocaleIndex1763800001080 } from './1763800001080-intake-locale-index';
import { Communes1763800001090 } from './1763800001090-communes';
import { CommunesValidate1763800001100 } from './1763800001100-communes-validate';
import { RlsIndexable1763800001110 } from './1763800001110-rls-indexable';
import { LettersAndScopedTemplates1763800001200 } from './1763800001200-letters-and-scoped-templates';
import { AddressSearchPrefix1763800001300 } from './1763800001300-address-search-prefix';
import { PlacesMapCovering1763800001310 } from './1763800001310-places-map-covering';
import { CommunesScopeAll1763800001400 } from './1763800001400-communes-scope-all';
import { CommunesScopeAllValidate1763800001410 } from './1763800001410-communes-scope-all-validate';
import { AgentCommunes1763800001420 } from './1763800001420-agent-communes';
import { SignInLinks1763800001600 } from './1763800001600-sign-in-links';
import { CategoryFields1763800001800 } from './1763800001800-category-fields';
import { LettersCommune1763800001900 } from './1763800001900-letters-commune';
import { MetropoleSharedServices1763800002000 } from './1763800002000-metropole-shared-services';
import { CommunePublicHost1763800002010 } from './1763800002010-commune-public-host';
import { MetropoleSharedEvents1763800002020 } from './1763800002020-metropole-shared-events';
import { RlsIndexablePlaces1763800002300 } from './1763800002300-rls-indexable-places';
import { PlacesMapCoveringCommune1763800002310 } from './1763800002310-places-map-covering-commune';
import { SharedDepartmentsFastPath1763800002320 } from './1763800002320-shared-departments-fast-path';
import { ReportingCube1763800002400 } from './1763800002400-reporting-cube';
import { ReportingFactsDates1763800002410 } from './1763800002410-reporting-facts-dates';
import { TicketRowsCommune1763800002500 } from './1763800002500-ticket-rows-commune';
import { InboxCountersPerCommune1763800002510 } from './1763800002510-inbox-counters-per-commune';
import { MetropoleSharedCategories1763800002520 } from './1763800002520-metropole-shared-categories';
import { PolicyFunctionsPlpgsql1763800002600 } from './1763800002600-policy-functions-plpgsql';
import { PlainCommuneSetting1763800003100 } from './1763800003100-plain-commune-setting';
import { TicketMovesWithinCommune1763800003700 } from './1763800003700-ticket-moves-within-commune';
import { OpenCountsCoveringIndex1763800003710 } from './1763800003710-open-counts-covering-index';
import { PoliciesWithoutSubqueries1763800003800 } from './1763800003800-policies-without-subqueries';
import { QuarantineReasonCodes1763800003900 } from './1763800003900-quarantine-reason-codes';
import { ReportingDatesFirst1763800004000 } from './1763800004000-reporting-dates-first';
import { AuditSharedPolicyFunction1763800004010 } from './1763800004010-audit-shared-policy-function';
import { CubeSharedPolicy1763800004020 } from './1763800004020-cube-shared-policy';
import { FactsReference1763800004030 } from './1763800004030-facts-reference';

/**
 * Every migration, in timestamp order. Webpack bundles the API, so they are listed, not globbed.
 * A new migration takes a timestamp after every released one (0.1.0 ended with AppRole1763800000950), so that
 * a fresh database and an upgraded one apply them in the same order (test/upgrade.spec.ts); the tables and
 * sequences it creates are the app role's to use through AppRole's default privileges.
 */
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
  AppRole1763800000950,
  SearchIndexFlush1763800001000,
  AttachmentKeys1763800001010,
  Reporting1763800001020,
  Places1763800001030,
  PlacesTicketPositions1763800001035,
  SavedViews1763800001040,
  TownSettingsScreen1763800001050,
  FrenchCollation1763800001060,
  WorkflowDefinitionsKeyOrder1763800001070,
  IntakeLocaleIndex1763800001080,
  Communes1763800001090,
  CommunesValidate1763800001100,
  RlsIndexable1763800001110,
  LettersAndScopedTemplates1763800001200,
  AddressSearchPrefix1763800001300,
  PlacesMapCovering1763800001310,
  CommunesScopeAll1763800001400,
  CommunesScopeAllValidate1763800001410,
  AgentCommunes1763800001420,
  SignInLinks1763800001600,
  CategoryFields1763800001800,
  LettersCommune1763800001900,
  MetropoleSharedServices1763800002000,
  CommunePublicHost1763800002010,
  MetropoleSharedEvents1763800002020,
  RlsIndexablePlaces1763800002300,
  PlacesMapCoveringCommune1763800002310,
  SharedDepartmentsFastPath1763800002320,
  ReportingCube1763800002400,
  ReportingFactsDates1763800002410,
  TicketRowsCommune1763800002500,
  InboxCountersPerCommune1763800002510,
  MetropoleSharedCategories1763800002520,
  PolicyFunctionsPlpgsql1763800002600,
  PlainCommuneSetting1763800003100,
  TicketMovesWithinCommune1763800003700,
  OpenCountsCoveringIndex1763800003710,
  PoliciesWithoutSubqueries1763800003800,
  QuarantineReasonCodes1763800003900,
  ReportingDatesFirst1763800004000,
  AuditSharedPolicyFunction1763800004010,
  CubeSharedPolicy1763800004020,
  FactsReference1763800004030,
];
