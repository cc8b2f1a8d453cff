import { expect, test } from '@playwright/test';
import { expectAccessible, loginAsCitizen } from './helpers';

test('a citizen reads their data and who it was shared with', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Johannes (Hans) de Vries' });
  await expect(page.getByTestId('held')).toContainText('gegevens over u');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Mijn gegevens' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn gegevens');
  await expect(page.getByTestId('domain-wmo')).toContainText('Indicatie hulp bij het huishouden');
  await expect(page.getByTestId('domain-wmo')).toContainText('Wmo 2015 art. 2.3.5');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Gedeeld met' }).first().click();
  await expect(page.getByTestId('disclosure')).toHaveCount(2);
  await page.getByLabel('Ontvanger').selectOption('CAK');
  await page.getByRole('button', { name: 'Toon' }).click();
  await expect(page.getByTestId('disclosure')).toHaveCount(1);
  await expect(page.getByTestId('disclosure')).toContainText('Berekenen van de eigen bijdrage');
  await expectAccessible(page);
});

test('with DigiD Midden health data waits for a higher level', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Johannes (Hans) de Vries', level: 'midden' });
  await page.goto('/mijn-gegevens');
  await expect(page.getByTestId('step-up')).toContainText('DigiD Substantieel');
  await expect(page.getByText('Indicatie hulp bij het huishouden')).toHaveCount(0);
  await expectAccessible(page);
});

test('who used my data, and withdrawing a consent after confirming', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Fatima el Amrani' });
  await page.getByRole('link', { name: 'Wie gebruikte mijn gegevens' }).click();
  await expect(page.getByTestId('usage-line').first()).toContainText('U bekeek wie uw gegevens gebruikte');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Toestemmingen' }).click();
  await expect(page.getByTestId('active-consents')).toContainText('Huisartsenpraktijk Lindelaan');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Toestemming voor Huisartsenpraktijk Lindelaan intrekken' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Toestemming intrekken');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Ja, trek mijn toestemming in' }).click();
  await expect(page.getByTestId('consent-notice')).toHaveText('Uw toestemming is ingetrokken. Dit gaat direct in.');
  await expect(page.getByTestId('withdrawn-consents')).toContainText('Huisartsenpraktijk Lindelaan');
  await expect(page.getByTestId('active-consents')).not.toContainText('Huisartsenpraktijk Lindelaan');
});
