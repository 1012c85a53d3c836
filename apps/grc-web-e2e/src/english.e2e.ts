/**
 * The English console shows no French from the server: an administrator (who reaches every screen) and the
 * DPO switch to English and walk every page of the console — inbox, a request with SLA events in its
 * timeline, a citizen, the circuits, notifications, audit, account, every administration screen, the public
 * form and tracking page — and, on each, the page's text holds none of the French-only words of the
 * product's messages (the town's own data — names of departments, categories, requests' texts — stays as
 * the town wrote it, so the words are chosen among those of the interface and the API's sentences).
 * Every problem document the API sends carries a code (the console words it, core/problem.ts).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_PASSWORD, connectBrowser, newPage, scenarioSteps } from './support/browser';
import { dbQuery } from './support/env';

/** Words of the product's French messages that no English text contains (whole words, case-sensitive where it matters). */
const FRENCH_ONLY = [
  'Enregistrer',
  'Annuler',
  'Rechercher',
  'Chargement',
  'obligatoire',
  'facultatif',
  'introuvable',
  'Introuvable',
  'Requête',
  'requête',
  'Échéance',
  'échéance',
  'dépassé',
  'écoulés',
  'Aucun',
  'Aucune',
  'Modifier',
  'Supprimer',
  'Erreur',
  'Déconnexion',
  'Remise dans la file',
  'Priorité relevée',
  'Rechargez',
  'Accès refusé',
  'Ce champ',
  'Valeur non autorisée',
  'Texte trop long',
  // not 'Demandes': the demo's SLA policy « Demandes urgentes » is the town's data
  'Nouvelle demande',
  'Tableau de bord',
  'Se connecter',
  // the live console's own words (issue 13): presence, a stale save, polling, the counts, saved views, letters
  'consulte',
  'Réappliquer',
  'Voir la modification',
  'Mises à jour toutes',
  'Cette liste compte',
  'partagée par',
  'Vues enregistrées',
  'Marquer envoyé',
  'Télécharger le PDF',
  // a clock's history in the SLA panel (libs/domain SlaHistoryCode, worded by the console)
  'démarré',
  'recalculé',
  'suspendu',
  'Objectif atteint',
  'ouvrées',
  // notifications and the quarantine's reasons (issue 13: codes worded by the console, no sentence from the API)
  'Escalade',
  'Votre validation',
  'renvoyé',
  'Nouvelle étape',
  'nouvelle étape',
  'illisible',
  'Expéditeur',
  'volumineux',
  'Import impossible',
];
const pattern = new RegExp(
  `(^|[^\\p{L}])(${FRENCH_ONLY.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?=$|[^\\p{L}])`,
  'u',
);

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;
const step = scenarioSteps(() => page);
const p = (): Page => {
  if (!page) throw new Error('no page');
  return page;
};

/** Lines of the page's visible text that hold a French-only word, with the word. */
async function frenchOn(pg: Page): Promise<string[]> {
  await pg.waitForLoadState('networkidle');
  await pg.locator('main, .app-main, body').first().waitFor();
  // What people wrote (descriptions, messages) is marked translate="no" by the console: it stays as written.
  const text = await pg.evaluate(() => {
    const copy = document.body.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('[translate="no"]').forEach((el) => el.remove());
    document.body.append(copy);
    const t = copy.innerText;
    copy.remove();
    return t;
  });
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => pattern.test(l))
    .map((l) => `${pg.url()}: ${l.slice(0, 160)}`);
}

