/**
 * Town pack format, version 1: the zod schemas of each YAML file and the types they produce.
 * A town pack is a folder of YAML files another town can load (see packs/README.md).
 */
import { z } from 'zod';
import { checkFieldDefinitions, FIELD_DATATYPES } from '../category-fields/category-fields';
import type { SlaPolicy } from '../sla/policy';
import { CHANNELS } from '../ticket/channel';
import { PRIORITIES } from '../ticket/priority';
import { selfIntersections } from '../routing/routing';
import { ROLES } from '../access/roles';
import { MAIL_EVENTS } from '../contracts/mail';
import { PUBLIC_TEXT_MAX } from '../contracts/town';
import { CNIL, LEGAL_BASES, PRIVACY_PURPOSES } from '../rgpd/privacy-notice';

export const PACK_FORMAT_VERSION = 1 as const;

/** Files of a pack, in loading order. */
export const PACK_FILES = {
  town: 'town.yaml',
  departments: 'departments.yaml',
  categories: 'categories.yaml',
  routing: 'routing.yaml',
  agents: 'agents.yaml',
  demoTickets: 'demo-tickets.yaml',
  /** optional: SLA calendars and policies (apps/grc-api modules/sla) */
  sla: 'sla.yaml',
  /** optional: retention rules, per category and the town's default (apps/grc-api modules/retention, docs/rgpd.md) */
  retention: 'retention.yaml',
  /** optional: the information notice's controller, DPO contact, purposes, legal basis and authority (docs/rgpd.md) */
  privacy: 'privacy.yaml',
  /** optional: the e-mails' templates (per event and locale) and the agents' reply templates (apps/grc-api modules/mail) */
  templates: 'templates.yaml',
} as const;
export type PackFileName = (typeof PACK_FILES)[keyof typeof PACK_FILES];
export const REQUIRED_PACK_FILES: readonly PackFileName[] = [PACK_FILES.town, PACK_FILES.departments, PACK_FILES.categories];

/** Placeholders a demo template text may use. */
export const DEMO_TEMPLATE_PLACEHOLDERS = ['address', 'street', 'place'] as const;
/** Placeholders a transfer reason may use: department names. */
export const DEMO_TRANSFER_PLACEHOLDERS = ['from', 'to'] as const;

const code = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lowercase code: letters, digits and dashes (e.g. "espaces-verts")')
  .max(64);
