import { expect, test } from '@playwright/test';
import { expectAccessible, loginAsCitizen } from './helpers';

// Each test logs in a citizen of its own (an "Ander BSN"), so the limits it reaches hold back
// no other test. The server runs with the default limits: 10 PDFs and 10 e-mail codes a minute.

test('too many PDF downloads: the notice in Dutch and English, with when to try again', async ({ page }) => {
  await loginAsCitizen(page, { bsn: '123456708' });
  await expect(page).toHaveURL(/\/overzicht$/);
  const pdf = '/verzoeken/AVG-2026-999999/antwoord.pdf';
  for (let i = 0; i < 10; i++) {
    expect((await page.request.get(pdf)).status()).toBe(404);
  }
  const response = await page.goto(pdf);
  expect(response?.status()).toBe(429);
  const wait = Number(response?.headers()['retry-after']);
  expect(wait).toBeGreaterThan(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Even geduld' })).toBeVisible();
  await expect(page.getByTestId('too-often')).toContainText(/over \d+ seconden opnieuw/);
  await expect(page.getByText('Er is niets verloren gegaan.')).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: test.info().outputPath('te-vaak-nl.png'), fullPage: true });

  await page.getByRole('button', { name: 'English' }).click();
  await page.goto(pdf);
  await expect(page.getByRole('heading', { level: 1, name: 'Please wait a moment' })).toBeVisible();
  await expect(page.getByTestId('too-often')).toContainText(/try again in \d+ seconds/);
  await expectAccessible(page);
  await page.screenshot({ path: test.info().outputPath('te-vaak-en.png'), fullPage: true });
  await page.getByRole('link', { name: 'Back to the start page' }).click();
  await expect(page).toHaveURL(/\/overzicht$/);
});

test('guessing the e-mail code is stopped with the notice, and the address stays pending', async ({ page }) => {
  await loginAsCitizen(page, { bsn: '123456721' });
  await page.getByRole('link', { name: 'Instellingen' }).click();
  await page.getByLabel('E-mailadres', { exact: true }).fill('raden@example.org');
  await page.getByRole('button', { name: 'Stuur een bevestigingscode' }).click();
  await expect(page.getByTestId('pending-email')).toContainText('raden@example.org');
  // The address and nine wrong codes use up the ten a minute.
  for (let i = 0; i < 9; i++) {
    await page.getByLabel('Bevestigingscode').fill('AAAA-AAAA');
    await page.getByRole('button', { name: 'Bevestigen' }).click();
    await expect(page.getByTestId('settings-notice')).toBeVisible();
  }
  const refused = page.waitForResponse((r) => r.url().endsWith('/instellingen/bevestigen'));
  await page.getByLabel('Bevestigingscode').fill('BBBB-BBBB');
  await page.getByRole('button', { name: 'Bevestigen' }).click();
  expect((await refused).status()).toBe(429);
  await expect(page.getByRole('heading', { level: 1, name: 'Even geduld' })).toBeVisible();
  await expect(page.getByTestId('too-often')).toContainText(/over \d+ seconden opnieuw/);
  await expectAccessible(page);
  await page.screenshot({ path: test.info().outputPath('te-vaak-code.png'), fullPage: true });
  await page.goto('/instellingen');
  await expect(page.getByTestId('pending-email')).toContainText('raden@example.org');
});
