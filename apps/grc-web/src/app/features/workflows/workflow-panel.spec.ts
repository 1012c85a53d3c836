import { provideHttpClient, type HttpRequest } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { AvailableWorkflowAction, TicketDetail, TicketWorkflowView } from '@grc/domain';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { WorkflowPanel } from './workflow-panel';

const ID = '00000000-0000-4000-8000-000000000002';
const ticket = { id: ID, version: 5 } as TicketDetail;
const julie = { id: 'a1', displayName: 'Julie Lefebvre' };
/** A circuit at its head's approval step, with a draft by Julie. */
const circuit = (actions: AvailableWorkflowAction[], text = 'Madame, la chaussée sera reprise lundi.'): TicketWorkflowView => ({
  ticketId: ID,
  ticketVersion: 5,
  bound: { code: 'reponse-voirie', name: 'Réponse voirie', version: 2, initialKind: 'draft' },
  instance: {
    definitionCode: 'reponse-voirie',
    name: 'Réponse voirie',
    version: 2,
    status: 'active',
    outcome: null,
    startedAt: '2026-11-30T09:00:00Z',
    finishedAt: null,
    finished: null,
    current: {
      stepId: 'chef',
      label: 'Validation du chef de service',
      kind: 'approval',
      enteredAt: '2026-11-30T10:00:00Z',
      dueAt: null,
      slaDueAt: null,
      slaBreached: false,
      approvals: [{ expected: 'Chef de service voirie', approvedBy: null, onBehalfOf: null, standIn: false } as never],
      opinions: [],
    },
    draft: { text, revision: 1, author: julie, editedBy: null },
    revisions: [{ revision: 1, text, author: julie, at: '2026-11-30T10:00:00Z' } as never],
    history: [],
    diagram: { initial: 'redaction', steps: [] },
  },
  actions,
});

