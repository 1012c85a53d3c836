import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  checkNewFieldValues,
  MESSAGE_BODY_MAX,
  parseReference,
  subjectFromDescription,
  textLength,
  validateCitizen,
  type FieldValues,
  type PublicAttribute,
  type PublicForm,
  type PublicRequestCreated,
  type PublicTracking,
  type TicketStatus,
} from '@grc/domain';
import { badRequest, notFound, ProblemException, type FieldError } from '../../common/problem';
import { GRC_CONFIG, GrcConfig } from '../../config/config';
import type { AuditActor } from '../audit/audit.service';
import { CitizensService } from '../citizens/citizens.service';
import { systemActor, type Actor } from '../auth/authenticated-agent';
import { AttachmentsRepository } from '../tickets/attachments.repository';
import { AttachmentsService, type UploadedFile } from '../tickets/attachments.service';
import { TicketsService, type NewEvent } from '../tickets/tickets.service';
import { TownSettingsRepository } from '../town/town-settings.repository';
import { InboxCountersScheduler } from '../worker/inbox-counters.scheduler';
import { ACCEPT, checkFiles, PUBLIC_MAX_FILES } from './public-files';
import { CategoryFieldsRepository } from '../reference/category-fields.repository';
import { PublicRepository } from './public.repository';
import { trackingPath, TrackingService } from './tracking.service';

export const DESCRIPTION_MAX = 4000;
const ADDRESS_MAX = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d+(?:[.,]\d+)?$/;

/** The multipart fields as multer hands them (strings; a repeated field becomes an array). */
export type RawFields = Record<string, unknown>;

/** The one answer for a tracking link that opens nothing: unknown reference, wrong or malformed key. */
const noSuchLink = () => notFound('Demande');
/**
 * A right key whose request was finished more than GRC_TRACKING_TTL_DAYS ago: 410, said only to whoever holds
 * the key (anyone else gets noSuchLink), so it discloses nothing about references. No per-field error: there
 * is nothing to correct in the form; the detail says what to do.
 */
export const TRACKING_EXPIRED_TYPE = 'urn:grc:problem:tracking-expired';
const linkExpired = (reference: string, townName: string | null, days: number) =>
  new ProblemException(
    410,
    'Lien de suivi expiré',
    `Ce lien de suivi a expiré : la demande ${reference} est terminée depuis plus de ${days} jours. ` +
      `Pour toute question à son sujet, contactez ${townName ? `la mairie (${townName})` : 'la mairie'} en indiquant cette référence ; ` +
      'pour un nouveau problème, faites une nouvelle demande.',
    undefined,
    TRACKING_EXPIRED_TYPE,
  );
/** Honeypot filled (a robot): refused without saying why. */
const refusedGeneric = () => new ProblemException(400, 'Requête invalide', 'La demande n’a pas pu être enregistrée.');

const err = (field: string, code: string, message: string): FieldError => ({ field, code, message });

function str(fields: RawFields, name: string): string | null {
  const v = fields[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === null) return null;
  if (typeof s !== 'string') return null;
  const t = s.trim();
  return t === '' ? null : t;
}

/**
 * The citizen side without an account: the form's reference data, creation of a `web` request (routing,
 * reference, citizen matched by e-mail or phone, attachments, timeline, audit, tracking key — one
 * transaction), the tracking page and the citizen's additional information. Every text is stored as typed
 * (trimmed): escaping is the renderer's job, and the console renders text, never HTML.
 */
