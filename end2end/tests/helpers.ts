import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

/**
 * Fails the test on any WCAG 2.1 A/AA violation on the current page. axe runs inside the page,
 * so the JavaScript-disabled project skips it; the same pages are checked in the other project.
 */
export async function expectAccessible(page: Page) {
  if (test.info().project.use.javaScriptEnabled === false) return;
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/** Logs in at the DigiD stand-in as the given demo citizen and level. */
export async function loginAsCitizen(
  page: Page,
  options: { name?: string; level?: string; fault?: string } = {},
) {
  await page.goto('/');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inloggen bij DigiD' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel(options.name ?? 'Fatima el Amrani').check();
  await page.getByLabel('Betrouwbaarheidsniveau').selectOption(options.level ?? 'substantieel');
  if (options.fault) {
    await page.getByLabel('Testscenario (alleen voor tests)').selectOption(options.fault);
  }
  await page.getByRole('button', { name: 'Inloggen' }).click();
}