async function loginInEnglish(email: string): Promise<void> {
  await page?.context().close();
  ({ context, page } = await newPage(browser));
  await page.addInitScript(() => localStorage.setItem('grc.lang', 'en'));
  await page.goto('/login');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

let ticketWithSla: string;
let citizenId: string;

beforeAll(async () => {
  browser = await connectBrowser();
  const [t] = await dbQuery<{ id: string; citizen_id: string }>(
    `SELECT t.id, t.citizen_id FROM tickets t
      WHERE t.citizen_id IS NOT NULL AND EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind LIKE 'sla_%')
      ORDER BY t.created_at DESC LIMIT 1`,
  );
  const [any] = t
    ? [t]
    : await dbQuery<{ id: string; citizen_id: string }>(
        `SELECT id, citizen_id FROM tickets WHERE citizen_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      );
  if (!any) throw new Error('no ticket with a citizen in the demo town');
  ticketWithSla = any.id;
  citizenId = any.citizen_id;
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const ADMIN_PAGES = [
  '/inbox',
  '/inbox?view=departments&status=resolved',
  '/recherche?q=rue',
  '/carte',
  '/tableau-de-bord',
  '/tickets/new',
  '/a-valider',
  '/delegations',
  '/courrier',
  '/audit',
  '/sla/breaches',
  '/notifications',
  '/compte',
  '/admin/commune',
  '/admin/communes',
  '/admin/services',
  '/admin/agents',
  '/admin/categories',
  '/admin/circuits',
  '/admin/routage',
  '/admin/courriel',
  '/admin/connexion',
  '/admin/securite',
  '/admin/delais',
  '/admin/conservation',
  '/admin/adresses',
  '/admin/pack',
];

step('the login page and the citizen side are in English', async () => {
  ({ context, page } = await newPage(browser));
  await page.addInitScript(() => localStorage.setItem('grc.lang', 'en'));
  const found: string[] = [];
  for (const path of ['/login', '/demande', '/suivi', '/barometre']) {
    await page.goto(path);
    found.push(...(await frenchOn(page)));
  }
  expect(found).toEqual([]);
});

step(
  'an administrator walks every page of the console in English: no French-only word',
  async () => {
    await loginInEnglish('admin@saint-aubin.fr');
    const found: string[] = [];
    for (const path of [...ADMIN_PAGES, `/tickets/${ticketWithSla}`, `/citizens/${citizenId}`]) {
      await p().goto(path);
      found.push(...(await frenchOn(p())));
    }
    expect(found).toEqual([]);
  },
  180_000,
);

step('the ticket page’s SLA panel words a recomputed and paused history in English', async () => {
  // an open request with running clocks: its priority raised (recomputed from the start), then waiting for the citizen (paused)
  const [t] = await dbQuery<{ id: string; priority: number }>(
    `SELECT t.id, t.priority FROM tickets t
      WHERE t.status = 'open' AND EXISTS (SELECT 1 FROM ticket_sla s WHERE s.ticket_id = t.id AND s.status = 'running')
        AND NOT EXISTS (SELECT 1 FROM ticket_workflows w WHERE w.ticket_id = t.id AND w.status = 'active')
      ORDER BY t.created_at DESC LIMIT 1`,
  );
  if (!t) throw new Error('no open ticket with a running SLA clock in the demo town');
  // the version as stored, read just before each change; a change the previous one set off after its answer
  // (the SLA's follow-up) may bump it again: then the change is tried again on the new version
  const call = async (method: string, path: string, body: Record<string, unknown>) => {
    let answer: number | string = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const [{ version }] = await dbQuery<{ version: number }>(`SELECT version FROM tickets WHERE id = $1`, [t.id]);
      answer = await p().evaluate(
        async ({ method, path, body }) => {
          const r = await fetch(path, {
            method,
            headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'grc' },
            body: JSON.stringify(body),
          });
          if (r.ok) return r.status;
          const problem = (await r.json()) as { code?: string; detail?: string };
          return `${r.status} ${problem.code}: ${problem.detail}`;
        },
        { method, path, body: { ...body, version } },
      );
      if (typeof answer === 'number' || !answer.startsWith('409 stale')) return answer;
      await p().waitForTimeout(250);
    }
    return answer;
  };
  expect(await call('PATCH', `/api/v1/tickets/${t.id}`, { priority: t.priority === 3 ? 'normal' : 'urgent' })).toBe(200);
  expect(await call('POST', `/api/v1/tickets/${t.id}/status`, { status: 'waiting_citizen' })).toBe(201);
  await p().goto(`/tickets/${t.id}`);
  const panel = p().locator('.sla-panel');
  await panel.locator('details').first().waitFor();
  // the history is folded: open every clock's, so that its lines are in the page's text
  await panel.locator('details').evaluateAll((els) => els.forEach((el) => el.setAttribute('open', '')));
  const text = await panel.innerText();
  expect(text).toContain('Deadline recomputed from the start (priority changed)');
  expect(text).toContain('Deadline paused: waiting for the citizen');
  expect(await frenchOn(p())).toEqual([]);
});

step('the notifications panel and page, and the quarantine screen, word every code in English', async () => {
  const marker = `e2e-english-${Date.now()}`;
  const [t] = await dbQuery<{ id: string }>(`SELECT id FROM tickets WHERE id = $1`, [ticketWithSla]);
  const deadline = new Date(Date.now() + 86_400_000).toISOString();
  // one notification of each code, written as the SLA ladder and the circuits write them (kind + data)
  const rows: Array<[string, Record<string, unknown>]> = [
    ['sla.sla_warning', { target: 'resolution', atPercent: 75, deadline }],
    ['sla.sla_breached', { target: 'firstResponse', deadline }],
    ['sla.sla_escalated', { target: 'resolution', atPercent: 125, deadline }],
    ['workflow', { template: 'workflow.approval_requested' }],
    ['workflow', { template: 'workflow.opinion_requested' }],
    ['workflow', { template: 'workflow.opinions_missing' }],
    ['workflow', { template: 'workflow.draft_rejected', comment: 'OK' }],
    ['workflow', { template: 'workflow.reply_approved' }],
    ['workflow', { template: 'workflow.sla_elapsed' }],
    ['workflow', { template: 'ville.relance' }],
    ['e2e.other', {}],
  ];
  for (const [kind, data] of rows)
    await dbQuery(
      `INSERT INTO notifications (recipient_agent_id, ticket_id, kind, data) SELECT a.id, $2, $3, $4 FROM agents a WHERE a.email = $1`,
      ['admin@saint-aubin.fr', t!.id, kind, JSON.stringify({ ...data, marker })],
    );
  // one quarantined message of each reason, with the French sentence the intake stores beside the code
  const reasons: Array<[string, Record<string, unknown>, string]> = [
    ['mail.too_large', { mb: 42 }, 'Message trop volumineux (42 Mo).'],
    ['mail.unreadable', { error: 'Unexpected end of input' }, 'Message illisible : Unexpected end of input'],
    ['mail.no_sender', {}, 'Expéditeur absent ou illisible (From).'],
    ['mail.bad_sender', { address: 'nobody' }, 'Adresse d’expéditeur invalide : nobody.'],
    ['mail.import_failed', { error: 'boom' }, 'Import impossible : boom'],
  ];
  for (const [code, params, text] of reasons)
    await dbQuery(
      `INSERT INTO mail_quarantine (reason, reason_code, reason_params, size, raw, subject) VALUES ($1, $2, $3, 1, '\\x00', $4)`,
      [text, code, JSON.stringify(params), marker],
    );
  try {
    // the header's panel: the latest eight
    await p().goto('/inbox');
    await p().getByTestId('notif-button').click();
    const panel = p().getByTestId('notif-panel');
    await panel.getByTestId('notif-item').first().waitFor();
    const panelText = await panel.innerText();
    expect(panelText).toContain('Notification "e2e.other" on');
    expect(panelText).toContain('Validation circuit (ville.relance): new step on');
    expect(await frenchOn(p())).toEqual([]);
    // the page: every one of them
    await p().goto('/notifications');
    await p().locator('main').getByTestId('notif-item').first().waitFor();
    const pageText = await p().locator('main').innerText();
    for (const sentence of [
      '75% of the resolution time has elapsed on',
      'First response deadline missed on',
      'Escalation at 125% of the resolution time on',
      'Your approval is requested on',
      'Your draft reply on',
    ])
      expect(pageText).toContain(sentence);
    expect(await frenchOn(p())).toEqual([]);
    // the quarantine screen
    await p().goto('/admin/courriel');
    await p().getByTestId('quarantine-reason').first().waitFor();
    const quarantine = (await p().getByTestId('quarantine-reason').allInnerTexts()).join('\n');
    for (const sentence of [
      'Message too large (42 MB).',
      'Unreadable message.',
      'Missing or unreadable sender (From).',
      'Invalid sender address.',
      'Import failed (error while saving it).',
    ])
      expect(quarantine).toContain(sentence);
    expect(await frenchOn(p())).toEqual([]);
  } finally {
    await dbQuery(`DELETE FROM notifications WHERE data->>'marker' = $1`, [marker]);
    await dbQuery(`DELETE FROM mail_quarantine WHERE subject = $1`, [marker]);
  }
});

step('every problem the API sends carries a code the console words', async () => {
  await p().goto('/admin/services');
  await p().waitForLoadState('networkidle');
  const res = await p().evaluate(async () => {
    const r = await fetch('/api/v1/tickets/not-a-uuid', { headers: { 'X-Requested-With': 'grc' } });
    return { status: r.status, body: (await r.json()) as { code?: string } };
  });
  // every problem carries a code the console can word
  expect(res.body.code).toBeTruthy();
});

step('the DPO reads the audit trail and the privacy settings in English', async () => {
  await loginInEnglish('dpo@saint-aubin.fr');
  const found: string[] = [];
  for (const path of ['/audit', '/protection-donnees']) {
    await p().goto(path);
    found.push(...(await frenchOn(p())));
  }
  expect(found).toEqual([]);
});
