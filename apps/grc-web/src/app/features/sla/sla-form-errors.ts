import { HttpErrorResponse } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  Directive,
  ElementRef,
  Injectable,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { I18n } from '../../core/i18n';

/** One error at a field path, as the API reports them (`calendar.weeklyHours.wednesday[1]`, `ladder[0].atPercent`). */
export interface SlaFieldErr {
  field: string;
  message: string;
}

/** A failed save: the server's (or the form's) message, the errors per field, and whether it was a stale version (409). */
export interface SlaSaveFailure {
  detail: string | null;
  errors: SlaFieldErr[];
  stale: boolean;
  status: number;
}

/** Reads a problem+json answer (or a network failure) into a SlaSaveFailure. */
export function saveFailure(err: unknown): SlaSaveFailure {
  if (!(err instanceof HttpErrorResponse)) return { detail: null, errors: [], stale: false, status: -1 };
  const body = (typeof err.error === 'object' && err.error !== null ? err.error : {}) as { detail?: unknown; errors?: unknown };
  const errors = (Array.isArray(body.errors) ? body.errors : [])
    .filter((e): e is SlaFieldErr => !!e && typeof e.field === 'string' && typeof e.message === 'string')
    .map((e) => ({ field: e.field, message: e.message }));
  const stale = err.status === 409 && errors.some((e) => e.field === 'version');
  return { detail: typeof body.detail === 'string' && body.detail ? body.detail : null, errors, stale, status: err.status };
}

/** The path one level up: `ladder[0].actions[1].to` → `ladder[0].actions[1]` → `ladder[0].actions` → … → '' */
const parentPath = (path: string): string => path.replace(/(\.[^.[\]]+|\[[^\]]*\])$/, '');

/** Does `error` belong to `path`: the same path, or (with `nested`) a path under it. */
const under = (error: string, path: string, nested: boolean): boolean =>
  error === path || (nested && (error.startsWith(`${path}.`) || error.startsWith(`${path}[`)));

interface Registration {
  el: HTMLElement;
  label: () => string;
}

/**
 * The errors of one editor (provided by each editor component): set after a failed save, read by the
 * controls (aria-invalid, aria-describedby), by the messages next to them and by the summary, which
 * links each error to the control that registered its path (or to the nearest registered parent path).
 */
@Injectable()
export class SlaErrors {
  readonly errors = signal<SlaFieldErr[]>([]);
  readonly detail = signal<string | null>(null);
  readonly stale = signal(false);
  /** incremented on each failed save: the summary takes the focus then */
  readonly failures = signal(0);
  private readonly controls = new Map<string, Registration[]>();

  fail(f: SlaSaveFailure): void {
    this.errors.set(f.errors);
    this.detail.set(f.detail);
    this.stale.set(f.stale);
    this.failures.update((n) => n + 1);
  }
  clear(): void {
    this.errors.set([]);
    this.detail.set(null);
    this.stale.set(false);
  }
  messages(paths: readonly string[], nested = false): string[] {
    const list = this.errors();
    return list.filter((e) => paths.some((p) => under(e.field, p, nested))).map((e) => e.message);
  }

  register(path: string, reg: Registration): () => void {
    const regs = this.controls.get(path) ?? [];
    regs.push(reg);
    this.controls.set(path, regs);
    return () => {
      const left = (this.controls.get(path) ?? []).filter((r) => r !== reg);
      if (left.length) this.controls.set(path, left);
      else this.controls.delete(path);
    };
  }

  /** The control to reach for an error: the one registered for its path, else for the nearest parent path. */
  controlFor(path: string): Registration | null {
    for (let p = path; ; p = parentPath(p)) {
      const reg = this.controls.get(p)?.[0];
      if (reg) return reg;
      if (!p) return null;
    }
  }
}

/**
 * On a form control of an SLA editor: `aria-invalid` and `aria-describedby` (hint, then the message
 * element `errorId`) from the editor's errors at these field paths; registers the control so the
 * error summary can link to it.
 */
@Directive({
  selector: '[grcSlaField]',
  host: {
    '[attr.aria-invalid]': 'invalid() ? "true" : null',
    '[attr.aria-describedby]': 'describedBy()',
  },
})
export class SlaFieldDirective {
  /** the field paths this control answers for; the first is the one the summary links to */
  readonly grcSlaField = input.required<string | readonly string[]>();
  /** id of the grc-sla-field-error element showing the messages */
  readonly errorId = input.required<string>();
  /** also the errors under these paths (e.g. `ladder[0].actions[1].to` for `ladder[0].actions`) */
  readonly nested = input(false);
  readonly hintId = input<string | null>(null);
  /** how the summary names the field (default: the control's label) */
  readonly summaryLabel = input<string | null>(null);
  /** a message shown elsewhere (e.g. at the top of a group) that also describes this control */
  readonly also = input<{ path: string; errorId: string; label?: string } | null>(null);

