import { HttpErrorResponse } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { strFromU8, unzipSync } from 'fflate';
import type { PackChange } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';
import { toUiError, type UiError } from '../../core/problem';
import { FORM_ERRORS } from '../../shared/form-errors';

/** POST /admin/pack/import's answer. */
interface ImportResult {
  mode: 'load' | 'merge';
  changes: PackChange[];
  applied: boolean;
}
interface PackFileError {
  file: string;
  line: number | null;
  path: string;
  message: string;
}

/** A pack file's path, as the API accepts it (packs.service.ts): a YAML or JSON file at the top or in workflows/. */
const PACK_PATH = /^(workflows\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(ya?ml|json)$/;

/** The files of a chosen zip (a single top folder is dropped: a zip of the pack's folder) or of chosen YAML files. */
export async function packFilesOf(chosen: readonly File[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const f of chosen) {
    if (/\.zip$/i.test(f.name)) {
      const entries = unzipSync(new Uint8Array(await f.arrayBuffer()));
      const paths = Object.keys(entries).filter((p) => !p.endsWith('/'));
      const tops = new Set(paths.map((p) => (p.includes('/') ? p.split('/')[0] : '')));
      const strip = tops.size === 1 && !tops.has('') && ![...tops][0]!.startsWith('workflows') ? `${[...tops][0]}/` : '';
      for (const p of paths) {
        const path = strip && p.startsWith(strip) ? p.slice(strip.length) : p;
        if (PACK_PATH.test(path)) files[path] = strFromU8(entries[p]!);
      }
    } else if (PACK_PATH.test(f.name)) files[f.name] = await f.text();
  }
  return files;
}

/** Administration › Importer un pack: choose a pack, read the differences, apply them all or none (issue 15). */
@Component({
  selector: 'grc-admin-pack-import',
  imports: [...FORM_ERRORS],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>{{ t('packImport.heading') }}</h2>
    <p>{{ t('packImport.intro') }}</p>
    <form class="card" (submit)="$event.preventDefault(); preview()" novalidate>
      <div class="field">
        <label for="pack-files">{{ t('packImport.files') }}</label>
        <input
          id="pack-files"
          name="files"
          type="file"
          multiple
          accept=".zip,.yaml,.yml,.json,application/zip"
          aria-describedby="pack-files-hint"
          (change)="chosen($event)"
        />
        <p id="pack-files-hint" class="hint">{{ t('packImport.filesHint') }}</p>
        @if (names().length) {
          <p data-testid="pack-files-read">{{ t('packImport.chosen', { count: names().length, names: names().join(', ') }) }}</p>
        }
      </div>
      <button type="submit" class="btn btn-primary" [disabled]="busy() || !names().length">
        {{ busy() === 'preview' ? t('packImport.previewing') : t('packImport.preview') }}
      </button>
    </form>
    <grc-error-alert [error]="error()">
      @if (packErrors().length) {
        <ul data-testid="pack-errors">
          @for (e of packErrors(); track $index) {
            <li>{{ t('packImport.errorAt', { file: e.file, line: e.line ?? '—', path: e.path || '—', message: e.message }) }}</li>
          }
        </ul>
      }
    </grc-error-alert>
    <div aria-live="polite" data-testid="pack-preview">
      @if (result(); as r) {
        @if (r.applied) {
          <p class="alert alert-success">{{ t('packImport.applied', { count: r.changes.length }) }}</p>
        } @else if (!r.changes.length) {
          <p class="alert alert-info">{{ t('packImport.none') }}</p>
        } @else {
          @if (r.mode === 'load') {
            <p class="alert alert-info">{{ t('packImport.loadMode') }}</p>
          }
          <table class="data">
            <caption>{{ t('packImport.changes', { count: r.changes.length }) }}</caption>
            <thead>
              <tr>
                <th scope="col">{{ t('packImport.kind') }}</th>
                <th scope="col">{{ t('packImport.key') }}</th>
                <th scope="col">{{ t('packImport.action') }}</th>
                <th scope="col">{{ t('packImport.fields') }}</th>
              </tr>
            </thead>
            <tbody>
              @for (c of r.changes; track $index) {
                <tr>
                  <td>{{ kind(c) }}</td>
                  <th scope="row">{{ c.key || '—' }}</th>
                  <td>{{ c.action === 'create' ? t('packImport.create') : t('packImport.update') }}</td>
                  <td>{{ c.fields?.join(', ') ?? '' }}</td>
                </tr>
              }
            </tbody>
          </table>
          <button type="button" class="btn btn-primary" data-testid="pack-apply" [disabled]="busy()" (click)="apply()">
            {{ busy() === 'apply' ? t('packImport.applying') : t('packImport.apply') }}
          </button>
        }
      }
    </div>
  `,
})
export class PackImportAdmin {
  private readonly api = inject(Api);
  protected readonly t = inject(I18n).t;
  private readonly files = signal<Record<string, string>>({});
  protected readonly names = computed(() => Object.keys(this.files()).sort());
  protected readonly busy = signal<'preview' | 'apply' | null>(null);
  protected readonly error = signal<UiError | null>(null);
  protected readonly packErrors = signal<PackFileError[]>([]);
  protected readonly result = signal<ImportResult | null>(null);

  protected kind(c: PackChange): string {
    return this.t(`packImport.kind.${c.kind}` as MsgKey);
  }

  protected async chosen(e: Event): Promise<void> {
    this.reset();
    const list = Array.from((e.target as HTMLInputElement).files ?? []);
    try {
      this.files.set(await packFilesOf(list));
    } catch {
      this.files.set({});
      this.error.set({ status: 0, detail: this.t('packImport.unreadable'), fallbackKey: 'packImport.unreadable', fields: {} });
    }
  }

  protected preview(): void {
    this.send(true);
  }

  protected apply(): void {
    this.send(false);
  }

  private reset(): void {
    this.error.set(null);
    this.packErrors.set([]);
    this.result.set(null);
  }

  private send(dryRun: boolean): void {
    if (this.busy() || !this.names().length) return;
    this.busy.set(dryRun ? 'preview' : 'apply');
    this.error.set(null);
    this.packErrors.set([]);
    this.api.post<ImportResult>('/admin/pack/import', { files: this.files(), dryRun }).subscribe({
      next: (r) => {
        this.busy.set(null);
        this.result.set(r);
      },
      error: (e: unknown) => {
        this.busy.set(null);
        this.result.set(null);
        this.error.set(toUiError(e));
        if (e instanceof HttpErrorResponse && e.status === 422) {
          const list = ((e.error as { errors?: unknown[] })?.errors ?? []) as Array<{
            field?: string;
            message?: string;
            params?: { path?: string; line?: number | null };
          }>;
          this.error.set({ ...toUiError(e), detail: this.t('packImport.invalid') });
          this.packErrors.set(
            list.map((x) => ({
              file: String(x.field ?? '').replace(/^files\./, ''),
              line: x.params?.line ?? null,
              path: x.params?.path ?? '',
              message: x.message ?? '',
            })),
          );
        }
      },
    });
  }
}
