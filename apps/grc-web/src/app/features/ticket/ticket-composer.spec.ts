import { provideHttpClient, type HttpRequest } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { TicketDetail, TicketWorkflowView } from '@grc/domain';
import { answerOthers } from '../../../testing/http';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { TicketPage } from './ticket';

const ID = '00000000-0000-4000-8000-000000000001';
const ticket = (version: number): TicketDetail => ({
  id: ID,
  reference: 'GRC-2026-004217',
  subject: 'Lampadaire éteint rue des Lilas',
  status: 'open',
  priority: 'normal',
  channel: 'phone',
  category: { id: 'c1', code: 'eclairage-panne', nameFr: 'Panne d’éclairage', nameEn: 'Street light out' },
  department: { id: 'd1', code: 'eclairage', name: 'Éclairage public' },
  assignee: null,
  citizen: null,
  createdAt: '2026-11-30T09:00:00Z',
  updatedAt: '2026-11-30T09:00:00Z',
  description: 'Le lampadaire devant le 12 ne s’allume plus.',
  address: null,
  latitude: null,
  longitude: null,
  version,
  attributes: {},
  attachments: [],
  timeline: [],
  allowedStatuses: ['resolved'],
});
const noCircuit: TicketWorkflowView = { ticketId: ID, ticketVersion: 3, bound: null, instance: null, actions: [] };

/** The ticket page's composer: replies and notes sent with the version last read; errors worded in English. */
describe('TicketPage composer', () => {
  let fixture: ComponentFixture<TicketPage>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const isMessagePost = (r: HttpRequest<unknown>) => r.method === 'POST' && r.url.endsWith('/messages');

  async function settle(): Promise<void> {
    await fixture.whenStable();
    answerOthers(http, isMessagePost, { '/workflow': noCircuit });
    await fixture.whenStable();
  }
  async function type(text: string): Promise<void> {
    const area = el().querySelector<HTMLTextAreaElement>('[data-testid="composer-body"]')!;
    area.value = text;
    area.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }
  const submit = () => el().querySelector<HTMLButtonElement>('[data-testid="composer-submit"]')!.click();

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), ...provideTestI18n('en')],
    });
    await TestBed.inject(I18n).ready();
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TicketPage);
    fixture.componentRef.setInput('id', ID);
    fixture.autoDetectChanges();
    await fixture.whenStable();
    http.expectOne(`/api/v1/tickets/${ID}`).flush(ticket(3));
    await settle();
  });

  it('refuses an empty message without calling the API', async () => {
    submit();
    await fixture.whenStable();
    http.expectNone(isMessagePost);
    expect(el().querySelector('#composer-body-error')?.textContent).toContain('This field is required.');
  });

  it('sends a reply with the version it read, then empties the composer and says so', async () => {
    await type('Bonjour, une équipe passe demain.');
    submit();
    const post = http.expectOne(isMessagePost);
    expect(post.request.body).toEqual({ kind: 'reply', body: 'Bonjour, une équipe passe demain.', version: 3 });
    post.flush(ticket(4));
    await settle();
    expect(el().textContent).toContain('Reply sent.');
    expect(el().querySelector<HTMLTextAreaElement>('[data-testid="composer-body"]')!.value).toBe('');
  });

  it('sends an internal note as a note', async () => {
    el().querySelector<HTMLInputElement>('[data-testid="composer-kind-note"]')!.click();
    await fixture.whenStable();
    await type('Vu avec le prestataire.');
    submit();
    expect(http.expectOne(isMessagePost).request.body).toEqual({ kind: 'note', body: 'Vu avec le prestataire.', version: 3 });
  });

  it('on a stale version, says so in English (no French from the server) and offers to reapply', async () => {
    await type('Bonjour');
    submit();
    http.expectOne(isMessagePost).flush(
      {
        type: 'about:blank',
        title: 'Conflit',
        status: 409,
        detail: 'Ce ticket a été modifié par quelqu’un d’autre entre-temps.',
        code: 'stale',
        errors: [{ field: 'version', message: 'Version périmée', code: 'stale_version' }],
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle();
    const alert = el().querySelector('[role="alert"]')!.textContent!;
    expect(alert).toContain('Someone changed this request');
    expect(alert).not.toContain('modifié');
    expect(alert).toContain('Reapply my change');
  });
});
