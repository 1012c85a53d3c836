import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { Page, TicketSummary } from '@grc/domain';
import { provideTestI18n } from '../../../testing/i18n';
import { I18n } from '../../core/i18n';
import { INBOX_PAGE_SIZE, InboxPage } from './inbox';

const TOTAL = 10_000;
/** GET /tickets/count per view: open ones and all (the list shows all of them) */
const COUNTS = {
  mine: { open: 3, all: 12 },
  departments: { open: 1_234, all: 5_678 },
  unassigned: { open: 1, all: 1 },
  all: { open: 0, all: 0 },
};
const row = (i: number): TicketSummary => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  reference: `GRC-2026-${String(i + 1).padStart(6, '0')}`,
  subject: `Nid-de-poule n°${i + 1}`,
  status: 'new',
  priority: 'normal',
  channel: 'phone',
  category: { id: 'c1', code: 'voirie-nid-de-poule', nameFr: 'Nid-de-poule', nameEn: 'Pothole' },
  department: { id: 'd1', code: 'voirie', name: 'Voirie' },
  assignee: null,
  citizen: null,
  createdAt: '2026-11-30T09:00:00Z',
  updatedAt: '2026-11-30T09:00:00Z',
});

/** The inbox of a town with 10,000 open requests: pages of the keyset API appended to one virtual-scrolled list. */
describe('InboxPage', () => {
  let fixture: ComponentFixture<InboxPage>;
  let http: HttpTestingController;

  /** Answers the reference lists and counters; returns the pending inbox page request. */
  function answerSideRequests(): void {
    for (const r of http.match((req) => !req.url.endsWith('/tickets'))) {
      const url = r.request.url;
      if (url.endsWith('/tickets/count')) r.flush(COUNTS[r.request.params.get('view') as keyof typeof COUNTS]);
      else if (url.endsWith('/workflows/inbox')) r.flush({ counts: { total: 0 }, items: [] });
      else r.flush([]);
    }
  }
  function inboxRequest(): TestRequest {
    return http.expectOne((req) => req.url === '/api/v1/tickets');
  }
  function answerPage(req: TestRequest): void {
    const cursor = req.request.params.get('cursor');
    const from = cursor ? Number(cursor) : 0;
    const items = Array.from({ length: Math.min(INBOX_PAGE_SIZE, TOTAL - from) }, (_, k) => row(from + k));
    const next = from + items.length < TOTAL ? String(from + items.length) : null;
    req.flush({ items, nextCursor: next } satisfies Page<TicketSummary>);
  }
  const rendered = () => (fixture.nativeElement as HTMLElement).querySelectorAll('[data-testid="inbox-row"]');

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([]), ...provideTestI18n('en')],
    });
    await TestBed.inject(I18n).ready();
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(InboxPage);
    fixture.autoDetectChanges();
    await fixture.whenStable();
    answerSideRequests();
  });
  afterEach(() => http.verify({ ignoreCancelled: true }));

  it('asks the API for pages of 100 rows and renders only the rows in view', async () => {
    const first = inboxRequest();
    expect(first.request.params.get('limit')).toBe(String(INBOX_PAGE_SIZE));
    expect(first.request.params.get('cursor')).toBeNull();
    answerPage(first);
    await fixture.whenStable();
    const caption = (fixture.nativeElement as HTMLElement).querySelector('caption')!.textContent!;
    expect(caption).toContain('100 requests loaded');
    expect(rendered().length).toBeGreaterThan(0);
    expect(rendered().length).toBeLessThan(INBOX_PAGE_SIZE);
    // the row's position is announced even though the rows before it are not in the page
    expect(rendered()[0].getAttribute('aria-rowindex')).toBe('2');
  });

  it('counts each tab with the list’s filters, open ones and all, and says what the open list holds', async () => {
    const el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
    const tab = (v: string) => el.querySelector(`[data-testid="view-count-${v}"]`)!.textContent!.replace(/\s+/g, ' ').trim();
    expect(tab('mine')).toBe('3 / 12(3 open of 12)');
    expect(tab('departments')).toBe('1,234 / 5,678(1,234 open of 5,678)');
    // the open tab is "mine": its list holds the 12 rows the tab counts
    expect(el.querySelector('[data-testid="inbox-counts"]')!.textContent).toContain('This list holds 12 requests, 3 of them open');
    answerPage(inboxRequest());

    // a filter changes the list and the tabs' figures alike: every count carries it, and never a cursor or limit
    await TestBed.inject(Router).navigate([], { queryParams: { view: 'departments', priority: 'urgent' } });
    await fixture.whenStable();
    const counts = http.match((r) => r.url.endsWith('/tickets/count'));
    expect(counts.map((r) => r.request.params.get('view')).sort()).toEqual(['departments', 'mine', 'unassigned']);
    for (const r of counts) {
      expect(r.request.params.get('priority')).toBe('urgent');
      expect(r.request.params.has('cursor') || r.request.params.has('limit')).toBe(false);
      r.flush(r.request.params.get('view') === 'departments' ? { open: 1, all: 10_000 } : { open: 0, all: 0 });
    }
    answerPage(inboxRequest());
    await fixture.whenStable();
    expect(tab('departments')).toBe('1 / 10,000+(1 open of 10,000+)');
    expect(el.querySelector('[data-testid="inbox-counts"]')!.textContent).toContain(
      'This list holds 10,000 requests or more, 1 of them open',
    );
  });

  it('fetches the next page when the end of the loaded rows comes near, until all 10,000 are in the list', async () => {
    answerPage(inboxRequest());
    await fixture.whenStable();
    const page = fixture.componentInstance as unknown as { scrolledTo(first: number, visible: number): void; items(): TicketSummary[] };
    // scrolling in the first page's top half fetches nothing
    page.scrolledTo(10, 15);
    http.expectNone((req) => req.url === '/api/v1/tickets');
    // scrolling to the end of each page fetches the next one, following the keyset cursor
    while (page.items().length < TOTAL) {
      page.scrolledTo(page.items().length - 20, 15);
      const next = inboxRequest();
      expect(next.request.params.get('cursor')).toBe(String(page.items().length));
      answerPage(next);
    }
    await fixture.whenStable();
    expect(page.items().length).toBe(TOTAL);
    expect(page.items()[TOTAL - 1].reference).toBe('GRC-2026-010000');
    // 10,000 rows in the list, a screenful in the page
    expect(rendered().length).toBeLessThan(60);
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-testid="inbox-more"]')).toBeNull();
    page.scrolledTo(TOTAL - 10, 15);
    http.expectNone((req) => req.url === '/api/v1/tickets');
  });

  it('loads the next page from the keyboard with the "more" button', async () => {
    answerPage(inboxRequest());
    await fixture.whenStable();
    const more = (fixture.nativeElement as HTMLElement).querySelector<HTMLButtonElement>('[data-testid="inbox-more"]')!;
    expect(more.textContent).toContain('Load the next ones');
    more.click();
    const next = inboxRequest();
    expect(next.request.params.get('cursor')).toBe('100');
    answerPage(next);
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('200 requests loaded');
  });
});