/** A department of the pack, or (`metropole:<code>`) a shared department of the commune's métropole (town.metropole). */
const departmentRef = z
  .string()
  .regex(
    /^(?:metropole:)?[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'must be a department code (e.g. "voirie"), or "metropole:<code>" for a shared service of the métropole',
  )
  .max(75);
/** The prefix of a reference to a métropole's shared department (categories, routing). */
export const METROPOLE_REF = 'metropole:';
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const email = z.string().trim().toLowerCase().email('must be an email address').max(254);
const locale = z.enum(['fr', 'en']);

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const townSchema = z
  .object({
    formatVersion: z.literal(PACK_FORMAT_VERSION, {
      errorMap: () => ({ message: `must be ${PACK_FORMAT_VERSION} (the only pack format this version reads)` }),
    }),
    name: text(200),
    code,
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/Paris"'),
    locale,
    /** the reference format's own rule (ticket/reference.ts): letters only, so that "grc 2026 4217" parses back */
    referencePrefix: z.string().regex(/^[A-Z]{2,6}$/, 'must be 2 to 6 uppercase letters, e.g. "GRC"'),
    /** optional: `metropole` for a métropole (its departments flagged `shared` serve its communes); absent: a commune */
    kind: z.enum(['commune', 'metropole']).optional(),
    /** optional: the code of the métropole this commune belongs to (loaded before it) */
    metropole: code.optional(),
    /** optional, a métropole's: communes already loaded that belong to it (a commune loaded later names it: `metropole`) */
    communes: z.array(code).optional(),
    /** optional: the public pages' texts in the town's words (Administration › Commune); absent: left as they are */
    publicTexts: z
      .object({
        formIntro: z.string().trim().max(PUBLIC_TEXT_MAX).optional(),
        trackingIntro: z.string().trim().max(PUBLIC_TEXT_MAX).optional(),
        footer: z.string().trim().max(PUBLIC_TEXT_MAX).optional(),
      })
      .strict()
      .optional(),
    /** optional: the From of the e-mails to citizens (absent: MAIL_FROM) */
    sender: z
      .object({ address: email, name: text(200).optional() })
      .strict()
      .optional(),
  })
  .strict();

export const departmentSchema = z
  .object({
    code,
    name: text(200),
    kind: z.enum(['direction', 'service']),
    parent: code.nullable().default(null),
    email: email.nullable().default(null),
    active: z.boolean().default(true),
    /** a front desk (accueil, guichet unique): its members search the whole citizen directory */
    frontDesk: z.boolean().default(false),
    /** a métropole's shared service: receives the requests its communes route to it (`metropole:<code>`) */
    shared: z.boolean().optional(),
  })
  .strict();

/** A category's own field (the agent's and the public form's and Open311's attributes, `category_attributes`). */
export const categoryFieldSchema = z
  .object({
    code: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, "_" or "-"')
      .max(64),
    datatype: z.enum(FIELD_DATATYPES),
    /** false: an informational text, no value asked */
    variable: z.boolean().default(true),
    required: z.boolean().default(false),
    datatypeDescription: z.string().max(500).nullable().default(null),
    /** the label (question) in French */
    description: text(1000),
    /** the label in English (absent: the French one) */
    descriptionEn: z.string().trim().max(1000).nullable().default(null),
    order: z.number().int().min(0).default(1),
    /** the choices of a list field (`nameEn`: the English label) */
    values: z.array(z.object({ key: z.string().min(1).max(100), name: text(200), nameEn: text(200).optional() }).strict()).default([]),
    /** a number field's range (inclusive) */
    min: z.number().nullable().default(null),
    max: z.number().nullable().default(null),
  })
  .strict();

export const categorySchema = z
  .object({
    code,
    nameFr: text(200),
    nameEn: text(200),
    /** default department when no routing rule matches (`metropole:<code>`: a shared service of the métropole) */
    department: departmentRef,
    active: z.boolean().default(true),
    /** optional: the category's own fields, asked by the agent's form, the public form and Open311 */
    fields: z.array(categoryFieldSchema).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // the rules the console's administrators meet (libs/domain category-fields)
    const checked = checkFieldDefinitions(c.fields ?? []);
    if (checked.ok) return;
    for (const e of checked.errors)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: e.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
        message: e.message,
      });
  });

const lngLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
/** the ring opened (a closing point repeating the first dropped), as routing reads it */
const opened = (pts: ReadonlyArray<readonly [number, number]>) =>
  pts.length > 3 && pts[0]![0] === pts[pts.length - 1]![0] && pts[0]![1] === pts[pts.length - 1]![1] ? pts.slice(0, -1) : pts;
export const polygonSchema = z
  .array(lngLat)
  .min(3, 'a polygon needs at least 3 [lng, lat] points')
  .refine(
    (pts) => pts.length < 3 || selfIntersections(opened(pts)).length === 0,
    'the polygon’s sides cross each other (a bow-tie has no clear inside): redraw its outline without crossings',
  );

export const routingRuleSchema = z
  .object({
    category: code,
    department: departmentRef,
    areaName: text(200).nullable().default(null),
    area: polygonSchema.nullable().default(null),
    /** lower runs first; defaults to the rule's rank in the file × 10 */
    position: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.areaName === null) !== (r.area === null)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [r.area === null ? 'area' : 'areaName'],
        message: 'areaName and area go together: give both or neither',
      });
    }
  });

export const agentSchema = z
  .object({
    email,
    displayName: text(200),
    role: z.enum(ROLES),
    locale: locale.default('fr'),
    departments: z.array(code).default([]),
    /** demo only: a pack for production leaves it out and the admin sets passwords in the console */
    password: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
    active: z.boolean().default(true),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.role !== 'admin' && a.departments.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['departments'], message: 'an agent or head belongs to at least one department' });
    }
  });

