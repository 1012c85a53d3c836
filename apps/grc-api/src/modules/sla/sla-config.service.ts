import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  calendarForDepartment,
  validateCalendar,
  validatePolicy,
  type BusinessCalendar,
  type CalendarSet,
  type FieldError,
  type SlaCalendarDto,
  type SlaCalendarInput,
  type SlaPolicy,
  type SlaPolicyDto,
  type SlaPolicyInput,
} from '@grc/domain';
import { badRequest, conflict, notFound, ProblemException } from '../../common/problem';
import { strictFields, type Shape } from '../../common/strict-fields';
import { AuditService, auditActor } from '../audit/audit.service';
import type { Actor } from '../auth/authenticated-agent';
import { CategoriesRepository } from '../reference/categories.repository';
import { DepartmentsRepository } from '../reference/departments.repository';
import { SlaRepository, type CalendarRow, type PolicyRow } from './sla.repository';

/** The town default when nothing is configured: Monday to Friday 08:30-12:00 / 13:30-17:30, Europe/Paris. */
export const FALLBACK_CALENDAR: BusinessCalendar = {
  timeZone: 'Europe/Paris',
  weeklyHours: Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((d) => [d, ['08:30-12:00', '13:30-17:30']])),
  holidays: { france: true },
};

export interface ResolvedCalendar {
  id: string | null;
  name: string;
  calendar: BusinessCalendar;
}

const staleVersion = (what: string) =>
  conflict(`Quelqu'un d'autre a modifié ${what} entre-temps. Rechargez la page avant de recommencer.`, [
    { field: 'version', message: 'Version périmée', code: 'stale_version' },
  ]);
const invalid = (detail: string, errors: FieldError[]) =>
  new ProblemException(
    400,
    'Requête invalide',
    detail,
    errors.map((e) => ({ field: e.field, message: e.message, code: e.code })),
  );

/**
 * SLA configuration: calendars (town default + per-department overrides) and policies, stored as
 * validated JSON. Parsed objects are memoised per row version so that the domain's compiled-calendar
 * cache (per object) is reused across requests.
 */
