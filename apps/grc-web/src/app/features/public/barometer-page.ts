import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { catchError, map, of } from 'rxjs';
import type { BarometerMonth } from '@grc/domain';
import { API } from '../../core/api';
import { communePrefix } from '../../core/commune-path';
import { I18n } from '../../core/i18n';
import { PublicLayout } from './public-layout';

interface Barometer {
  town: string;
  licence: { title: string; path: string };
  generatedAt: string | null;
  threshold: number;
  months: BarometerMonth[];
}

const FR = {
  heading: 'Baromètre : comment la mairie répond à vos demandes',
  intro:
    'Les chiffres des 12 derniers mois, mis à jour chaque jour. Ce sont les mêmes définitions que celles des tableaux de bord des services. Aucune donnée personnelle.',
  month: 'Mois',
  received: 'Demandes reçues',
  resolved: 'Demandes résolues',
  backlog: 'En cours à la fin du mois',
  median: 'Délai de résolution médian',
  sla: 'Délai promis tenu',
  summary: 'Sur les 12 derniers mois : {received} demandes reçues, {resolved} résolues.',
  last: 'Dernier mois ({month}) : délai de résolution médian de {median}, délai promis tenu pour {sla} des demandes.',
  lastNoSla: 'Dernier mois ({month}) : délai de résolution médian de {median}.',
  suppressed: 'moins de {n} demandes : non publié',
  none: 'Pas encore de chiffres publiés.',
  days: '{v} jours',
  defReceived: 'Demandes enregistrées dans le mois, tous canaux.',
  defResolved: 'Demandes dont la résolution définitive tombe dans le mois (une demande rouverte compte à sa nouvelle résolution).',
  defBacklog: 'Demandes reçues et pas encore résolues à la fin du mois.',
  defMedian:
    'La moitié des demandes résolues dans le mois l’ont été en moins de ce temps (jours calendaires, attente de votre réponse exclue).',
  defSla: 'Part des demandes résolues dans le mois dans le délai que la mairie s’est fixé.',
  definitions: 'Définitions',
  data: 'Données ouvertes',
  dataText: 'Les chiffres détaillés par service, catégorie, canal et quartier sont publiés en données ouvertes :',
  licence: 'Licence : {licence}.',
  generated: 'Mis à jour le {date}.',
  unavailable: 'Le baromètre n’a pas pu être chargé. Réessayez plus tard.',
} as const;
type Key = keyof typeof FR;
const EN: Record<Key, string> = {
  heading: 'Barometer: how the town hall answers your requests',
  intro: 'The figures of the last 12 months, updated daily, with the same definitions as the departments’ dashboards. No personal data.',
  month: 'Month',
  received: 'Requests received',
  resolved: 'Requests resolved',
  backlog: 'Open at the end of the month',
  median: 'Median time to resolution',
  sla: 'Promised time met',
  summary: 'Over the last 12 months: {received} requests received, {resolved} resolved.',
  last: 'Last month ({month}): median time to resolution {median}, promised time met for {sla} of requests.',
  lastNoSla: 'Last month ({month}): median time to resolution {median}.',
  suppressed: 'fewer than {n} requests: not published',
  none: 'No figures published yet.',
  days: '{v} days',
  defReceived: 'Requests registered in the month, every channel.',
  defResolved: 'Requests whose final resolution falls in the month (a reopened request counts at its new resolution).',
  defBacklog: 'Requests received and not yet resolved at the end of the month.',
  defMedian: 'Half of the requests resolved in the month took less than this (calendar days, time waiting for your answer excluded).',
  defSla: 'Share of the requests resolved in the month within the time the town hall set itself.',
  definitions: 'Definitions',
  data: 'Open data',
  dataText: 'The detailed figures per department, category, channel and area are published as open data:',
  licence: 'Licence: {licence}.',
  generated: 'Updated on {date}.',
  unavailable: 'The barometer could not be loaded. Please try again later.',
};

