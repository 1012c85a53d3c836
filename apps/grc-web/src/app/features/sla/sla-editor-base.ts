import { Directive, inject, output, signal } from '@angular/core';
import type { Observable } from 'rxjs';
import { Api } from '../../core/api';
import { I18n } from '../../core/i18n';
import { SlaErrors, saveFailure, type SlaFieldErr } from './sla-form-errors';

/**
 * What the calendar and policy editors share: saving a versioned document (the form's own checks first,
 * then the server's field errors, a 409 offering to reload), announcing the saved version, and moving
 * the focus after a row is added or removed.
 */
@Directive()
export abstract class SlaEditorBase<T extends { id: string; name: string; version: number }> {
  protected readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly errors = inject(SlaErrors);
  readonly changed = output<T>();
  readonly closed = output<void>();
  protected readonly busy = signal(false);
  protected readonly notice = signal('');

  /** Refuses locally when `local` lists problems, else sends `request()` and reports the outcome. */
  protected submit(local: SlaFieldErr[], request: () => Observable<T>): void {
    if (this.busy()) return;
    this.notice.set('');
    if (local.length) {
      this.errors.fail({ detail: null, errors: local, stale: false, status: 400 });
      return;
    }
    this.busy.set(true);
    request().subscribe({
      next: (saved) => {
        this.busy.set(false);
        this.changed.emit(saved);
        this.notice.set(this.savedNotice(saved));
      },
      error: (err: unknown) => {
        this.busy.set(false);
        this.errors.fail(saveFailure(err));
      },
    });
  }

  /** What the status line says once saved. */
  protected savedNotice(saved: T): string {
    return this.t('slaAdmin.savedAt', { name: saved.name, version: saved.version });
  }

  /** After a 409: the version stored now (from `listUrl`) replaces the draft; focus back on `heading`. */
  protected reloadFrom(listUrl: string, id: string | undefined, heading: string): void {
    this.api.get<T[]>(listUrl).subscribe((list) => {
      const fresh = list.find((x) => x.id === id);
      if (!fresh) return;
      this.changed.emit(fresh);
      this.notice.set(this.t('slaAdmin.reloaded'));
      this.focusLater(heading);
    });
  }

  /** Focus once the view shows the row just added or the neighbour of the one removed. */
  protected focusLater(selector: string): void {
    setTimeout(() => document.querySelector<HTMLElement>(selector)?.focus());
  }
}