const placeSchema = z.object({ address: text(300), lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).strict();
const streetSchema = z
  .object({
    name: text(200),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    /** highest house number used when generating addresses (default 60) */
    maxNumber: z.number().int().min(1).max(999).default(60),
  })
  .strict();

export const demoTemplateSchema = z
  .object({
    category: code,
    /** relative frequency of this category among generated tickets */
    weight: z.number().positive().default(1),
    priority: z.enum(PRIORITIES).default('normal'),
    /** restrict the channels (default: all, with the usual mix) */
    channels: z.array(z.enum(CHANNELS)).min(1).optional(),
    /** false for requests without a place (civil status, school...) */
    located: z.boolean().default(true),
    /** specific places; when absent a located ticket picks a street of `streets` */
    places: z.array(placeSchema).min(1).optional(),
    /** departments that plausibly receive this request by mistake (transfers) */
    transferFrom: z.array(code).optional(),
    subjects: z.array(text(200)).min(1),
    descriptions: z.array(text(4000)).min(1),
    /** replies closing the request; fall back to messages.resolutions */
    resolutions: z.array(text(4000)).optional(),
  })
  .strict();

export const demoTicketsSchema = z
  .object({
    generation: z
      .object({
        count: z.number().int().min(0).max(20000).default(300),
        seed: z.number().int().default(1),
        monthsBack: z.number().int().min(1).max(60).default(12),
      })
      .strict()
      .default({}),
    /** where generated citizens live */
    city: z
      .object({
        name: text(200),
        postcode: z.string().regex(/^\d{5}$/, 'must be a 5-digit French postcode'),
        /** domains of generated citizen emails; keep reserved ones (example.org...) so no mail reaches anyone */
        emailDomains: z
          .array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain name'))
          .min(1)
          .default(['example.org', 'example.net', 'example.com']),
      })
      .strict(),
    streets: z.array(streetSchema).min(1),
    firstNames: z.array(text(100)).min(1),
    lastNames: z.array(text(100)).min(1),
    organisations: z.array(text(200)).default([]),
    messages: z
      .object({
        acknowledgements: z.array(text(4000)).min(1),
        informationRequests: z.array(text(4000)).min(1),
        citizenAnswers: z.array(text(4000)).min(1),
        reminders: z.array(text(4000)).min(1),
        resolutions: z.array(text(4000)).min(1),
        notes: z.array(text(4000)).min(1),
        transferReasons: z.array(text(1000)).min(1),
        reopenings: z.array(text(4000)).min(1),
        duplicates: z.array(text(1000)).min(1),
      })
      .strict(),
    templates: z.array(demoTemplateSchema).min(1),
  })
  .strict();

export type TownPackTown = z.infer<typeof townSchema>;
export type PackDepartment = z.infer<typeof departmentSchema>;
export type PackCategory = z.infer<typeof categorySchema>;
export type PackPolygon = Array<[number, number]>;
/** A routing rule with its position resolved. */
export type PackRoutingRule = Omit<z.infer<typeof routingRuleSchema>, 'position'> & { position: number };
export type PackAgent = z.infer<typeof agentSchema>;
export type DemoTicketTemplate = z.infer<typeof demoTemplateSchema>;
export type DemoTicketsConfig = z.infer<typeof demoTicketsSchema>;
/** The input shape of demo-tickets.yaml (defaults not applied). */
export type DemoTicketsConfigInput = z.input<typeof demoTicketsSchema>;

/** sla.yaml: the shape only; calendars and policies are checked in depth by libs/domain/src/sla. */
const slaCalendarSchema = z
  .object({
    name: z.string().min(1).max(200),
    /** absent: the town's default calendar */
    department: code.optional(),
    timeZone: z.string(),
    weeklyHours: z.record(z.string(), z.array(z.string())),
    closures: z.array(z.object({ from: z.string(), to: z.string(), label: z.string() }).strict()).optional(),
    holidays: z.object({ france: z.boolean().optional(), alsaceMoselle: z.boolean().optional() }).strict().optional(),
  })
  .strict();
const slaPolicySchema = z
  .object({
    id: code,
    name: z.string().min(1).max(200),
    active: z.boolean().default(true),
    match: z.record(z.string(), z.unknown()).default({}),
    targets: z.record(z.string(), z.unknown()),
    ladder: z.array(z.unknown()).default([]),
  })
  .strict();
export const slaPackSchema = z
  .object({ calendars: z.array(slaCalendarSchema).default([]), policies: z.array(slaPolicySchema).default([]) })
  .strict();
export type PackSlaCalendar = z.infer<typeof slaCalendarSchema>;
export interface PackSla {
  calendars: PackSlaCalendar[];
  /** checked with validatePolicy */
  policies: Array<SlaPolicy & { active: boolean }>;
}

/** retention.yaml: the town's default and per-category rules (months kept after closing, then anonymise or delete). */
const retentionRuleSchema = z
  .object({ months: z.number().int().min(0).max(1200), action: z.enum(['anonymise', 'delete']), reason: z.string().max(500).optional() })
  .strict();
export const retentionPackSchema = z
  .object({
    default: retentionRuleSchema.optional(),
    categories: z.array(retentionRuleSchema.extend({ category: code }).strict()).default([]),
  })
  .strict();
export type PackRetention = z.infer<typeof retentionPackSchema>;

/** privacy.yaml: what the information notice (art. 13) says of the controller, the DPO, the purposes and where to complain. */
const optionalLine = (max: number) => z.string().trim().min(1, 'must not be empty').max(max).nullable().default(null);
export const privacyPackSchema = z
  .object({
    /** the data controller: the town, represented by its mayor */
    controller: z.object({ name: text(200), address: text(500), email: email.nullable().default(null) }).strict(),
    /** the data protection officer's contact (absent: the notice says to write to the controller) */
    dpo: z
      .object({ name: optionalLine(200), email: email.nullable().default(null), address: optionalLine(500) })
      .strict()
      .default({}),
    purposes: z
      .array(z.enum(PRIVACY_PURPOSES))
      .min(1, 'at least one purpose')
      .transform((p) => PRIVACY_PURPOSES.filter((x) => p.includes(x))),
    legalBasis: z.enum(LEGAL_BASES).default('public_task'),
    /** the supervisory authority (default: the CNIL) */
    authority: z
      .object({
        name: text(200),
        address: text(500),
        url: z
          .string()
          .trim()
          .url('must be a web address')
          .max(300)
          .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) address'),
      })
      .strict()
      .default({ name: CNIL.authorityName, address: CNIL.authorityAddress, url: CNIL.authorityUrl }),
  })
  .strict();
