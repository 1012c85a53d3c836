import { Directive, inject, signal } from '@angular/core';
import type { Observable } from 'rxjs';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { RefData } from '../../core/ref-data';

/** Shared behaviour of the admin screens: a list, one item edited at a time, PUT with `version`. */
@Directive()
export abstract class AdminBase<T extends { id: string; version: number }, I> {
  protected readonly api = inject(Api);
  protected readonly ref = inject(RefData);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected abstract readonly path: string;

  protected readonly items = signal<T[]>([]);
  protected readonly loading = signal(false);
  protected readonly listError = signal<UiError | null>(null);
  /** the item being edited, or null when creating */
  protected readonly editing = signal<T | null>(null);
  protected readonly formOpen = signal(false);
  protected readonly draft = signal<I>(this.blank());
  protected readonly error = signal<UiError | null>(null);
  protected readonly notice = signal('');
  protected readonly busy = signal(false);

  protected abstract blank(): I;
  protected abstract toInput(item: T): I;
  /** the body to send, or null after setting a local error */
  protected abstract body(draft: I): unknown | null;

  protected load(): void {
    this.loading.set(true);
    this.api.get<T[]>(this.path).subscribe({
      next: (items) => {
        this.items.set(items);
        this.loading.set(false);
      },
      error: (err: unknown) => {
        this.loading.set(false);
        this.listError.set(toUiError(err));
      },
    });
  }

  protected create(): void {
    this.editing.set(null);
    this.draft.set(this.blank());
    this.open();
  }

  protected edit(item: T): void {
    this.editing.set(item);
    this.draft.set(this.toInput(item));
    this.open();
  }

  protected cancel(): void {
    this.formOpen.set(false);
    this.error.set(null);
  }

  protected save(): void {
    if (this.busy()) return;
    this.error.set(null);
    const body = this.body(this.draft());
    if (body === null) return;
    const current = this.editing();
    const req: Observable<T> = current
      ? this.api.put<T>(`${this.path}/${current.id}`, { ...(body as object), version: current.version })
      : this.api.post<T>(this.path, body);
    this.busy.set(true);
    req.subscribe({
      next: () => {
        this.busy.set(false);
        this.formOpen.set(false);
        this.notice.set(this.t('admin.saved'));
        this.ref.invalidate();
        this.load();
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.error.set(toUiError(err));
      },
    });
  }

  private open(): void {
    this.error.set(null);
    this.notice.set('');
    this.formOpen.set(true);
    setTimeout(() => document.getElementById('admin-form-h')?.focus());
  }
}
