import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { e2eEnv } from './env';

export const SCREENSHOT_DIR = join(__dirname, '../../screenshots');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Connects to the run's single Chromium (launched by the global setup). */
export function connectBrowser(): Promise<Browser> {
  return chromium.connect(e2eEnv('wsEndpoint'));
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: e2eEnv('baseUrl'),
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** The demo pack's shared password (packs/demo-town/agents.yaml, demo only). */
export const DEMO_PASSWORD = 'Demo-GRC-2026!';

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the page as it is and returns the violations formatted one per line
 * (rule id, impact, help, target of every node), so a failed assertion says exactly what to fix.
 */
export async function axeViolations(page: Page, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const lines = results.violations.flatMap((v) => [
    `[${label}] ${v.id} (${v.impact ?? 'n/a'}): ${v.help} – ${v.helpUrl}`,
    ...v.nodes.map((n) => `    ${n.target.map(String).join(' ')}  ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`),
  ]);
  if (lines.length) process.stdout.write(`\naxe violations on ${label} (${page.url()}):\n${lines.join('\n')}\n`);
  return lines;
}

export async function screenshot(page: Page, name: string): Promise<string | null> {
  try {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = join(SCREENSHOT_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}-${name.replace(/[^\w-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  } catch {
    return null;
  }
}

/**
 * Ordered steps of one scenario sharing a page: each step is a Jest test; a failing step leaves a screenshot
 * in apps/grc-web-e2e/screenshots and the steps after it fail at once instead of running on a broken page.
 */
export function scenarioSteps(getPage: () => Page | undefined) {
  let failedStep: string | null = null;
  return (name: string, fn: () => Promise<void>, timeout?: number) =>
    test(
      name,
      async () => {
        if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
        try {
          await fn();
        } catch (e) {
          failedStep = name;
          const page = getPage();
          const file = page ? await screenshot(page, name) : null;
          if (file) process.stdout.write(`\nscreenshot of the failed step "${name}": ${file}\n`);
          throw e;
        }
      },
      timeout,
    );
}
