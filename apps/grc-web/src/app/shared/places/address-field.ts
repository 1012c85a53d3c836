import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  computed,
  inject,
  input,
  model,
  output,
  signal,
  viewChild,
} from '@angular/core';
import type { AddressSuggestion } from '@grc/domain';
import { Subject, debounceTime, distinctUntilChanged, of, switchMap, catchError } from 'rxjs';
import { I18n } from '../../core/i18n';
import { PlacesApi, type PlacesSide } from './places-api';

let seq = 0;

/**
 * The address field with BAN suggestions: the WAI-ARIA 1.2 combobox pattern (an input with a listbox popup,
 * `aria-activedescendant`), usable with the keyboard only — ↓/↑ move, Enter picks, Escape closes, typing filters —
 * and announced (a polite live region says how many suggestions there are). The free text stays valid: an address
 * the BAN does not know (a place, "devant l'école") is kept as typed.
 */
@Component({
  selector: 'grc-address-field',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'address-field' },
  template: `
    <label [for]="inputId()">{{ label() }}</label>
    @if (hint()) {
      <p class="hint" [id]="inputId() + '-hint'">{{ hint() }}</p>
    }
    <div class="combobox">
      <input
        #box
        [id]="inputId()"
        [name]="name()"
        [attr.data-testid]="testId()"
        [attr.maxlength]="500"
        type="text"
        role="combobox"
        autocomplete="off"
        aria-autocomplete="list"
        [attr.aria-expanded]="open()"
        [attr.aria-controls]="listId"
        [attr.aria-activedescendant]="active() >= 0 && open() ? listId + '-' + active() : null"
        [attr.aria-describedby]="describedBy()"
        [attr.aria-invalid]="invalid() ? 'true' : null"
        [value]="value()"
        (input)="typed($any($event.target).value)"
        (keydown)="key($event)"
        (blur)="blurred()"
      />
      <ul [id]="listId" role="listbox" class="suggestions" [attr.aria-label]="t('places.suggestions')" [hidden]="!open()">
        @for (s of suggestions(); track s.id; let i = $index) {
          <!-- the combobox pattern: options are reached by aria-activedescendant from the input's keys, never focused -->
          <!-- eslint-disable-next-line @angular-eslint/template/click-events-have-key-events, @angular-eslint/template/interactive-supports-focus -->
          <li
            [id]="listId + '-' + i"
            role="option"
            [attr.aria-selected]="i === active()"
            [class.active]="i === active()"
            (mousedown)="$event.preventDefault()"
            (click)="pick(s)"
          >
            {{ s.label }}
            @if (s.kind === 'street') {
              <span class="muted">— {{ t('places.streetOnly') }}</span>
            }
          </li>
        }
      </ul>
    </div>
    <p class="sr-only" aria-live="polite" [id]="listId + '-status'">{{ status() }}</p>
  `,
})
export class AddressField {
  private readonly places = inject(PlacesApi);
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  readonly side = input<PlacesSide>('agent');
  readonly label = input.required<string>();
  readonly hint = input<string>('');
  readonly inputId = input.required<string>();
  readonly name = input<string>('address');
  readonly testId = input<string | null>(null);
  readonly invalid = input<boolean>(false);
  /** extra ids for aria-describedby (the field's error) */
  readonly describedByExtra = input<string | null>(null);
  readonly value = model<string>('');
  /** an address of the BAN was chosen (its point goes to the map and the coordinates) */
  readonly picked = output<AddressSuggestion>();

  protected readonly listId = `address-list-${++seq}`;
  protected readonly suggestions = signal<AddressSuggestion[]>([]);
  protected readonly active = signal(-1);
  protected readonly open = signal(false);
  protected readonly status = signal('');
  protected readonly describedBy = computed(
    () => [this.hint() ? `${this.inputId()}-hint` : null, this.describedByExtra()].filter(Boolean).join(' ') || null,
  );
  private readonly box = viewChild.required<ElementRef<HTMLInputElement>>('box');
  private readonly queries = new Subject<string>();
  /** an address was picked since the last keystroke: suggestions still on their way are for what was typed before */
  private pickedSinceTyping = false;

  constructor() {
    const sub = this.queries
      .pipe(
        debounceTime(180),
        distinctUntilChanged(),
        switchMap((q) => (q.trim().length < 2 ? of([]) : this.places.search(this.side(), q).pipe(catchError(() => of([]))))),
      )
      .subscribe((list) => {
        if (this.pickedSinceTyping) return;
        this.suggestions.set(list);
        this.active.set(-1);
        this.open.set(list.length > 0 && document.activeElement === this.box().nativeElement);
        this.status.set(
          list.length
            ? this.i18n.plural('places.suggestionsCount', list.length)
            : this.value().trim().length >= 2
              ? this.t('places.noSuggestion')
              : '',
        );
      });
    inject(DestroyRef).onDestroy(() => sub.unsubscribe());
  }

  protected typed(v: string): void {
    this.pickedSinceTyping = false;
    this.value.set(v);
    this.queries.next(v);
  }

  protected key(e: KeyboardEvent): void {
    const n = this.suggestions().length;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!n) return;
      this.open.set(true);
      this.active.set((this.active() + 1) % n);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (!n) return;
      this.open.set(true);
      this.active.set(this.active() <= 0 ? n - 1 : this.active() - 1);
    } else if (e.key === 'Enter' && this.open() && this.active() >= 0) {
      e.preventDefault();
      this.pick(this.suggestions()[this.active()]!);
    } else if (e.key === 'Escape' && this.open()) {
      e.preventDefault();
      this.open.set(false);
      this.active.set(-1);
    }
  }

  protected blurred(): void {
    this.open.set(false);
  }

  protected pick(s: AddressSuggestion): void {
    const text = s.kind === 'street' ? `${s.street}, ${s.postcode} ${s.commune}` : s.label;
    this.pickedSinceTyping = true;
    this.value.set(text);
    this.box().nativeElement.value = text;
    this.open.set(false);
    this.active.set(-1);
    this.suggestions.set([]);
    this.status.set(this.t('places.picked', { label: text }));
    this.picked.emit(s);
  }
}
