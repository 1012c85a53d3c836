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
  template: `
    <h1>{{ t('breaches.heading') }}</h1>
    @if (forbidden()) {
      <p role="alert">{{ t('breaches.forbidden') }}</p>
    } @else if (data(); as d) {
      @if (!d.total) {
        <p>{{ t('breaches.empty') }}</p>
      }
      @for (g of d.departments; track g.department.id) {
        <section class="card" [attr.aria-labelledby]="'dept-' + g.department.id">
          <h2 [id]="'dept-' + g.department.id">{{ g.department.name }} <span class="badge danger">{{ t('breaches.count', { n: g.count }) }}</span></h2>
          <table>
            <caption class="sr-only">{{ g.department.name }}</caption>
            <thead>
              <tr>
                <th scope="col">{{ t('breaches.reference') }}</th>
                <th scope="col">{{ t('breaches.subject') }}</th>
                <th scope="col">{{ t('breaches.target') }}</th>
                <th scope="col">{{ t('breaches.deadline') }}</th>
                <th scope="col">{{ t('breaches.overdue') }}</th>
                <th scope="col">{{ t('breaches.assignee') }}</th>
              </tr>
            </thead>
            <tbody>
              @for (i of g.items; track i.ticketId) {
                <tr>
                  <td><a [routerLink]="['/tickets', i.ticketId]">{{ i.reference }}</a></td>
                  <td>{{ i.subject }}</td>
                  <td>{{ t(targetKey(i.target)) }}</td>
                  <td>{{ i.deadline ? i18n.date(i.deadline) : '' }}</td>
                  <td>{{ overdue(i.overdueMinutes) }}</td>
                  <td>{{ i.assignee?.displayName ?? t('breaches.unassigned') }}</td>
                </tr>
              }
            </tbody>
          </table>
        </section>
      }
    } @else {
      <p>{{ t('common.loading') }}</p>
    }
  `,
})
export class BreachesPage {
  protected readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  protected readonly data = signal<SlaBreachesDto | null>(null);
  protected readonly forbidden = signal(false);

  constructor() {
    inject(Api).get<SlaBreachesDto>('/sla/breaches').subscribe({
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
