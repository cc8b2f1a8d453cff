// The same login and logout with JavaScript disabled: every form works without it.
import { expect, test } from '@playwright/test';
import { expectAccessible, loginAsCitizen } from './helpers';

test('login and logout work without JavaScript', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Kees Jansen', level: 'hoog' });
  await expect(page).toHaveURL(/\/overzicht$/);
  await expect(page.getByTestId('citizen-name')).toHaveText('Kees Jansen');
  await expect(page.getByTestId('level')).toHaveText('DigiD Hoog');
  // Without JavaScript the clock cannot warn, so "stay logged in" is always offered.
  await expect(page.getByRole('button', { name: 'Ingelogd blijven' })).toBeVisible();
  await page.getByRole('button', { name: 'Ingelogd blijven' }).click();
  await expect(page).toHaveURL(/\/overzicht$/);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await expect(page).toHaveURL(/\/uitgelogd/);
  await expect(page.getByTestId('logged-out')).toBeVisible();
});

test('the "Gedeeld met" filter works without JavaScript', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Johannes (Hans) de Vries' });
  await page.goto('/gedeeld');
  await page.getByLabel('Ontvanger').selectOption('CAK');
  await page.getByRole('button', { name: 'Toon' }).click();
  await expect(page).toHaveURL(/ontvanger=CAK/);
  await expect(page.getByTestId('disclosure')).toHaveCount(1);
});

test('withdrawing a consent works without JavaScript', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Kees Jansen' });
  await page.goto('/toestemmingen');
  await page.getByRole('link', { name: /intrekken/ }).first().click();
  await page.getByRole('button', { name: 'Ja, trek mijn toestemming in' }).click();
  await expect(page.getByTestId('consent-notice')).toHaveText('Uw toestemming is ingetrokken. Dit gaat direct in.');
  await expect(page.getByTestId('withdrawn-consents')).toContainText('Schuldeisers in de schuldregeling');
});

test('filing a request and sending a message work without JavaScript', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Johannes (Hans) de Vries' });
  await page.goto('/verzoeken/nieuw');
  await page.getByLabel('Inzage (artikel 15 AVG)').check();
  await page.getByRole('button', { name: 'Verder naar controleren' }).click();
  await page.getByRole('button', { name: 'Verzoek versturen' }).click();
  await expect(page.getByTestId('receipt')).toContainText('Uw kenmerk is AVG-');
  await page.getByLabel('Uw bericht aan de gemeente').fill('Graag ook de stukken van 2024.');
  await page.getByRole('button', { name: 'Bericht versturen' }).click();
  await expect(page.getByTestId('request-notice')).toHaveText('Uw bericht is verstuurd.');
  await expect(page.getByTestId('messages')).toContainText('Graag ook de stukken van 2024.');
});
