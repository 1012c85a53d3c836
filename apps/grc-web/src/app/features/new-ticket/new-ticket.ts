import { ChangeDetectionStrategy, Component, computed, effect, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import {
  AGENT_ENTRY_CHANNELS,
  PRIORITIES,
  type Channel,
  type Citizen,
  type CitizenInput,
  type CitizenSummary,
  type CreateTicketRequest,
  type AddressSuggestion,
  type NearbyRequest,
  type Priority,
  type TicketDetail,
} from '@grc/domain';
import { Observable, catchError, concatMap, from, last, map, of, tap } from 'rxjs';
import { Api } from '../../core/api';
import { Auth } from '../../core/auth';
import { I18n } from '../../core/i18n';
import { localError, toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';
import { CategoryFieldInputs, draftBody, type FieldDraft } from '../../shared/category-fields';
import { CitizenForm, citizenInputOf, cleanCitizen, emptyCitizen } from '../../shared/citizen-form';
import { FORM_ERRORS } from '../../shared/form-errors';
import { AddressField } from '../../shared/places/address-field';
import { NearbyList } from '../../shared/places/nearby-list';
import { PlaceMap, type MapMarker } from '../../shared/places/place-map';
import { PlacesApi, formatDistance } from '../../shared/places/places-api';
import { fieldMessage } from '../../core/problem';

type CitizenMode = 'search' | 'selected' | 'editing' | 'new';

@Component({
  selector: 'grc-new-ticket',
  imports: [FormsModule, CitizenForm, AddressField, PlaceMap, NearbyList, CategoryFieldInputs, ...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './new-ticket.html',
})
export class NewTicketPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly channels = AGENT_ENTRY_CHANNELS;
  protected readonly priorities = PRIORITIES;
  /** the town's whole citizen directory (front desk, admin); others find only the people of their departments' requests */
  protected readonly directory = inject(Auth).can('citizens.directory');
  protected readonly categories = toSignal(inject(RefData).categories(), { initialValue: [] });
  // a métropole's session also reads its communes' shared categories (to name their requests): not filable there
  protected readonly activeCategories = computed(() => this.categories().filter((c) => c.active && c.origin !== 'commune'));

  // requester
  protected readonly mode = signal<CitizenMode>('search');
  protected readonly searchQ = signal('');
  protected readonly searching = signal(false);
  protected readonly results = signal<CitizenSummary[] | null>(null);
  protected readonly selected = signal<Citizen | null>(null);
  protected readonly draft = signal<CitizenInput>(emptyCitizen());
  protected readonly citizenError = signal<UiError | null>(null);
  protected readonly citizenNotice = signal('');

  // request
  protected readonly channel = signal<Channel>('phone');
  protected readonly categoryId = signal('');
  /** the chosen category's own fields (asked below the description) and what the agent typed in them */
  protected readonly categoryFields = computed(() => this.categories().find((c) => c.id === this.categoryId())?.fields ?? []);
  protected readonly fieldDraft = signal<FieldDraft>({});
  protected readonly subject = signal('');
  protected readonly description = signal('');
  protected readonly priority = signal<Priority>('normal');
  protected readonly address = signal('');
  protected readonly latitude = signal<number | null>(null);
  protected readonly longitude = signal<number | null>(null);
  protected readonly files = signal<File[]>([]);
  protected readonly error = signal<UiError | null>(null);
  protected readonly busy = signal(false);
  protected readonly progress = signal('');

  // place: the BAN address field, the map (when tiles are configured), reverse geocoding, the open requests nearby
  private readonly places = inject(PlacesApi);
  protected readonly mapSettings = toSignal(this.places.mapSettings('agent'), { initialValue: null });
  protected readonly point = computed(() => {
    const lat = this.latitude(),
      lng = this.longitude();
    return typeof lat === 'number' && typeof lng === 'number' && Number.isFinite(lat) && Number.isFinite(lng) ? { lat, lng } : null;
  });
  protected readonly nearby = signal<NearbyRequest[]>([]);
  protected readonly nearbyMarkers = computed<MapMarker[]>(() =>
    this.nearby().map((n) => ({ id: n.id, lat: n.lat, lng: n.lng, label: `${n.reference} — ${n.subject}`, tone: 'tone-nearby' })),
  );
  protected readonly reverseStatus = signal('');
  protected readonly reverseSuggestion = signal<AddressSuggestion | null>(null);
  protected readonly addressError = computed(() => fieldMessage(this.error(), 'address'));

  constructor() {
    // the open requests near the point: "already reported?"
    effect(() => {
      const p = this.point();
      if (!p) return this.nearby.set([]);
      this.api.get<NearbyRequest[]>('/places/nearby', { lat: p.lat, lng: p.lng }).subscribe({
        next: (list) => this.nearby.set(list),
        error: () => this.nearby.set([]),
      });
    });
  }

  protected pickAddress(s: AddressSuggestion): void {
    this.latitude.set(s.lat);
    this.longitude.set(s.lng);
    this.reverseSuggestion.set(null);
    this.reverseStatus.set(this.t('places.coordinates', { lat: s.lat, lng: s.lng }));
  }

  /** A pin dropped or moved on the map: its coordinates, and the nearest address offered (not imposed). */
  protected placeOnMap(p: { lat: number; lng: number }): void {
    this.latitude.set(p.lat);
    this.longitude.set(p.lng);
    this.places.reverse('agent', p.lat, p.lng).subscribe((r) => {
      this.reverseSuggestion.set(r);
      this.reverseStatus.set(
        r
          ? this.t('places.reverseFound', { label: r.label, distance: formatDistance(r.distanceMetres ?? 0, this.i18n.lang()) })
          : this.t('places.reverseNone'),
      );
      if (r && !this.address().trim()) this.useReverse(r);
    });
  }

  protected useReverse(r: AddressSuggestion): void {
    this.address.set(r.label);
    this.reverseSuggestion.set(null);
  }

  protected readonly resultsMessage = computed(() => {
    const r = this.results();
    if (this.searching()) return this.t('common.loading');
    if (r === null) return '';
    return r.length ? this.t('new.citizenResultsCount', { count: r.length }) : this.t('new.citizenNoResult');
  });

  protected search(): void {
    const q = this.searchQ().trim();
    if (!q) return;
    this.searching.set(true);
    this.citizenError.set(null);
    this.api.get<CitizenSummary[]>('/citizens', { q }).subscribe({
      next: (r) => {
        this.searching.set(false);
        this.results.set(r);
      },
      error: (err: unknown) => {
        this.searching.set(false);
        this.results.set(null);
        this.citizenError.set(toUiError(err));
      },
    });
  }

  protected pick(summary: CitizenSummary): void {
    this.citizenError.set(null);
    this.api.get<Citizen>(`/citizens/${summary.id}`).subscribe({
      next: (c) => {
        this.selected.set(c);
        this.mode.set('selected');
        this.focusLater('selected-citizen-h');
      },
      error: (err: unknown) => this.citizenError.set(toUiError(err)),
    });
  }

  protected startNew(): void {
    this.draft.set(emptyCitizen());
    this.citizenError.set(null);
    this.mode.set('new');
    this.focusLater('new-citizen-h');
  }

  protected edit(): void {
    const c = this.selected();
    if (!c) return;
    this.draft.set(citizenInputOf(c));
    this.citizenError.set(null);
    this.mode.set('editing');
    this.focusLater('edit-citizen-h');
  }

  protected backToSearch(): void {
    this.selected.set(null);
    this.citizenError.set(null);
    this.mode.set('search');
    this.focusLater('citizen-search');
  }

  protected cancelEdit(): void {
    this.citizenError.set(null);
    this.mode.set('selected');
  }

  protected saveCitizen(): void {
    const c = this.selected();
    if (!c) return;
    this.api.put<Citizen>(`/citizens/${c.id}`, { ...cleanCitizen(this.draft()), version: c.version }).subscribe({
      next: (saved) => {
        this.selected.set(saved);
        this.mode.set('selected');
        this.citizenNotice.set(this.t('new.citizenSaved'));
      },
      error: (err: unknown) => this.citizenError.set(toUiError(err)),
    });
  }

  protected pickFiles(event: Event): void {
    const input = event.target as HTMLInputElement;
    this.files.set(Array.from(input.files ?? []));
  }

  protected submit(): void {
    if (this.busy()) return;
    const fields: Record<string, string> = {};
    if (!this.categoryId()) fields['categoryId'] = this.t('common.fieldRequired');
    if (!this.subject().trim()) fields['subject'] = this.t('common.fieldRequired');
    if (!this.description().trim()) fields['description'] = this.t('common.fieldRequired');
    if (Object.keys(fields).length) {
      this.error.set(localError(fields));
      this.focusLater(fields['categoryId'] ? 'ticket-category' : fields['subject'] ? 'ticket-subject' : 'ticket-description');
      return;
    }
    const body: CreateTicketRequest = {
      channel: this.channel(),
      categoryId: this.categoryId(),
      subject: this.subject().trim(),
      description: this.description().trim(),
      priority: this.priority(),
      address: this.address().trim() || null,
      latitude: this.latitude() ?? null,
      longitude: this.longitude() ?? null,
    };
    const defs = this.categoryFields();
    // only the chosen category's fields, empty ones left out (the API checks them: libs/domain checkFieldValues)
    const attributes = Object.fromEntries(
      Object.entries(draftBody(defs, this.fieldDraft())).filter(([, v]) => (Array.isArray(v) ? v.length : v.trim() !== '')),
    );
    if (Object.keys(attributes).length) body.attributes = attributes;
    const mode = this.mode();
    if ((mode === 'selected' || mode === 'editing') && this.selected()) body.citizenId = this.selected()?.id ?? null;
    if (mode === 'new') body.newCitizen = cleanCitizen(this.draft());

    this.busy.set(true);
    this.error.set(null);
    this.progress.set(this.t('new.submitting'));
    const failed: string[] = [];
    this.api
      .post<TicketDetail>('/tickets', body)
      .pipe(concatMap((created) => this.uploadAll(created, failed)))
      .subscribe({
        next: (ticket) => {
          this.busy.set(false);
          this.progress.set('');
          void this.router.navigate(['/tickets', ticket.id], { state: { created: true, uploadFailed: failed } });
        },
        error: (err: unknown) => {
          this.busy.set(false);
          this.progress.set('');
          this.error.set(toUiError(err));
        },
      });
  }

  /** One upload after the other, each with the version returned by the previous answer. */
  private uploadAll(created: TicketDetail, failed: string[]): Observable<TicketDetail> {
    const files = this.files();
    if (!files.length) return of(created);
    let current = created;
    return from(files).pipe(
      concatMap((file) => {
        this.progress.set(this.t('new.uploading', { name: file.name }));
        const form = new FormData();
        form.append('file', file, file.name);
        form.append('version', String(current.version));
        return this.api.post<TicketDetail>(`/tickets/${created.id}/attachments`, form).pipe(
          tap((t) => (current = t)),
          catchError(() => {
            failed.push(file.name);
            return of(current);
          }),
        );
      }),
      last(),
      map(() => current),
    );
  }

  private focusLater(id: string): void {
    setTimeout(() => {
      const el = document.getElementById(id);
      if (el) {
        if (el.tagName.startsWith('H')) el.setAttribute('tabindex', '-1');
        el.focus();
      }
    });
  }
}
