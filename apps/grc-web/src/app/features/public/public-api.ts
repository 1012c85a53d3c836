import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { PrivacyNotice, PublicForm, PublicRequestCreated, PublicTown, PublicTracking } from '@grc/domain';
import { Observable, catchError, shareReplay, throwError } from 'rxjs';
import { API } from '../../core/api';
import type { MsgKey } from '../../core/i18n';

const BASE = `${API}/public`;

/** The citizen endpoints (no account; the interceptor adds the X-Requested-With header they need). */
@Injectable({ providedIn: 'root' })
export class PublicApi {
  private readonly http = inject(HttpClient);
  private form$?: Observable<PublicForm>;
  private notice$?: Observable<PrivacyNotice>;
  private town$?: Observable<PublicTown>;

  /** Town name, categories with their fields, limits: fetched once per visit. */
  form(): Observable<PublicForm> {
    this.form$ ??= this.http.get<PublicForm>(`${BASE}/form`).pipe(
      catchError((e: unknown) => {
        this.form$ = undefined;
        return throwError(() => e);
      }),
      shareReplay(1),
    );
    return this.form$;
  }

  /** The town's name, logo and texts (Administration › Commune): fetched once per visit. */
  town(): Observable<PublicTown> {
    this.town$ ??= this.http.get<PublicTown>(`${BASE}/town`).pipe(
      catchError((e: unknown) => {
        this.town$ = undefined;
        return throwError(() => e);
      }),
      shareReplay(1),
    );
    return this.town$;
  }

  /** The logo's address (GET /public/town-logo), when the town has one. */
  readonly logoUrl = `${BASE}/town-logo`;

  /** The information notice (art. 13) as data: fetched once per visit. */
  privacyNotice(): Observable<PrivacyNotice> {
    this.notice$ ??= this.http.get<PrivacyNotice>(`${BASE}/privacy-notice`).pipe(
      catchError((e: unknown) => {
        this.notice$ = undefined;
        return throwError(() => e);
      }),
      shareReplay(1),
    );
    return this.notice$;
  }

  create(body: FormData): Observable<PublicRequestCreated> {
    return this.http.post<PublicRequestCreated>(`${BASE}/requests`, body);
  }

  track(reference: string, key: string): Observable<PublicTracking> {
    return this.http.get<PublicTracking>(`${BASE}/requests/${encodeURIComponent(reference)}`, { headers: { 'X-Tracking-Key': key } });
  }

  addInformation(reference: string, key: string, body: FormData): Observable<PublicTracking> {
    return this.http.post<PublicTracking>(`${BASE}/requests/${encodeURIComponent(reference)}/messages`, body, {
      headers: { 'X-Tracking-Key': key },
    });
  }
}

/** One message per field, translated from the error code; `summary` lists them for the error summary. */
export interface PublicErrors {
  /** the alert's text when no field is at fault (or in addition) */
  general: string | null;
  fields: Record<string, string>;
}

type T = (key: MsgKey, params?: Record<string, string | number>) => string;

export const sizeLabel = (bytes: number, lang: string) =>
  `${new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 }).format(bytes / 1048576)} ${lang === 'en' ? 'MB' : 'Mo'}`;

/** Server problems → translated messages (the server's French text when no translation fits). */
export function publicErrors(err: unknown, t: T, lang: string, maxBytes: number, maxFiles: number): PublicErrors {
  if (!(err instanceof HttpErrorResponse)) return { general: t('pub.err.generic'), fields: {} };
  if (err.status === 0) return { general: t('pub.err.network'), fields: {} };
  if (err.status === 429) return { general: t('pub.err.rate_limited'), fields: {} };
  const body = (err.error && typeof err.error === 'object' ? err.error : {}) as {
    detail?: string;
    errors?: Array<{ field: string; code?: string; message: string }>;
  };
  const fields: Record<string, string> = {};
  for (const e of body.errors ?? []) {
    const name = /« (.+?) »/.exec(e.message)?.[1] ?? '';
    let text: string;
    switch (e.code) {
      case 'required':
      case 'too_long':
      case 'invalid':
        text = lang === 'fr' ? e.message : t(`pub.err.${e.code}`);
        break;
      case 'contact.missing':
        text = t('pub.err.contact');
        break;
      case 'file.too_large':
        text = t('pub.err.file.too_large', { name, size: sizeLabel(maxBytes, lang) });
        break;
      case 'file.type':
        text = t('pub.err.file.type', { name });
        break;
      case 'file.empty':
        text = t('pub.err.file.empty', { name });
        break;
      case 'file.too_many':
        text = t('pub.err.file.too_many', { max: maxFiles });
        break;
      case 'closed':
        text = t('pub.err.closed');
        break;
      default:
        text = lang === 'fr' ? e.message : t('pub.err.invalid');
    }
    const field = e.field || 'general';
    fields[field] = fields[field] ? `${fields[field]} ${text}` : text;
  }
  const general = Object.keys(fields).length
    ? null
    : err.status >= 500 || !body.detail
      ? t('pub.err.generic')
      : lang === 'fr'
        ? body.detail
        : t('pub.err.generic');
  return { general, fields };
}