  private readonly errors = inject(SlaErrors);
  private readonly el = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private readonly paths = computed(() => {
    const p = this.grcSlaField();
    return typeof p === 'string' ? [p] : [...p];
  });
  private readonly own = computed(() => this.errors.messages(this.paths(), this.nested()).length > 0);
  private readonly other = computed(() => {
    const a = this.also();
    return !!a && this.errors.messages([a.path]).length > 0;
  });
  protected readonly invalid = computed(() => this.own() || this.other());
  protected readonly describedBy = computed(
    () => [this.hintId(), this.own() ? this.errorId() : null, this.other() ? this.also()?.errorId : null].filter(Boolean).join(' ') || null,
  );

  constructor() {
    effect((onCleanup) => {
      const label = () => this.summaryLabel() ?? labelOf(this.el);
      const a = this.also();
      const offs = this.paths().map((p) => this.errors.register(p, { el: this.el, label }));
      if (a) offs.push(this.errors.register(a.path, { el: this.el, label: () => a.label ?? label() }));
      onCleanup(() => offs.forEach((off) => off()));
    });
  }
}

/** Registers an element (e.g. a group's first button) as where the summary leads for these paths, without marking it invalid. */
@Directive({ selector: '[grcSlaAnchor]' })
export class SlaAnchorDirective {
  readonly grcSlaAnchor = input.required<string | readonly string[]>();
  readonly summaryLabel = input<string | null>(null);
  private readonly errors = inject(SlaErrors);
  private readonly el = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;

  constructor() {
    effect((onCleanup) => {
      const p = this.grcSlaAnchor();
      const label = () => this.summaryLabel() ?? labelOf(this.el);
      const offs = (typeof p === 'string' ? [p] : p).map((path) => this.errors.register(path, { el: this.el, label }));
      onCleanup(() => offs.forEach((off) => off()));
    });
  }
}

function labelOf(el: HTMLElement): string {
  const labels = (el as HTMLInputElement).labels;
  const text = labels?.length ? labels[0].textContent : (el.getAttribute('aria-label') ?? el.textContent);
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** The messages next to a control (or a group of controls), referenced by their aria-describedby. */
@Component({
  selector: 'grc-sla-field-error',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `@if (messages().length) {
    <p class="field-error" [id]="errorId()"><span aria-hidden="true">⚠ </span>{{ messages().join(' ') }}</p>
  }`,
})
export class SlaFieldError {
  readonly paths = input.required<string | readonly string[]>();
  readonly errorId = input.required<string>();
  readonly nested = input(false);
  private readonly errors = inject(SlaErrors);
  protected readonly messages = computed(() => {
    const p = this.paths();
    return this.errors.messages(typeof p === 'string' ? [p] : p, this.nested());
  });
}

/**
 * After a failed save: a summary that takes the focus, states the problem (the server's detail, a stale
 * version with a way to reload) and lists every error as a link to its control.
 */
@Component({
  selector: 'grc-sla-error-summary',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    .error-summary ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
    .error-summary a { color: var(--c-error); font-weight: 600; }
  `,
  templateUrl: './sla-error-summary.html',
})
export class SlaErrorSummary {
  readonly idPrefix = input.required<string>();
  readonly reload = output<void>();
  protected readonly errors = inject(SlaErrors);
  protected readonly t = inject(I18n).t;
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  protected readonly visible = computed(() => this.errors.stale() || this.errors.errors().length > 0 || !!this.errors.detail());
  protected readonly items = computed(() =>
    this.errors
      .errors()
      .filter((e) => e.field !== 'version')
      .map((e) => {
        const reg = this.errors.controlFor(e.field);
        return { message: e.message, reg, label: reg?.label() ?? '' };
      }),
  );

  constructor() {
    effect(() => {
      if (this.errors.failures() === 0) return;
      setTimeout(() => this.host.querySelector<HTMLElement>('.error-summary')?.focus());
    });
  }

  protected go(event: Event, el: HTMLElement): void {
    event.preventDefault();
    el.focus();
    el.scrollIntoView({ block: 'center' });
  }
}

export const SLA_FORM_ERRORS = [SlaFieldDirective, SlaAnchorDirective, SlaFieldError, SlaErrorSummary] as const;