export type PackPrivacy = z.infer<typeof privacyPackSchema>;

/** templates.yaml: the e-mails sent on an event, per locale, and the agents' reply templates. */
export const templatesPackSchema = z
  .object({
    mail: z
      .array(
        z
          .object({
            event: z.enum(MAIL_EVENTS),
            locale,
            subject: z
              .string()
              .trim()
              .min(1)
              .max(300)
              .regex(/^[^\r\n]*$/, 'must be one line'),
            body: z.string().min(1).max(20000),
          })
          .strict(),
      )
      .default([]),
    replies: z
      .array(
        z
          .object({
            name: text(100),
            body: z.string().min(1).max(20000),
            active: z.boolean().default(true),
            /** proposed first for this department's requests (a department code; absent: any) */
            department: code.optional(),
            /** proposed first for this category's requests (a category code; absent: any) */
            category: code.optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type PackTemplates = z.infer<typeof templatesPackSchema>;
export type PackCategoryField = z.infer<typeof categoryFieldSchema>;

export interface TownPack {
  town: TownPackTown;
  departments: PackDepartment[];
  categories: PackCategory[];
  /** sorted by position */
  routing: PackRoutingRule[];
  agents: PackAgent[];
  /** null when the pack has no demo-tickets.yaml */
  demo: DemoTicketsConfig | null;
  /** absent or null when the pack has no sla.yaml */
  sla?: PackSla | null;
  /** absent or null when the pack has no retention.yaml */
  retention?: PackRetention | null;
  /** absent or null when the pack has no templates.yaml */
  templates?: PackTemplates | null;
  /** absent or null when the pack has no privacy.yaml */
  privacy?: PackPrivacy | null;
}
