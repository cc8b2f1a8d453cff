import { expect, test } from '@playwright/test';
import { expectAccessible, loginAsCitizen } from './helpers';

test('a contact address is confirmed with the code from the development mailbox', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Wilhelmina Smit' });
  await page.getByRole('link', { name: 'Instellingen' }).click();
  await expect(page.getByTestId('no-email')).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('E-mailadres', { exact: true }).fill('wilhelmina@example.org');
  await page.getByRole('button', { name: 'Stuur een bevestigingscode' }).click();
  await expect(page.getByTestId('settings-notice')).toContainText('Wij hebben een bevestigingscode gestuurd');
  await expect(page.getByTestId('pending-email')).toContainText('wilhelmina@example.org');
  await expectAccessible(page);

  // The outbox worker delivers to the development mailbox, in Dutch.
  let code = '';
  await expect(async () => {
    await page.goto('/dev/mail');
    const mail = page.locator('article', { hasText: 'wilhelmina@example.org' }).first();
    await expect(mail.getByRole('heading')).toHaveText('Bevestig uw e-mailadres voor Inzage');
    const raw = (await mail.locator('pre').textContent()) ?? '';
    code = raw.match(/bevestigingscode is: ([A-Z0-9]{4}-[A-Z0-9]{4})/)?.[1] ?? '';
    expect(code).not.toBe('');
  }).toPass({ timeout: 20_000 });
  await expectAccessible(page);

  await page.goto(`/instellingen?code=${code}`);
  await expect(page.getByLabel('Bevestigingscode')).toHaveValue(code);
  await page.getByRole('button', { name: 'Bevestigen' }).click();
  await expect(page.getByTestId('settings-notice')).toHaveText('Uw e-mailadres is bevestigd.');
  await expect(page.getByTestId('verified-email')).toContainText('wilhelmina@example.org');
});

test('the confirmation mail follows the citizen\'s language', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Daan Visser' });
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto('/instellingen');
  await page.getByLabel('E-mail address', { exact: true }).fill('daan@example.org');
  await page.getByRole('button', { name: 'Send a confirmation code' }).click();
  await expect(page.getByTestId('settings-notice')).toContainText('We have sent a confirmation code');
  await expect(async () => {
    await page.goto('/dev/mail');
    const mail = page.locator('article', { hasText: 'daan@example.org' }).first();
    await expect(mail.getByRole('heading')).toHaveText('Confirm your e-mail address for Inzage');
  }).toPass({ timeout: 20_000 });
});
