import { Injectable, effect, inject, signal } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { TitleStrategy, type RouterStateSnapshot } from '@angular/router';
import { I18n, type MsgKey } from './i18n';

/** Route titles are dictionary keys; the document title follows the language. Pages may add detail (a reference). */
@Injectable({ providedIn: 'root' })
export class I18nTitleStrategy extends TitleStrategy {
  private readonly title = inject(Title);
  private readonly i18n = inject(I18n);
  private readonly key = signal<MsgKey | null>(null);
  private readonly detail = signal<string | null>(null);

  constructor() {
    super();
    effect(() => {
      const key = this.key();
      const detail = this.detail();
      const parts = [detail, key ? this.i18n.t(key) : null, this.i18n.t('app.name')].filter(Boolean);
      this.title.setTitle(parts.join(' – '));
    });
  }

  override updateTitle(snapshot: RouterStateSnapshot): void {
    this.detail.set(null);
    this.key.set((this.buildTitle(snapshot) as MsgKey | undefined) ?? null);
  }

  /** e.g. the ticket reference, prepended to the route title */
  setDetail(detail: string | null): void {
    this.detail.set(detail);
  }
}