@Injectable()
export class SlaConfigService {
  private readonly calendarCache = new Map<string, BusinessCalendar>();
  private readonly policyCache = new Map<string, SlaPolicy>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly categories: CategoriesRepository,
    private readonly departments: DepartmentsRepository,
    private readonly rows: SlaRepository,
  ) {}

  // ---------------------------------------------------------------- engine side

  /** The active policies. */
  async policies(m?: EntityManager): Promise<SlaPolicy[]> {
    return this.policiesOf(await this.rows.activePolicies(m));
  }

  /** Policies from their rows (memoised per row version). */
  policiesOf(rows: readonly PolicyRow[]): SlaPolicy[] {
    return rows.map((r) => this.policyOf(r));
  }

  /** One policy by id, active or not, as the engine runs it. */
  async policy(id: string): Promise<SlaPolicy> {
    const row = await this.rows.policy(id);
    if (!row) throw notFound('Politique SLA');
    return this.policyOf(row);
  }

  /** The calendar of a department: its own, else its nearest ancestor's, else the town's default. */
  async calendarFor(m: EntityManager | undefined, departmentId: string): Promise<ResolvedCalendar> {
    return this.calendarFromRows(await this.rows.calendarsUp(m, departmentId));
  }

  /** The nearest calendar among a department's calendars up its tree (rows as `SlaRepository.calendarsUp` reads them). */
  calendarFromRows(rows: ReadonlyArray<CalendarRow & { depth: number | null }>): ResolvedCalendar {
    const def = rows.find((r) => r.department_id === null);
    const set: CalendarSet = {
      default: def ? this.calendarOf(def) : FALLBACK_CALENDAR,
      byDepartment: Object.fromEntries(rows.filter((r) => r.department_id).map((r) => [r.department_id as string, this.calendarOf(r)])),
    };
    const nearest = rows.filter((r) => r.department_id).map((r) => r.department_id as string);
    const calendar = calendarForDepartment(set, nearest);
    const row = rows.find((r) => r.department_id !== null && set.byDepartment?.[r.department_id] === calendar) ?? def;
    return { id: row?.id ?? null, name: row?.name ?? 'Calendrier par défaut', calendar };
  }

  private calendarOf(r: CalendarRow): BusinessCalendar {
    const key = `${r.id}:${r.version}`;
    let c = this.calendarCache.get(key);
    if (!c) {
      c = { ...r.data, id: r.id };
      if (this.calendarCache.size > 500) this.calendarCache.clear();
      this.calendarCache.set(key, c);
    }
    return c;
  }

  private policyOf(r: PolicyRow): SlaPolicy {
    const key = `${r.id}:${r.version}`;
    let p = this.policyCache.get(key);
    if (!p) {
      p = { id: r.id, name: r.name, match: r.data.match ?? {}, targets: r.data.targets ?? {}, ladder: r.data.ladder ?? [] };
      if (this.policyCache.size > 500) this.policyCache.clear();
      this.policyCache.set(key, p);
    }
    return p;
  }

  // ---------------------------------------------------------------- admin side

  async listCalendars(): Promise<SlaCalendarDto[]> {
    return (await this.rows.listCalendars()).map(toCalendarDto);
  }

  async createCalendar(actor: Actor, input: SlaCalendarInput): Promise<SlaCalendarDto> {
    const calendar = checkCalendar(input);
    return this.db.transaction(async (m) => {
      await this.checkDepartment(m, input.departmentId ?? null);
      if (await this.rows.calendarTaken(m, input.departmentId ?? null)) {
        throw conflict(
          input.departmentId ? 'Ce service a déjà son calendrier : modifiez-le.' : 'Le calendrier par défaut existe déjà : modifiez-le.',
          [{ field: 'departmentId', message: 'Calendrier déjà défini', code: 'duplicate_calendar' }],
        );
      }
      const row = await this.rows.insertCalendar(m, input.departmentId ?? null, input.name.trim(), calendar);
      await this.audit.record(m, auditActor(actor), 'sla.calendar.create', 'sla_calendar', row.id, {
        name: { before: null, after: row.name },
        calendar: { before: null, after: calendar },
      });
      return toCalendarDto(row);
    });
  }

  async updateCalendar(actor: Actor, id: string, input: SlaCalendarInput): Promise<SlaCalendarDto> {
    const calendar = checkCalendar(input);
    return this.db.transaction(async (m) => {
      const row = await this.rows.calendarForUpdate(m, id);
      if (!row) throw notFound('Calendrier');
      if (row.version !== input.version) throw staleVersion('ce calendrier');
      const departmentId = await this.movedDepartment(m, row, input.departmentId);
      const after = await this.rows.updateCalendar(m, id, input.name.trim(), calendar, departmentId);
      await this.audit.record(m, auditActor(actor), 'sla.calendar.update', 'sla_calendar', id, {
        name: { before: row.name, after: after.name },
        calendar: { before: row.data, after: calendar },
        ...(departmentId !== row.department_id ? { departmentId: { before: row.department_id, after: departmentId } } : {}),
      });
      return toCalendarDto(after);
    });
  }

  /**
   * The department of an updated calendar: unchanged when `departmentId` is absent; a department
   * calendar may move to another department that has none; the town default stays the default
   * (and no department calendar becomes it) so that the town always has one.
   */
  private async movedDepartment(m: EntityManager, row: CalendarRow, requested: string | null | undefined): Promise<string | null> {
    if (requested === undefined || requested === row.department_id) return row.department_id;
    if (row.department_id === null || requested === null) {
      throw conflict(
        row.department_id === null
          ? 'Le calendrier par défaut de la commune ne peut pas être rattaché à un service : créez plutôt un calendrier de service.'
          : 'Un calendrier de service ne peut pas devenir le calendrier par défaut : modifiez celui-ci.',
        [
          {
            field: 'departmentId',
            message: 'Le calendrier par défaut et les calendriers de service ne s’échangent pas.',
            code: 'default_calendar',
          },
        ],
      );
    }
    await this.checkDepartment(m, requested);
    if (await this.rows.calendarTaken(m, requested, row.id)) {
      throw conflict('Ce service a déjà son calendrier : modifiez-le.', [
        { field: 'departmentId', message: 'Calendrier déjà défini pour ce service', code: 'duplicate_calendar' },
      ]);
    }
    return requested;
  }

  async deleteCalendar(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await this.rows.calendarForUpdate(m, id);
      if (!row) throw notFound('Calendrier');
      if (row.department_id === null) {
        throw conflict('Le calendrier par défaut de la commune ne peut pas être supprimé : modifiez-le.', [
          { field: 'departmentId', message: 'Calendrier par défaut', code: 'default_calendar' },
        ]);
      }
      await this.rows.deleteCalendar(m, id);
      await this.audit.record(m, auditActor(actor), 'sla.calendar.delete', 'sla_calendar', id, { name: { before: row.name, after: null } });
    });
  }

  async listPolicies(): Promise<SlaPolicyDto[]> {
    return (await this.rows.listPolicies()).map(toPolicyDto);
  }

  async createPolicy(actor: Actor, input: SlaPolicyInput): Promise<SlaPolicyDto> {
    const policy = await this.checkPolicy(input);
    return this.db.transaction(async (m) => {
      const row = await this.rows.insertPolicy(m, policy.id, policy.name, dataOf(policy), input.active ?? true);
      if (!row)
        throw conflict(`L’identifiant « ${policy.id} » est déjà utilisé.`, [
          { field: 'id', message: 'Identifiant déjà utilisé', code: 'duplicate_code' },
        ]);
      await this.audit.record(m, auditActor(actor), 'sla.policy.create', 'sla_policy', row.id, {
        policy: { before: null, after: dataOf(policy) },
      });
      return toPolicyDto(row);
    });
  }

  async updatePolicy(actor: Actor, id: string, input: SlaPolicyInput): Promise<SlaPolicyDto> {
    const policy = await this.checkPolicy({ ...input, id });
    return this.db.transaction(async (m) => {
      const row = await this.rows.policyForUpdate(m, id);
      if (!row) throw notFound('Politique SLA');
      if (row.version !== input.version) throw staleVersion('cette politique');
      const after = await this.rows.updatePolicy(m, id, policy.name, dataOf(policy), input.active ?? row.active);
      await this.audit.record(m, auditActor(actor), 'sla.policy.update', 'sla_policy', id, {
        name: { before: row.name, after: after.name },
        active: { before: row.active, after: after.active },
        policy: { before: row.data, after: dataOf(policy) },
      });
      return toPolicyDto(after);
    });
  }

  private async checkPolicy(input: SlaPolicyInput): Promise<SlaPolicy> {
    if (input === null || typeof input !== 'object')
      throw badRequest('Politique attendue.', [{ field: '', message: 'Objet JSON attendu.', code: 'object_expected' }]);
    const unknown = strictFields(input, POLICY_SHAPE);
    if (unknown.length) throw invalid(`Politique SLA invalide : ${unknown.map((e) => `${e.field} : ${e.message}`).join(' ; ')}`, unknown);
    const policy: SlaPolicy = {
      id: typeof input.id === 'string' ? input.id.trim() : input.id,
      name: typeof input.name === 'string' ? input.name.trim() : input.name,
      match: input.match ?? {},
      targets: input.targets ?? {},
      ladder: input.ladder ?? [],
    };
    const v = validatePolicy(policy);
    const errors: FieldError[] = v.ok ? [] : [...v.errors];
    if (typeof policy.id === 'string' && policy.id && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(policy.id)) {
      errors.push({
        field: 'id',
        message: 'Identifiant en minuscules, chiffres et tirets (ex. « voirie-urgent »).',
        code: 'sla.id_format',
      });
    }
    if (input.active !== undefined && typeof input.active !== 'boolean')
      errors.push({ field: 'active', message: 'Vrai ou faux attendu.', code: 'sla.active_invalid' });
    if (input.applyToOpen !== undefined && typeof input.applyToOpen !== 'boolean')
      errors.push({ field: 'applyToOpen', message: 'Vrai ou faux attendu.', code: 'sla.apply_invalid' });
    if (typeof policy.name === 'string' && policy.name.length > 200)
      errors.push({ field: 'name', message: 'Au plus 200 caractères.', code: 'sla.name_too_long' });
    const codes = policy.match?.categoryCodes;
    if (Array.isArray(codes) && codes.length) {
      const set = await this.categories.existingCodes(codes.filter((c) => typeof c === 'string'));
      codes.forEach((c, i) => {
        if (typeof c === 'string' && c && !set.has(c))
          errors.push({ field: `match.categoryCodes[${i}]`, message: `Catégorie inconnue : « ${c} ».`, code: 'sla.category_unknown' });
      });
    }
    if (errors.length) throw invalid(`Politique SLA invalide : ${errors.map((e) => `${e.field} : ${e.message}`).join(' ; ')}`, errors);
    return policy;
  }

  private async checkDepartment(m: EntityManager, departmentId: string | null): Promise<void> {
    if (departmentId === null) return;
    if (!(await this.departments.lockExisting([departmentId], m)).has(departmentId))
      throw badRequest('Service inconnu.', [{ field: 'departmentId', message: 'Service inconnu.', code: 'department_unknown' }]);
  }
}