@Injectable()
export class PublicService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(GRC_CONFIG) private readonly config: GrcConfig,
    private readonly citizens: CitizensService,
    private readonly tickets: TicketsService,
    private readonly counters: InboxCountersScheduler,
    private readonly tracking: TrackingService,
    private readonly rows: PublicRepository,
    private readonly town: TownSettingsRepository,
    private readonly attachments: AttachmentsService,
    private readonly attachmentRows: AttachmentsRepository,
    private readonly fields: CategoryFieldsRepository,
  ) {}

  async form(): Promise<PublicForm> {
    const [town, rows, fields] = await Promise.all([this.town.get(), this.rows.formCategories(), this.fields.byCategory()]);
    return {
      town: { name: town?.name ?? 'Mairie' },
      categories: rows.map((r) => ({
        id: r.id,
        code: r.code,
        nameFr: r.name_fr,
        nameEn: r.name_en,
        attributes: (fields.get(r.id) ?? []).filter((a) => a.variable),
      })),
      limits: {
        maxFiles: PUBLIC_MAX_FILES,
        maxFileBytes: this.config.maxUploadBytes,
        accept: ACCEPT,
        descriptionMax: DESCRIPTION_MAX,
        messageMax: MESSAGE_BODY_MAX,
      },
    };
  }

  async create(fields: RawFields, files: UploadedFile[], ip: string | null): Promise<PublicRequestCreated> {
    if (str(fields, 'website') !== null) throw refusedGeneric();
    const errors: FieldError[] = [];

    const categoryId = str(fields, 'categoryId');
    let category: { id: string; name_fr: string; attributes: PublicAttribute[] } | undefined;
    if (!categoryId) errors.push(err('categoryId', 'required', 'Choisissez une catégorie.'));
    else if (UUID.test(categoryId)) {
      const row = await this.rows.formCategory(categoryId);
      if (row) category = { ...row, attributes: await this.fields.ofCategory(row.id) };
    }
    if (categoryId && !category) errors.push(err('categoryId', 'invalid', 'Catégorie inconnue.'));

    const description = str(fields, 'description');
    if (!description) errors.push(err('description', 'required', 'Décrivez le problème.'));
    else if (textLength(description) > DESCRIPTION_MAX)
      errors.push(err('description', 'too_long', `La description ne doit pas dépasser ${DESCRIPTION_MAX} caractères.`));

    const address = str(fields, 'address');
    if (address && textLength(address) > ADDRESS_MAX)
      errors.push(err('address', 'too_long', `L’adresse ne doit pas dépasser ${ADDRESS_MAX} caractères.`));

    const position = this.position(fields, errors);
    const attributes = category ? this.attributes(category.attributes, fields, errors) : {};

    const email = str(fields, 'email');
    const phone = str(fields, 'phone');
    const who = validateCitizen({ kind: 'resident', firstName: str(fields, 'firstName'), lastName: str(fields, 'lastName'), email, phone });
    if (!who.ok) {
      for (const e of who.errors) {
        if (e.field === 'contact') continue; // the public form asks for an e-mail or a phone (below)
        errors.push(err(e.field, e.field === 'lastName' ? 'required' : e.code.endsWith('too_long') ? 'too_long' : 'invalid', e.message));
      }
    }
    if (!email && !phone)
      errors.push(err('contact', 'contact.missing', 'Indiquez une adresse e-mail ou un numéro de téléphone pour être tenu informé.'));
    // the page's language: the e-mails about this request are written in it (absent: the town's language)
    const locale = str(fields, 'locale');
    if (locale !== null && locale !== 'fr' && locale !== 'en') errors.push(err('locale', 'invalid', 'Langue inconnue : fr ou en.'));
    if (errors.length) throw badRequest('Le formulaire contient des erreurs.', errors);

    const checked = await checkFiles(files, this.config.maxUploadBytes);
    const stored = await this.attachments.storeAll(checked);
    const auditActor: AuditActor = { actorId: null, actorLabel: 'citoyen (formulaire public)', ip };
    const actor: Actor = { ...systemActor('formulaire-public'), ip };
    try {
      const created = await this.db.transaction(async (m) => {
        // the form's fields were validated above (validateCitizen): the pipeline cannot refuse them here
        const contact = who.ok ? who.value : null;
        const matched = await this.citizens.matchOrCreate(m, auditActor, { kind: 'resident', ...contact });
        if (!matched.ok)
          throw badRequest(
            'Le formulaire contient des erreurs.',
            matched.errors.map((e) => err(e.field, 'invalid', e.message)),
          );
        const citizenId = matched.value;
        const subject = subjectFromDescription(description!, category!.name_fr);
        let key = '';
        const ticket = await this.tickets.createIn(
          m,
          actor,
          {
            channel: 'web',
            categoryId: category!.id,
            subject,
            description: description!,
            citizenId,
            address,
            location: position ?? null,
            attributes,
            eventData: { source: 'formulaire-public' },
            auditActor,
            locale: locale as 'fr' | 'en' | null,
          },
          async ({ id }) => {
            const events = await this.attachments.recordAll(m, id, checked, stored.keys, null, 'citizen');
            key = (await this.tracking.issueKey(m, id)).key;
            return events;
          },
        );
        const reference = ticket.reference;
        return { reference, key };
      });
      void this.counters.requestRecompute();
      const site = await this.tracking.publicSite();
      const path = `${site.prefix}${trackingPath(created.reference, created.key)}`;
      return { reference: created.reference, key: created.key, trackingPath: path, trackingUrl: `${site.base}${path}` };
    } catch (e) {
      await stored.remove();
      throw e;
    }
  }

  async track(referenceInput: string, key: string): Promise<PublicTracking> {
    const { ticketId: id, expiresAt } = await this.resolve(referenceInput, key);
    const [t, messages, attachments] = await Promise.all([
      this.rows.tracked(id).then((row) => row!), // the key opened it
      this.rows.publicMessages(id),
      this.attachmentRows.listNames(id),
    ]);
    const status: TicketStatus = t.master_status ?? t.status;
    const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
    return {
      reference: t.reference,
      status,
      grouped: t.master_status !== null,
      category: { nameFr: t.name_fr, nameEn: t.name_en },
      description: t.description,
      address: t.address,
      createdAt: iso(t.created_at)!,
      updatedAt: iso(t.updated_at)!,
      resolvedAt: status === 'resolved' || status === 'closed' ? iso(t.resolved_at) : null,
      expectedAt: status === 'resolved' || status === 'closed' ? null : iso(t.expected_at),
      messages: messages.map((e) => ({
        at: iso(e.at)!,
        kind: e.kind,
        body: e.body,
      })),
      attachments: attachments.map((a) => ({ filename: a.filename, size: a.size })),
      canAddInformation: t.status !== 'closed',
      linkExpiresAt: iso(expiresAt),
    };
  }

  /** The citizen adds information (and files): an `inbound` event; a resolved or waiting request goes back to open. */
  async addInformation(
    referenceInput: string,
    key: string,
    fields: RawFields,
    files: UploadedFile[],
    ip: string | null,
  ): Promise<PublicTracking> {
    const { ticketId: id } = await this.resolve(referenceInput, key);
    const body = str(fields, 'body');
    if (!body) throw badRequest('Le message ne peut pas être vide.', [err('body', 'required', 'Écrivez votre message.')]);
    if (textLength(body) > MESSAGE_BODY_MAX)
      throw badRequest('Message trop long.', [err('body', 'too_long', `Le message ne doit pas dépasser ${MESSAGE_BODY_MAX} caractères.`)]);
    const checked = await checkFiles(files, this.config.maxUploadBytes);
    const stored = await this.attachments.storeAll(checked);
    const actor: Actor = { ...systemActor('suivi-citoyen'), ip };
    try {
      for (let attempt = 0; ; attempt++) {
        const version = await this.rows.version(id);
        try {
          await this.tickets.mutate(actor, id, version, async (m, t) => {
            if (t.status === 'closed') {
              throw new ProblemException(409, 'Action impossible', 'Cette demande est close : faites une nouvelle demande.', [
                err('body', 'closed', 'Demande close.'),
              ]);
            }
            const files = await this.attachments.recordAll(m, id, checked, stored.keys, null, 'citizen');
            const events: NewEvent[] = [
              ...files,
              { kind: 'inbound', body, data: { source: 'suivi-citoyen', attachments: checked.length } },
            ];
            const set: Record<string, unknown> = {};
            if (t.status === 'resolved' || t.status === 'waiting_citizen') {
              set['status'] = 'open';
              if (t.status === 'resolved') set['resolvedAt'] = null;
              events.push({ kind: 'status_changed', data: { from: t.status, to: 'open', reason: 'citizen_information' } });
            }
            return { set, events, action: 'ticket.inbound' };
          });
          break;
        } catch (e) {
          if (attempt < 2 && e instanceof ProblemException && e.getStatus() === 409 && e.errors?.[0]?.code === 'stale_version') continue;
          throw e;
        }
      }
    } catch (e) {
      await stored.remove();
      throw e;
    }
    return this.track(referenceInput, key);
  }

  /** The ticket a tracking link opens: 404 for any key that opens nothing, 410 for a right key past its expiry. */
  private async resolve(referenceInput: string, key: string): Promise<{ ticketId: string; expiresAt: Date | null }> {
    const reference = parseReference(String(referenceInput ?? '').slice(0, 64));
    const access = await this.tracking.access(reference ?? '', String(key ?? '').slice(0, 100));
    if (!access) throw noSuchLink();
    if (access.expired) {
      const town = await this.town.get();
      throw linkExpired(access.reference, town?.name ?? null, this.tracking.ttlDays);
    }
    return access;
  }

  private position(fields: RawFields, errors: FieldError[]): { lat: number; lng: number } | null {
    const lat = str(fields, 'latitude');
    const lng = str(fields, 'longitude');
    if (lat === null && lng === null) return null;
    if (lat === null || lng === null) {
      errors.push(err(lat === null ? 'latitude' : 'longitude', 'required', 'Donnez la latitude et la longitude, ou aucune des deux.'));
      return null;
    }
    const a = DECIMAL.test(lat) ? Number(lat.replace(',', '.')) : NaN;
    const b = DECIMAL.test(lng) ? Number(lng.replace(',', '.')) : NaN;
    const before = errors.length;
    if (!(a >= -90 && a <= 90))
      errors.push(err('latitude', 'invalid', 'La latitude doit être un nombre entre -90 et 90 (exemple : 47.3941).'));
    if (!(b >= -180 && b <= 180))
      errors.push(err('longitude', 'invalid', 'La longitude doit être un nombre entre -180 et 180 (exemple : 0.6848).'));
    return errors.length === before ? { lat: a, lng: b } : null;
  }

  /** The category's own fields, checked by the rules Open311 and the agent's form use (libs/domain); errors on `attributes.<code>`. */
  private attributes(defs: PublicAttribute[], fields: RawFields, errors: FieldError[]): FieldValues {
    let sent: Record<string, unknown> = {};
    const raw = str(fields, 'attributes');
    if (raw) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) sent = parsed as Record<string, unknown>;
        else throw new Error('not an object');
      } catch {
        errors.push(err('attributes', 'invalid', 'Les champs de la catégorie sont mal formés.'));
        return {};
      }
    }
    const checked = checkNewFieldValues(defs, sent);
    if (!checked.ok) {
      errors.push(...checked.errors);
      return {};
    }
    return checked.value;
  }
}
