import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import type { Agent } from '@grc/domain';
import { provideTestI18n } from '../../testing/i18n';
import { I18n } from '../core/i18n';
import { AGENT_PICKER_DEBOUNCE_MS, AGENT_PICKER_MAX, AgentPicker } from './agent-picker';

const agent = (id: string, displayName: string): Agent => ({
  id,
  email: `${id}@saint-aubin.fr`,
  displayName,
  role: 'agent',
  locale: 'fr',
  active: true,
  departmentIds: ['voirie'],
  version: 1,
});

@Component({
  imports: [AgentPicker],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<grc-agent-picker
    pickerId="p"
    label="Assign to"
    [(value)]="value"
    [departmentIds]="departments()"
    [exclude]="['me']"
    [leading]="[{ value: '', label: 'Anyone' }]"
  />`,
})
class Host {
  readonly value = signal('');
  readonly departments = signal<string[] | null>(['voirie', 'eclairage']);
}

/** The one agent picker: it asks the API for the relevant departments' agents, never the whole directory. */
describe('AgentPicker', () => {
  let fixture: ComponentFixture<Host>;
  let http: HttpTestingController;
  const el = () => fixture.nativeElement as HTMLElement;
  const options = () => Array.from(el().querySelectorAll('option')).map((o) => o.textContent!.trim());
  const isSearch = (r: { url: string }) => r.url === '/api/v1/agents';
  const debounce = () => new Promise((r) => setTimeout(r, AGENT_PICKER_DEBOUNCE_MS + 20));
  async function type(text: string): Promise<void> {
    const input = el().querySelector<HTMLInputElement>('#p-search')!;
    input.value = text;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  }

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), ...provideTestI18n('en')] });
    await TestBed.inject(I18n).ready();
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(Host);
    fixture.autoDetectChanges();
    await fixture.whenStable();
  });
  afterEach(() => http.verify());

  it('asks for the departments’ agents with a limit, and lists them after its own options, minus the excluded', async () => {
    const req: TestRequest = http.expectOne(isSearch);
    expect(req.request.params.get('departmentId')).toBe('voirie,eclairage');
    expect(req.request.params.get('limit')).toBe(String(AGENT_PICKER_MAX + 1));
    expect(req.request.params.has('q')).toBe(false);
    req.flush([agent('julie', 'Julie Lefebvre'), agent('me', 'Moi-même'), agent('karim', 'Karim Benali')]);
    await fixture.whenStable();
    expect(options()).toEqual(['Anyone', 'Julie Lefebvre', 'Karim Benali']);
    expect(el().querySelector('label[for="p-search"]')!.textContent).toContain('Find an agent');
    expect(el().textContent).not.toContain('narrow the search');
  });

  it('sends the search once typing pauses, and says when more agents match than it shows', async () => {
    http.expectOne(isSearch).flush([]);
    await type('hel');
    await type('hele');
    await debounce();
    const req = http.expectOne(isSearch);
    expect(req.request.params.get('q')).toBe('hele');
    req.flush(Array.from({ length: AGENT_PICKER_MAX + 1 }, (_, i) => agent(`a${i}`, `Agent ${i}`)));
    await fixture.whenStable();
    expect(options()).toHaveLength(1 + AGENT_PICKER_MAX);
    expect(el().textContent).toContain('More agents match: narrow the search.');
  });

  it('keeps the chosen agent listed when a search leaves it out, and sets the value it is bound to', async () => {
    http.expectOne(isSearch).flush([agent('julie', 'Julie Lefebvre'), agent('karim', 'Karim Benali')]);
    await fixture.whenStable();
    const select = el().querySelector<HTMLSelectElement>('#p')!;
    select.value = Array.from(select.options).find((o) => o.textContent!.includes('Karim'))!.value;
    select.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    expect(fixture.componentInstance.value()).toBe('karim');
    await type('julie');
    await debounce();
    http.expectOne(isSearch).flush([agent('julie', 'Julie Lefebvre')]);
    await fixture.whenStable();
    expect(options()).toEqual(['Anyone', 'Karim Benali', 'Julie Lefebvre']);
  });

  it('asks nothing for a department filter that matches nobody', async () => {
    http.expectOne(isSearch).flush([agent('julie', 'Julie Lefebvre')]);
    await fixture.whenStable();
    expect(options()).toEqual(['Anyone', 'Julie Lefebvre']);
    fixture.componentInstance.departments.set([]);
    await fixture.whenStable();
    // cleared at once (a search would keep the last list until it answers)
    expect(options()).toEqual(['Anyone']);
    http.expectNone(isSearch);
  });
});