const POLICY_SHAPE: Shape = {
  // updatedAt / reappliedTo: what a GET answered may be sent back as is (read-only, ignored)
  id: true,
  name: true,
  active: true,
  version: true,
  applyToOpen: true,
  ladder: true,
  updatedAt: true,
  reappliedTo: true,
  match: { categoryCodes: true, priorities: true, channels: true },
  targets: { firstResponse: true, resolution: true, steps: { '*': true } },
};
const CALENDAR_SHAPE: Shape = {
  id: true,
  departmentId: true,
  name: true,
  version: true,
  updatedAt: true,
  calendar: { id: true, timeZone: true, weeklyHours: true, closures: true, holidays: { france: true, alsaceMoselle: true } },
};

function checkCalendar(input: SlaCalendarInput): BusinessCalendar {
  const errors: FieldError[] = [];
  if (input === null || typeof input !== 'object')
    throw badRequest('Calendrier attendu.', [{ field: '', message: 'Objet JSON attendu.', code: 'object_expected' }]);
  const unknown = strictFields(input, CALENDAR_SHAPE);
  if (unknown.length) throw badRequest(`Calendrier invalide : ${unknown.map((e) => `${e.field} : ${e.message}`).join(' ; ')}`, unknown);
  if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > 200) {
    errors.push({ field: 'name', message: 'Nom obligatoire (200 caractères au plus).', code: 'calendar.name_required' });
  }
  if (
    input.departmentId !== undefined &&
    input.departmentId !== null &&
    (typeof input.departmentId !== 'string' || !/^[0-9a-f-]{36}$/i.test(input.departmentId))
  ) {
    errors.push({ field: 'departmentId', message: 'Identifiant de service invalide.', code: 'department_invalid' });
  }
  const c = input.calendar;
  if (c === null || typeof c !== 'object') {
    errors.push({
      field: 'calendar',
      message: 'Calendrier attendu : { timeZone, weeklyHours, closures, holidays }.',
      code: 'calendar.required',
    });
  } else {
    const clean: BusinessCalendar = {
      timeZone: c.timeZone,
      weeklyHours: c.weeklyHours ?? {},
      closures: c.closures ?? [],
      holidays: { france: c.holidays?.france !== false, alsaceMoselle: c.holidays?.alsaceMoselle === true },
    };
    const v = validateCalendar(clean);
    if (!v.ok) errors.push(...v.errors.map((e) => ({ ...e, field: `calendar.${e.field}` })));
    if (!errors.length) return clean;
  }
  throw invalid(`Calendrier invalide : ${errors.map((e) => `${e.field} : ${e.message}`).join(' ; ')}`, errors);
}

const dataOf = (p: SlaPolicy) => ({ match: p.match, targets: p.targets, ladder: p.ladder });
const toCalendarDto = (r: CalendarRow): SlaCalendarDto => ({
  id: r.id,
  departmentId: r.department_id,
  name: r.name,
  calendar: r.data,
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString(),
});
const toPolicyDto = (r: PolicyRow): SlaPolicyDto => ({
  id: r.id,
  name: r.name,
  active: r.active,
  match: r.data.match ?? {},
  targets: r.data.targets ?? {},
  ladder: [...(r.data.ladder ?? [])],
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString(),
});
