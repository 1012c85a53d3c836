import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import type { PublicTracking, TicketStatus } from '@grc/domain';
import { toSignal } from '@angular/core/rxjs-interop';
import { catchError, map, of, type Subscription } from 'rxjs';
import { I18n, type MsgKey } from '../../core/i18n';
import { I18nTitleStrategy } from '../../core/title';
import { PublicApi, publicErrors, sizeLabel } from './public-api';
import { PublicLayout } from './public-layout';

/**
 * The tracking page, reached from the link given after the form (and in acknowledgements): `?ref=…&k=…`.
 * Status (the master's when the request was grouped), dates, the town's replies, the citizen's messages,
 * and a form to add information (text and files). Without a link: a small look-up form.
 */
@Component({
  selector: 'grc-public-tracking',
  imports: [FormsModule, RouterLink, PublicLayout],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-public-layout>
      @if (tracking(); as tk) {
        <h1 data-testid="tracking-heading">{{ t('pub.track.heading', { ref: tk.reference }) }}</h1>
        <dl class="facts-public">
          <dt>{{ t('pub.track.status') }}</dt>
          <dd><span class="track-status" data-testid="tracking-status">{{ statusLabel(tk.status) }}</span></dd>
          <dt>{{ t('pub.track.category') }}</dt><dd>{{ i18n.categoryName(tk.category) }}</dd>
          <dt>{{ t('pub.track.created') }}</dt><dd><time [attr.datetime]="tk.createdAt">{{ i18n.dateTime(tk.createdAt) }}</time></dd>
          <dt>{{ t('pub.track.updated') }}</dt><dd><time [attr.datetime]="tk.updatedAt">{{ i18n.dateTime(tk.updatedAt) }}</time></dd>
          @if (tk.expectedAt) { <dt>{{ t('pub.track.expected') }}</dt><dd data-testid="tracking-expected"><time [attr.datetime]="tk.expectedAt">{{ i18n.dateTime(tk.expectedAt) }}</time></dd> }
          @if (tk.resolvedAt) { <dt>{{ t('pub.track.resolved') }}</dt><dd><time [attr.datetime]="tk.resolvedAt">{{ i18n.dateTime(tk.resolvedAt) }}</time></dd> }
          @if (tk.address) { <dt>{{ t('pub.track.address') }}</dt><dd>{{ tk.address }}</dd> }
          @if (tk.linkExpiresAt) { <dt>{{ t('pub.track.linkExpires') }}</dt><dd data-testid="tracking-link-expires"><time [attr.datetime]="tk.linkExpiresAt">{{ i18n.date(tk.linkExpiresAt) }}</time></dd> }
        </dl>
        @if (tk.grouped) { <p class="alert alert-info" data-testid="tracking-grouped">{{ t('pub.track.grouped') }}</p> }

        <section class="card" aria-labelledby="trk-request-h">
          <h2 id="trk-request-h">{{ t('pub.track.yourRequest') }}</h2>
          <p class="pre" data-testid="tracking-description">{{ tk.description }}</p>
          @if (tk.attachments.length) {
            <h3>{{ t('pub.track.files') }}</h3>
            <ul>@for (a of tk.attachments; track $index) { <li>{{ a.filename }} ({{ i18n.fileSize(a.size) }})</li> }</ul>
          }
        </section>

        <section class="card" aria-labelledby="trk-messages-h">
          <h2 id="trk-messages-h">{{ t('pub.track.messages') }}</h2>
          @if (tk.messages.length) {
            <ol class="messages" data-testid="tracking-messages">
              @for (msg of tk.messages; track $index) {
                <li [class.from-you]="msg.kind === 'inbound'">
                  <p class="who">{{ msg.kind === 'reply' ? t('pub.track.fromTown') : t('pub.track.fromYou') }} –
                    <time [attr.datetime]="msg.at">{{ i18n.dateTime(msg.at) }}</time></p>
                  <p class="pre">{{ msg.body }}</p>
                </li>
              }
            </ol>
          } @else {
            <p>{{ t('pub.track.noMessages') }}</p>
          }
        </section>

        <section class="card" aria-labelledby="trk-add-h">
          <h2 id="trk-add-h">{{ t('pub.track.add') }}</h2>
          <p class="live" role="status" aria-live="polite" data-testid="tracking-notice">{{ notice() }}</p>
          @if (tk.canAddInformation) {
            <p class="hint">{{ t('pub.track.addHint') }}</p>
            <div role="alert" class="alert-region">@if (general()) { <p class="alert alert-error">{{ general() }}</p> }</div>
            <form (ngSubmit)="send()" novalidate>
              <div class="field">
                <label for="trk-body">{{ t('pub.track.message') }} <span class="req" aria-hidden="true">*</span><span class="sr-only">{{ t('pub.requiredMark') }}</span></label>
                <textarea id="trk-body" name="body" rows="4" data-testid="tracking-body" [(ngModel)]="body"
                  [attr.aria-invalid]="err('body') ? 'true' : null" [attr.aria-describedby]="err('body') ? 'trk-body-error' : null"></textarea>
                @if (err('body'); as m) { <p class="field-error" id="trk-body-error">{{ m }}</p> }
              </div>
              <div class="field">
                <label for="trk-files">{{ t('pub.files') }}</label>
                <p class="hint" id="trk-files-hint">{{ t('pub.filesHint', { max: 5, size: maxSize() }) }}</p>
                <input id="trk-files" name="files" type="file" multiple (change)="pick($event)"
                  [attr.aria-invalid]="err('files') ? 'true' : null" [attr.aria-describedby]="'trk-files-hint' + (err('files') ? ' trk-files-error' : '')" />
                @if (err('files'); as m) { <p class="field-error" id="trk-files-error">{{ m }}</p> }
              </div>
              <button type="submit" class="btn btn-primary" data-testid="tracking-send" [disabled]="busy()">{{ t('pub.track.send') }}</button>
            </form>
          } @else {
            <p>{{ t('pub.track.closed') }}</p>
            <p><a routerLink="/demande">{{ t('pub.track.newRequest') }}</a></p>
          }
        </section>
      } @else {
        <h1>{{ t('pub.track.headingPlain') }}</h1>
        @if (townIntro(); as intro) {
          <p class="pre">{{ intro }}</p>
        }
        @if (loading()) {
          <p role="status">{{ t('pub.loading') }}</p>
        } @else {
          <div role="alert" class="alert-region">
            @if (lookupError()) { <p class="alert alert-error" data-testid="tracking-not-found">{{ lookupError() }}</p> }
          </div>
          <section class="card" aria-labelledby="trk-lookup-h">
            <h2 id="trk-lookup-h">{{ t('pub.track.lookup') }}</h2>
            <p class="hint">{{ t('pub.track.lookupHint') }}</p>
            <form (ngSubmit)="lookup()" novalidate>
              <div class="field">
                <label for="trk-ref">{{ t('pub.track.reference') }}</label>
                <input id="trk-ref" name="ref" type="text" autocomplete="off" [(ngModel)]="refInput" />
              </div>
              <div class="field">
                <label for="trk-key">{{ t('pub.track.key') }}</label>
                <input id="trk-key" name="k" type="text" autocomplete="off" spellcheck="false" [(ngModel)]="keyInput" />
              </div>
              <button type="submit" class="btn btn-primary">{{ t('pub.track.open') }}</button>
            </form>
          </section>
          <p><a routerLink="/demande">{{ t('pub.track.newRequest') }}</a></p>
        }
      }
    </grc-public-layout>
  `,
})
export class PublicTrackingPage {
  /** query parameters, bound by the router */
  readonly ref = input<string | undefined>();
  readonly k = input<string | undefined>();

  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly api = inject(PublicApi);
  /** the town's own introduction of this page (Administration › Commune) */
  protected readonly townIntro = toSignal(
    this.api.town().pipe(
      map((t) => t.texts.trackingIntro || null),
      catchError(() => of(null)),
    ),
    {
      initialValue: null,
    },
  );
  private readonly router = inject(Router);
  private readonly titles = inject(I18nTitleStrategy);

  protected readonly tracking = signal<PublicTracking | null>(null);
  protected readonly loading = signal(false);
  protected readonly lookupError = signal<string | null>(null);
  protected readonly refInput = signal('');
  protected readonly keyInput = signal('');
  protected readonly body = signal('');
  protected readonly files = signal<File[]>([]);
  protected readonly busy = signal(false);
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly general = signal<string | null>(null);
  protected readonly notice = signal('');
  private maxBytes = 10 * 1048576;
  protected readonly maxSize = signal(sizeLabel(this.maxBytes, this.i18n.lang()));
  private sub?: Subscription;

  constructor() {
    this.api.form().subscribe({
      next: (f) => {
        this.maxBytes = f.limits.maxFileBytes;
        this.maxSize.set(sizeLabel(this.maxBytes, this.i18n.lang()));
      },
      error: () => undefined,
    });
    effect(() => {
      const ref = this.ref() ?? '';
      const k = this.k() ?? '';
      untracked(() => {
        this.refInput.set(ref);
        this.keyInput.set(k);
        if (ref && k) this.load(ref, k);
        else {
          this.tracking.set(null);
          this.lookupError.set(ref || k ? this.t('pub.track.notFound') : null);
        }
      });
    });
  }

  protected statusLabel(s: TicketStatus): string {
    return this.t(`pub.status.${s}` as MsgKey);
  }

  protected err(field: string): string | null {
    return this.errors()[field] ?? null;
  }

  private load(ref: string, k: string): void {
    this.sub?.unsubscribe();
    this.loading.set(true);
    this.lookupError.set(null);
    this.sub = this.api.track(ref, k).subscribe({
      next: (tk) => {
        this.loading.set(false);
        this.tracking.set(tk);
        this.titles.setDetail(tk.reference);
      },
      error: (e: unknown) => {
        this.loading.set(false);
        this.tracking.set(null);
        this.lookupError.set(this.lookupMessage(e));
      },
    });
  }

  /** 404: unknown or wrong key (never says which); 410: the right key, past its date (the reference is the citizen's own). */
  private lookupMessage(e: unknown): string {
    const status = (e as { status?: number }).status;
    if (status === 404) return this.t('pub.track.notFound');
    if (status === 410) return this.t('pub.track.expired', { ref: this.ref() ?? '' });
    return publicErrors(e, this.t, this.i18n.lang(), this.maxBytes, 5).general ?? this.t('pub.track.notFound');
  }

  protected lookup(): void {
    void this.router.navigate(['/suivi'], { queryParams: { ref: this.refInput().trim(), k: this.keyInput().trim() } });
  }

  protected pick(event: Event): void {
    this.files.set(Array.from((event.target as HTMLInputElement).files ?? []));
  }

  protected send(): void {
    const tk = this.tracking();
    const k = this.k();
    if (!tk || !k || this.busy()) return;
    this.notice.set('');
    this.general.set(null);
    if (!this.body().trim()) {
      this.errors.set({ body: this.t('pub.err.required') });
      document.getElementById('trk-body')?.focus();
      return;
    }
    const tooLarge = this.files().find((f) => f.size > this.maxBytes);
    if (tooLarge) {
      this.errors.set({ files: this.t('pub.err.file.too_large', { name: tooLarge.name, size: this.maxSize() }) });
      document.getElementById('trk-files')?.focus();
      return;
    }
    this.errors.set({});
    const body = new FormData();
    body.append('body', this.body());
    for (const f of this.files()) body.append('files', f, f.name);
    this.busy.set(true);
    this.api.addInformation(tk.reference, k, body).subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.tracking.set(updated);
        this.body.set('');
        this.files.set([]);
        const input = document.getElementById('trk-files') as HTMLInputElement | null;
        if (input) input.value = '';
        this.notice.set(this.t('pub.track.sent'));
      },
      error: (e: unknown) => {
        this.busy.set(false);
        const pe = publicErrors(e, this.t, this.i18n.lang(), this.maxBytes, 5);
        this.errors.set(pe.fields);
        this.general.set(pe.general ?? pe.fields['general'] ?? null);
        const first = pe.fields['files'] ? 'trk-files' : 'trk-body';
        document.getElementById(first)?.focus();
      },
    });
  }
}