/** The public baromètre (no login, light: no chart library, one request): the last 12 months, same definitions, suppressed counts shown as such. */
@Component({
  selector: 'grc-barometer',
  imports: [PublicLayout],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <grc-public-layout>
      <h1>{{ tr('heading') }}</h1>
      <p>{{ tr('intro') }}</p>
      @if (state(); as s) {
        @if (s.failed) {
          <p class="alert alert-error" role="alert">{{ tr('unavailable') }}</p>
        } @else if (!s.data || s.data.months.length === 0) {
          <p>{{ tr('none') }}</p>
        } @else {
          <p data-testid="barometer-summary">{{ summary() }}</p>
          <div class="table-wrap">
            <table class="table" data-testid="barometer-table">
              <caption class="sr-only">{{ tr('heading') }}</caption>
              <thead>
                <tr>
                  <th scope="col">{{ tr('month') }}</th>
                  <th scope="col">{{ tr('received') }}</th>
                  <th scope="col">{{ tr('resolved') }}</th>
                  <th scope="col">{{ tr('backlog') }}</th>
                  <th scope="col">{{ tr('median') }}</th>
                  <th scope="col">{{ tr('sla') }}</th>
                </tr>
              </thead>
              <tbody>
                @for (m of s.data.months; track m.month) {
                  <tr>
                    <th scope="row">{{ monthName(m.month) }}</th>
                    @if (m.suppressed) {
                      <td colspan="5">{{ tr('suppressed', { n: s.data.threshold }) }}</td>
                    } @else {
                      <td>{{ num(m.received) }}</td>
                      <td>{{ num(m.resolved) }}</td>
                      <td>{{ num(m.backlog) }}</td>
                      <td>{{ days(m.resolutionDaysMedian) }}</td>
                      <td>{{ pct(m.slaResolutionMetRate) }}</td>
                    }
                  </tr>
                }
              </tbody>
            </table>
          </div>
          <h2>{{ tr('definitions') }}</h2>
          <dl class="facts-public">
            <dt>{{ tr('received') }}</dt><dd>{{ tr('defReceived') }}</dd>
            <dt>{{ tr('resolved') }}</dt><dd>{{ tr('defResolved') }}</dd>
            <dt>{{ tr('backlog') }}</dt><dd>{{ tr('defBacklog') }}</dd>
            <dt>{{ tr('median') }}</dt><dd>{{ tr('defMedian') }}</dd>
            <dt>{{ tr('sla') }}</dt><dd>{{ tr('defSla') }}</dd>
          </dl>
          <h2>{{ tr('data') }}</h2>
          <p>{{ tr('dataText') }}</p>
          <ul>
            <li><a [href]="files + '/indicateurs-mensuels.csv'">indicateurs-mensuels.csv</a></li>
            <li><a [href]="files + '/indicateurs-mensuels.json'">indicateurs-mensuels.json</a></li>
            <li><a [href]="files + '/indicateurs-mensuels.schema.json'">indicateurs-mensuels.schema.json</a> (Table Schema)</li>
          </ul>
          <p>{{ tr('licence', { licence: s.data.licence.title }) }} <a [href]="s.data.licence.path">{{ s.data.licence.path }}</a></p>
          @if (s.data.generatedAt) {
            <p>{{ tr('generated', { date: date(s.data.generatedAt) }) }}</p>
          }
        }
      }
    </grc-public-layout>
  `,
})
export class BarometerPage {
  /** the commune's published files (under /c/<code>/…: that commune's) */
  protected readonly files = `${communePrefix()}${API}/public/open-data`;
  private readonly i18n = inject(I18n);
  protected readonly state = toSignal(
    inject(HttpClient)
      .get<Barometer>(`${API}/public/barometer`)
      .pipe(
        map((data) => ({ data, failed: false })),
        catchError(() => of({ data: null, failed: true })),
      ),
  );
  private readonly locale = computed(() => (this.i18n.lang() === 'en' ? 'en-GB' : 'fr-FR'));

  protected tr(key: Key, params?: Record<string, string | number>): string {
    let text = (this.i18n.lang() === 'en' ? EN : FR)[key];
    for (const [k, v] of Object.entries(params ?? {})) text = text.split(`{${k}}`).join(String(v));
    return text;
  }
  protected num(v: number | null): string {
    return v === null ? '—' : new Intl.NumberFormat(this.locale()).format(v);
  }
  protected pct(v: number | null): string {
    return v === null ? '—' : new Intl.NumberFormat(this.locale(), { style: 'percent', maximumFractionDigits: 0 }).format(v);
  }
  protected days(v: number | null): string {
    return v === null ? '—' : this.tr('days', { v: new Intl.NumberFormat(this.locale(), { maximumFractionDigits: 1 }).format(v) });
  }
  protected monthName(m: string): string {
    return new Intl.DateTimeFormat(this.locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
      new Date(`${m}-01T00:00:00Z`),
    );
  }
  protected date(iso: string): string {
    return new Intl.DateTimeFormat(this.locale(), { dateStyle: 'long' }).format(new Date(iso));
  }
  protected summary(): string {
    const months = this.state()?.data?.months ?? [];
    const sum = (k: 'received' | 'resolved') => months.reduce((n, m) => n + (m[k] ?? 0), 0);
    const last = months[months.length - 1];
    const head = this.tr('summary', { received: this.num(sum('received')), resolved: this.num(sum('resolved')) });
    return last && !last.suppressed
      ? `${head} ${this.tr(last.slaResolutionMetRate === null ? 'lastNoSla' : 'last', { month: this.monthName(last.month), median: this.days(last.resolutionDaysMedian), sla: this.pct(last.slaResolutionMetRate) })}`
      : head;
  }
}
