import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';

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
  options: { name?: string; bsn?: string; level?: string; fault?: string } = {},
) {
  await page.goto('/');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inloggen bij DigiD' })).toBeVisible();
  await expectAccessible(page);
  if (options.bsn) {
    await page.getByRole('radio', { name: 'Ander BSN' }).check();
    await page.getByLabel("BSN (als u 'Ander BSN' kiest)").fill(options.bsn);
  } else {
    await page.getByLabel(options.name ?? 'Fatima el Amrani').check();
  }
  await page.getByLabel('Betrouwbaarheidsniveau').selectOption(options.level ?? 'substantieel');
  if (options.fault) {
    await page.getByLabel('Testscenario (alleen voor tests)').selectOption(options.fault);
  }
  await page.getByRole('button', { name: 'Inloggen' }).click();
}

export async function loginAsStaff(browser: Browser, name: RegExp): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/backoffice/inloggen');
  await page.getByLabel(name).check();
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page).toHaveURL(/\/backoffice$/);
  return page;
}

/** Files a request from the form (already open), returns its reference. */
export async function sendFromForm(page: Page, explanation: string): Promise<string> {
  await page.getByLabel('Toelichting').fill(explanation);
  await page.getByRole('button', { name: 'Verder naar controleren' }).click();
  await expect(page.getByTestId('review')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Verzoek versturen' }).click();
  await expect(page.getByTestId('receipt')).toContainText('Uw kenmerk is AVG-');
  await expectAccessible(page);
  return (await page.getByTestId('reference').textContent())!.trim();
}

export async function openInBackOffice(staff: Page, reference: string) {
  await staff.goto('/backoffice/verzoeken');
  await staff.getByRole('link', { name: reference }).click();
  await expect(staff.getByRole('heading', { level: 1 })).toHaveText(`Verzoek ${reference}`);
}

/** Claims, decides every item (grant, or refuse with a ground) and records the decision. */
export async function decide(staff: Page, reference: string, refuse?: { ground: string; note: string }) {
  await openInBackOffice(staff, reference);
  await staff.getByRole('button', { name: 'In behandeling nemen' }).click();
  await expect(staff.getByTestId('request-notice')).toHaveText('Opgeslagen.');
  if (refuse) {
    await staff.getByRole('radio', { name: 'Geweigerd' }).first().check();
    await staff.getByLabel('Reden bij weigering').first().selectOption({ label: refuse.ground });
    await staff.getByLabel('Toelichting (verplicht bij weigering)').first().fill(refuse.note);
  }
  await expectAccessible(staff);
  await staff.getByRole('button', { name: 'Besluit vastleggen' }).click();
  await expect(staff.getByTestId('request-notice')).toHaveText('Opgeslagen.');
}

export async function approve(staff: Page, reference: string) {
  await openInBackOffice(staff, reference);
  await expect(staff.getByTestId('status')).toHaveText('Besluit wordt gecontroleerd');
  await expectAccessible(staff);
  await staff.getByRole('button', { name: 'Besluit goedkeuren' }).click();
  await expect(staff.getByTestId('request-notice')).toHaveText('Opgeslagen.');
}

/** Carries the decision out and finishes any Art. 19 task. */
export async function execute(staff: Page, reference: string) {
  await openInBackOffice(staff, reference);
  // A granted access request is carried out by sending its answer, after the handler's review.
  const send = staff.getByRole('button', { name: 'Antwoord versturen' });
  if (await send.count()) {
    await expect(staff.getByTestId('answer-complete')).toBeVisible();
    await expect(staff.getByTestId('answer-preview')).toContainText('(h) Geautomatiseerde besluitvorming');
    await expectAccessible(staff);
    await send.click();
  } else {
    await staff.getByRole('button', { name: 'Besluit uitvoeren' }).click();
  }
  await expect(staff.getByTestId('request-notice')).toHaveText('Opgeslagen.');
  while (await staff.getByRole('button', { name: 'Gedaan' }).count()) {
    await staff.getByRole('button', { name: 'Gedaan' }).first().click();
    await expect(staff.getByTestId('request-notice')).toHaveText('Opgeslagen.');
  }
  await expect(staff.getByTestId('status')).toHaveText('Afgerond');
}
