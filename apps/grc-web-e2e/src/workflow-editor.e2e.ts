/**
 * Administration › Circuits de validation without YAML, as the demo administrator: a two-step
 * circuit (drafted by an agent of the request's department, approved by the head of the DGS or by Hélène
 * Marchand, named with the searchable agent picker) built
 * with the forms only — the template's approval removed, the analysis' error shown on the step left
 * without a way out, a new approval added and wired, an urgent request's condition picked from lists —; the graph drawn in SVG and walked with the
 * keyboard (Tab, arrows, Enter opens the step's form); a dry run naming who would act; the draft
 * saved, stored exactly as the forms built it (keys in order). axe-core on the page at each stage.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, axeViolations, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

const ADMIN = { email: 'admin@saint-aubin.fr', name: 'Administrateur GRC' };
const CODE = `e2e-${Date.now().toString(36)}`;

let browser: Browser;
let context: BrowserContext;
let page: Page;
const step = scenarioSteps(() => page);

async function noAxeViolations(label: string): Promise<void> {
  expect(await axeViolations(page, label)).toEqual([]);
}
const node = (id: string) => page.locator(`g[data-step="${id}"]`);
const stepForm = () => page.getByTestId('ce-step-form');
const activeStep = () => page.evaluate(() => document.activeElement?.getAttribute('data-step') ?? document.activeElement?.id ?? null);

async function openStep(label: string): Promise<void> {
  await page
    .getByTestId('ce-step-list')
    .getByRole('button', { name: new RegExp(`^${label}`) })
    .click();
  await stepForm()
    .getByRole('heading', { name: new RegExp(`^Étape « ${label} »`) })
    .waitFor();
}

let heleneId = '';
const HELENE = () => heleneId;

beforeAll(async () => {
  [{ id: heleneId }] = (await dbQuery<{ id: string }>(`SELECT id FROM agents WHERE display_name = 'Hélène Marchand'`)) as [{ id: string }];
  browser = await connectBrowser();
  ({ context, page } = await newPage(browser));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe('an admin builds a circuit with the forms, walks its graph with the keyboard, dry-runs it and saves it', () => {
  step('opens the circuits page and starts a new circuit in the forms', async () => {
    await page.goto('/login');
    await page.getByLabel('Adresse électronique').fill(ADMIN.email);
    await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText(`Connecté en tant que ${ADMIN.name}`).waitFor();
    await page.goto('/admin/circuits');
    await page.getByRole('button', { name: 'Nouveau circuit' }).click();
    await expect(page.getByLabel('Formulaires et schéma').isChecked()).resolves.toBe(true);
    await page.getByTestId('ce-graph').waitFor();
    // the graph is laid out after the circuit's data arrive: wait for its 3 steps (fails on time-out)
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ce-node"]').length === n, 3);
    await page.getByLabel('Identifiant du circuit').fill(CODE);
    await page.getByLabel('Identifiant du circuit').blur();
    await page.getByLabel('Nom du circuit').fill('Visa de la direction générale');
    await page.getByLabel('Nom du circuit').blur();
    await noAxeViolations('circuit editor (new circuit)');
  });

  step('removes the template’s approval: the draft step left without a way out shows its error on the graph', async () => {
    await openStep('Validation par le responsable du service');
    await stepForm().getByRole('button', { name: 'Supprimer l’étape' }).click();
    // the graph is laid out after the circuit's data arrive: wait for its 2 steps (fails on time-out)
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="ce-node"]').length === n, 2);
    await page.waitForFunction(() => /1 erreur/.test(document.querySelector('g[data-step="redaction"]')?.getAttribute('aria-label') ?? ''));
    await expect(page.getByTestId('ce-graph-text').innerText()).resolves.toMatch(
      /Rédaction de la réponse \(Rédaction\).*aucune sortie.*erreur/,
    );
    await openStep('Rédaction de la réponse');
    await expect(page.getByTestId('ce-step-errors').innerText()).resolves.toMatch(/étape sans issue/);
    await noAxeViolations('circuit editor (a step at fault)');
  });

  step('adds an approval by the head of the DGS and wires both steps with the forms', async () => {
    await page.getByLabel('Type de la nouvelle étape').selectOption({ label: 'Validation' });
    await page.getByLabel('Libellé de la nouvelle étape').fill('Visa du DGS');
    await page.getByRole('button', { name: 'Ajouter l’étape' }).click();
    await stepForm().getByRole('heading', { name: 'Étape « Visa du DGS » (Validation)' }).waitFor();
    await stepForm().getByLabel('une personne').check();
    await stepForm().getByLabel('Service du valideur 1').selectOption({ label: 'Direction générale des services' });
    // a second approver named with the agent picker (searched, by name: never an id to type)
    await stepForm().getByRole('button', { name: 'Ajouter un valideur' }).click();
    await stepForm().getByTestId('ce-approver-kind-1').selectOption({ label: 'Un agent nommé' });
    await stepForm().getByTestId('ce-approver-agent-1-search').fill('marchand');
    const named = stepForm().getByTestId('ce-approver-agent-1');
    // the search's answer replaces the first list (fails on time-out)
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="ce-approver-agent-1"] option').length === 2);
    await expect(named.locator('option').allInnerTexts()).resolves.toEqual([
      '— choisir un agent —',
      expect.stringContaining('Hélène Marchand'),
    ]);
    await named.selectOption({ value: HELENE() });
    // two approvers: either of them
    await stepForm().getByLabel('l’une des personnes ci-dessous').check();
    await stepForm().getByLabel('À l’entrée dans l’étape, passer la priorité à').selectOption({ label: 'Haute' });
    await stepForm().getByRole('button', { name: 'Ajouter une transition' }).click();
    await stepForm().getByLabel('Transition 1 : vers').selectOption({ label: 'Réponse envoyée' });
    // an urgent request is flagged by a condition picked from lists, with the fallback after it
    const first = stepForm().getByRole('group', { name: 'Transition 1' });
    await first.getByRole('button', { name: 'Ajouter une condition' }).click();
    await first.getByLabel('Condition 1 : champ').selectOption({ label: 'Priorité' });
    await first.getByLabel('Condition 1 : valeur').selectOption({ label: 'Urgente' });
    await stepForm().getByRole('button', { name: 'Ajouter une transition' }).click();
    await stepForm().getByLabel('Transition 2 : vers').selectOption({ label: 'Réponse envoyée' });

    await openStep('Rédaction de la réponse');
    await stepForm().getByRole('button', { name: 'Ajouter une transition' }).click();
    await stepForm().getByLabel('Transition 1 : vers').selectOption({ label: 'Visa du DGS' });
    await page.waitForFunction(
      () => document.querySelectorAll('g.cg-node.cg-error').length === 0 && document.querySelectorAll('g.cg-node').length === 3,
    );
    await page.waitForFunction(() => !document.querySelector('[data-testid="ce-step-errors"]'));
    await expect(page.getByTestId('ce-graph-text').innerText()).resolves.toMatch(
      /Rédaction de la réponse \(Rédaction\) — étape de départ — soumis → Visa du DGS[\s\S]*Visa du DGS \(Validation\) — validé, si priorité est « Urgente » → Réponse envoyée ; validé → Réponse envoyée/,
    );
    await noAxeViolations('circuit editor (two steps wired)');
  });

  step('walks the graph with the keyboard: Tab and arrows move between steps, Enter opens the form', async () => {
    await node('redaction').focus();
    await page.keyboard.press('ArrowDown');
    await expect(activeStep()).resolves.toBe('visa_du_dgs');
    await page.keyboard.press('ArrowDown');
    await expect(activeStep()).resolves.toBe('envoi');
    await page.keyboard.press('Home');
    await expect(activeStep()).resolves.toBe('redaction');
    await page.keyboard.press('Tab');
    await expect(activeStep()).resolves.toBe('visa_du_dgs');
    await expect(node('visa_du_dgs').getAttribute('aria-label')).resolves.toBe('Étape 2 sur 3 : Visa du DGS (Validation)');
    await page.keyboard.press('Enter');
    await stepForm().getByRole('heading', { name: 'Étape « Visa du DGS » (Validation)' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'ce-step-h');
  });

  step('dry-runs a request of the urbanism department: who drafts, the DGS by name, the end', async () => {
    const dry = page.getByTestId('ce-dry-run');
    await dry.getByRole('button', { name: 'Lancer l’essai' }).click();
    await dry.locator('#dr-department-error').waitFor();
    await expect(dry.getByLabel('Service de la demande').getAttribute('aria-invalid')).resolves.toBe('true');
    await dry.getByLabel('Service de la demande').selectOption({ label: 'Service urbanisme et droit des sols' });
    await dry.getByLabel('Catégorie').selectOption({ index: 1 });
    await dry.getByRole('button', { name: 'Lancer l’essai' }).click();
    // the answer arrives after the click: wait for the status to say it (fails on time-out)
    await dry.getByTestId('dr-status').filter({ hasText: 'Le circuit se termine : « Réponse envoyée ».' }).waitFor();
    await expect(dry.getByTestId('dr-status').innerText()).resolves.toBe('Le circuit se termine : « Réponse envoyée ».');
    const steps = dry.getByTestId('dr-step');
    await expect(steps.count()).resolves.toBe(3);
    const [agents] = await dbQuery<{ names: string[] }>(
      `SELECT array_agg(a.display_name ORDER BY a.display_name) AS names FROM agents a JOIN agent_departments ad ON ad.agent_id = a.id
       JOIN departments d ON d.id = ad.department_id WHERE d.code = 'urbanisme' AND a.role = 'agent' AND a.active`,
    );
    const drafting = await steps.nth(0).innerText();
    for (const n of agents!.names) expect(drafting).toContain(n);
    await expect(steps.nth(1).innerText()).resolves.toContain('priorité passée à Haute');
    await expect(steps.nth(1).innerText()).resolves.toMatch(
      /Visa du DGS[\s\S]*Responsable de service – Direction générale des services : Hélène Marchand/,
    );
    await page.waitForFunction(() => document.querySelectorAll('g.cg-node.cg-path').length === 3);
    await noAxeViolations('circuit editor (dry run)');
  });

  step('saves the draft: stored as the forms built it, keys in order', async () => {
    await page.getByTestId('wf-save').click();
    await page.getByTestId('wf-admin-notice').filter({ hasText: 'Brouillon enregistré (version 1).' }).waitFor();
    const [row] = await dbQuery<{ status: string; t: string }>(
      `SELECT status, definition::text AS t FROM workflow_definitions WHERE code = $1`,
      [CODE],
    );
    expect(row!.status).toBe('draft');
    expect(row!.t).toBe(
      JSON.stringify({
        id: CODE,
        name: 'Visa de la direction générale',
        initial: 'redaction',
        steps: {
          redaction: {
            kind: 'draft',
            label: 'Rédaction de la réponse',
            writers: { roles: ['agent'], departments: ['$ticket'] },
            transitions: [{ on: 'submitted', to: 'visa_du_dgs' }],
          },
          envoi: { kind: 'end', label: 'Réponse envoyée' },
          visa_du_dgs: {
            kind: 'approval',
            label: 'Visa du DGS',
            mode: 'any',
            approvers: [{ role: 'head', department: 'dgs' }, { agentId: HELENE() }],
            transitions: [
              { on: 'approved', to: 'envoi', guard: { when: { field: 'priority', op: 'eq', value: 'urgent' } } },
              { on: 'approved', to: 'envoi' },
            ],
            onEnter: [{ type: 'set_priority', priority: 'high' }],
          },
        },
      }),
    );
    const [audit] = await dbQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'workflow.draft_save' AND entity_id = $1`,
      [CODE],
    );
    expect(audit!.n).toBe(1);
    // the same circuit as YAML, for packs
    await page.getByLabel('Fichier YAML').check();
    await expect(page.getByTestId('wf-source').inputValue()).resolves.toContain('visa_du_dgs:\n    kind: approval\n    label: Visa du DGS');
    await noAxeViolations('circuit editor (saved, YAML view)');
  });
});
