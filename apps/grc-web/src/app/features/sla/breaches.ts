import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { SlaBreachesDto } from '@grc/domain';
import { Api } from '../../core/api';
import { I18n, type MsgKey } from '../../core/i18n';

/** Heads of department: open requests past their deadline, grouped by department. */
@Component({
  selector: 'grc-sla-breaches',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './breaches.html',
})
export class BreachesPage {
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly data = signal<SlaBreachesDto | null>(null);
  protected readonly forbidden = signal(false);

  constructor() {
    inject(Api)
      .get<SlaBreachesDto>('/sla/breaches')
      .subscribe({
        next: (d) => this.data.set(d),
        error: () => this.forbidden.set(true),
      });
  }

  protected targetKey(target: string): MsgKey {
    return (target === 'firstResponse' || target === 'resolution' ? `sla.target.${target}` : 'sla.heading') as MsgKey;
  }
  protected overdue(minutes: number): string {
    const d = Math.floor(minutes / 1440);
    const h = Math.floor((minutes % 1440) / 60);
    const m = minutes % 60;
    return d ? `${d} j ${h} h` : h ? `${h} h ${String(m).padStart(2, '0')}` : `${m} min`;
  }
}