/** The circuit panel on the ticket page: the draft, what the agent may do now, refusals worded from codes. */
describe('WorkflowPanel', () => {
  let fixture: ComponentFixture<WorkflowPanel>;
  let http: HttpTestingController;
  let changed = 0;
  let underCircuit: boolean | null = null;
  const el = () => fixture.nativeElement as HTMLElement;
  const isAction = (r: HttpRequest<unknown>) => r.method === 'POST' && r.url === `/api/v1/tickets/${ID}/workflow/actions`;
  const button = (id: string) => el().querySelector<HTMLButtonElement>(`[data-testid="${id}"]`);

  async function open(view: TicketWorkflowView): Promise<void> {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), ...provideTestI18n('en')] });
    await TestBed.inject(I18n).ready();
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(WorkflowPanel);
    fixture.componentRef.setInput('ticket', ticket);
    fixture.componentInstance.changed.subscribe(() => changed++);
    fixture.componentInstance.circuit.subscribe((v) => (underCircuit = v));
    fixture.autoDetectChanges();
    await fixture.whenStable();
    http.expectOne(`/api/v1/tickets/${ID}/workflow`).flush(view);
    await fixture.whenStable();
    for (const r of http.match((q) => q.url === '/api/v1/mail/reply-templates')) r.flush(templates);
    // the diagram words its conditions with the town's reference data (names of categories and departments)
    for (const r of http.match((q) => q.url === '/api/v1/categories' || q.url === '/api/v1/departments')) r.flush([]);
    await fixture.whenStable();
  }
  // as the API lists them for the ticket (`?ticketId=`): ranked, each with how it fits
  const templates = [
    { id: 't2', name: 'Trou rebouché', body: 'Bonjour…', active: true, updatedAt: '2026-11-01T00:00:00Z', fit: 'exact' },
    {
      id: 't1',
      name: 'Intervention programmée',
      body: 'Bonjour {{citizen.name}}…',
      active: true,
      updatedAt: '2026-11-01T00:00:00Z',
      fit: 'general',
    },
    { id: 't3', name: 'Encombrants', body: 'Bonjour…', active: true, updatedAt: '2026-11-01T00:00:00Z', fit: 'other' },
  ];
  beforeEach(() => {
    changed = 0;
    underCircuit = null;
  });
  afterEach(() => http.verify());

  it('shows the step and the draft, and tells the page that replies go through the circuit', async () => {
    await open(circuit([{ type: 'approve' }, { type: 'reject' }]));
    expect(underCircuit).toBe(true);
    expect(el().querySelector('[data-testid="wf-current-step"]')!.textContent).toContain('Validation du chef de service');
    expect(el().querySelector('[data-testid="wf-draft"]')!.textContent).toContain('la chaussée sera reprise lundi');
    expect(button('wf-approve')!.textContent).toContain('Approve');
    expect(button('wf-submit-draft')).toBeNull();
  });

  it('asks for a comment before rejecting, then rejects with the version it read and tells the page', async () => {
    await open(circuit([{ type: 'approve' }, { type: 'reject' }]));
    button('wf-reject')!.click();
    await fixture.whenStable();
    http.expectNone(isAction);
    expect(el().querySelector('#wf-comment-error')!.textContent).toContain('This field is required.');

    const comment = el().querySelector<HTMLTextAreaElement>('[data-testid="wf-comment"]')!;
    comment.value = 'Précisez la date.';
    comment.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    button('wf-reject')!.click();
    const req = http.expectOne(isAction);
    expect(req.request.body).toEqual({ type: 'reject', version: 5, comment: 'Précisez la date.' });
    req.flush(circuit([{ type: 'submit_draft' }]));
    await fixture.whenStable();
    for (const r of http.match((q) => q.url === '/api/v1/mail/reply-templates')) r.flush(templates);
    await fixture.whenStable();
    expect(changed).toBe(1);
    expect(el().textContent).toContain('Action recorded.');
    // back at the writer's step: the draft's text is offered again for editing
    expect(el().querySelector<HTMLTextAreaElement>('[data-testid="wf-text"]')!.value).toBe('Madame, la chaussée sera reprise lundi.');
  });

  it('proposes the templates written for the request first, then the general ones, then the other services’', async () => {
    await open(circuit([{ type: 'submit_draft' }], ''));
    const select = el().querySelector<HTMLSelectElement>('[data-testid="wf-reply-template"]')!;
    const groups = Array.from(select.querySelectorAll('optgroup')).map((g) => [
      g.label,
      Array.from(g.querySelectorAll('option')).map((o) => o.textContent),
    ]);
    expect(groups).toEqual([
      ['For this request', ['Trou rebouché']],
      ['General templates', ['Intervention programmée']],
      ['Other departments', ['Encombrants']],
    ]);
  });

  it("inserts a reply template, filled by the API with the ticket's values, into the draft", async () => {
    await open(circuit([{ type: 'submit_draft' }], ''));
    const select = el().querySelector<HTMLSelectElement>('[data-testid="wf-reply-template"]')!;
    expect(select.textContent).toContain('Intervention programmée');
    select.value = 't1';
    select.dispatchEvent(new Event('change'));
    const render = http.expectOne('/api/v1/mail/reply-templates/t1/render');
    expect(render.request.body).toEqual({ ticketId: ID });
    render.flush({ text: 'Bonjour Madame Martin, une équipe interviendra lundi.' });
    await fixture.whenStable();
    expect(el().querySelector<HTMLTextAreaElement>('[data-testid="wf-text"]')!.value).toBe(
      'Bonjour Madame Martin, une équipe interviendra lundi.',
    );
  });

  it("words a circuit's refusal from its code, in English", async () => {
    await open(circuit([{ type: 'approve' }, { type: 'reject' }]));
    button('wf-approve')!.click();
    http.expectOne(isAction).flush(
      {
        type: 'about:blank',
        title: 'Conflit',
        status: 409,
        detail: 'Vous ne pouvez pas approuver votre propre brouillon.',
        code: 'conflict',
        errors: [{ field: 'type', message: 'Vous ne pouvez pas approuver votre propre brouillon.', code: 'self_approval' }],
      },
      { status: 409, statusText: 'Conflict' },
    );
    await fixture.whenStable();
    const alert = el().querySelector('[role="alert"]')!.textContent!;
    expect(alert).not.toContain('propre brouillon');
    expect(alert).toContain('You wrote this draft: someone else must approve it');
    expect(changed).toBe(0);
  });
});
