import { expect, test } from '@playwright/test';
import { expectAccessible, loginAsCitizen } from './helpers';

test('a demo citizen logs in, sees the overview and logs out through the stand-in', async ({ page, context }) => {
  const endSession: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/dev/digid/end-session')) endSession.push(request.url());
  });
  await loginAsCitizen(page);
  await expect(page).toHaveURL(/\/overzicht$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welkom, Fatima el Amrani');
  await expect(page.getByTestId('masked-bsn')).toHaveText('******653');
  await expect(page.getByTestId('level')).toHaveText('DigiD Substantieel');
  await expect(page.getByTestId('session-time-left')).toBeVisible();
  await expectAccessible(page);

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === '__Host-inzage_sessie');
  expect(session, 'session cookie').toBeTruthy();
  expect(session!.httpOnly).toBe(true);
  expect(session!.secure).toBe(true);
  expect(session!.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await expect(page).toHaveURL(/\/uitgelogd/);
  await expect(page.getByTestId('logged-out')).toBeVisible();
  expect(endSession.length, 'went through end-session').toBe(1);
  expect((await context.cookies()).some((c) => c.name === '__Host-inzage_sessie'), 'session cookie removed').toBe(false);
  await expectAccessible(page);
  await page.goto('/overzicht');
  await expect(page).not.toHaveURL(/\/overzicht$/);
});

test('the session clock runs in the browser (plain script, no WASM)', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Sanne Bakker' });
  const clock = page.locator('.session-timer');
  await expect(clock).toHaveAttribute('data-live', 'true');
  const first = await page.getByTestId('session-time-left').textContent();
  await expect(page.getByTestId('session-time-left')).not.toHaveText(first ?? '', { timeout: 5_000 });
  // With JavaScript the "stay logged in" button waits for the warning.
  await expect(page.getByRole('button', { name: 'Ingelogd blijven' })).toHaveCount(0);
});

test('two minutes before the end the page warns, and "stay logged in" resets the clock', async ({ page }) => {
  await page.clock.install();
  await loginAsCitizen(page, { name: 'Daan Visser' });
  await expect(page.locator('.session-timer')).toHaveAttribute('data-live', 'true');
  await expect(page.getByText('Let op, u wordt over minder dan twee minuten uitgelogd.')).toHaveCount(0);
  await page.clock.runFor('13:05');
  await expect(page.getByTestId('session-time-left')).toHaveText('1:55');
  await expect(page.getByRole('status')).toContainText('Let op, u wordt over minder dan twee minuten uitgelogd.');
  // Wherever the page is scrolled, the warning and its button stay in view.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await expect(page.getByRole('status')).toBeInViewport();
  await expect(page.getByRole('button', { name: 'Ingelogd blijven' })).toBeInViewport();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Ingelogd blijven' }).click();
  await expect(page).toHaveURL(/\/overzicht$/);
  await expect(page.getByTestId('session-time-left')).toHaveText('15:00');
  await expect(page.getByRole('button', { name: 'Ingelogd blijven' })).toHaveCount(0);
});

test('when the time is up, the citizen\'s data leaves the screen', async ({ page }) => {
  await page.clock.install();
  await loginAsCitizen(page, { name: 'Fatima el Amrani' });
  await expect(page.locator('.session-timer')).toHaveAttribute('data-live', 'true');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welkom, Fatima el Amrani');
  await page.clock.runFor('15:01');
  await expect(page.getByRole('status')).toContainText('Opnieuw inloggen');
  await expect(page.getByRole('status')).toBeInViewport();
  await expect(page.getByText('Welkom, Fatima el Amrani')).toBeHidden();
  await expect(page.getByTestId('masked-bsn')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Ingelogd blijven' })).toBeHidden();
  await expectAccessible(page);
  await page.screenshot({ path: test.info().outputPath('session-ended.png'), fullPage: true });
});

test('cancelling at DigiD shows Logius\' wording', async ({ page }) => {
  await page.goto('/inloggen');
  await page.getByRole('button', { name: 'Annuleren' }).click();
  await expect(page).toHaveURL(/reden=geannuleerd/);
  await expect(page.getByTestId('login-error')).toHaveText('U heeft het inloggen met DigiD geannuleerd.');
  await expectAccessible(page);
});

test('a level that is too low is refused', async ({ page, context }) => {
  await loginAsCitizen(page, { level: 'basis' });
  await expect(page).toHaveURL(/reden=niveau/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hoger inlogniveau nodig');
  await expectAccessible(page);
  expect((await context.cookies()).some((c) => c.name.includes('sessie'))).toBe(false);
});

test('a forged token is refused with a clear Dutch page', async ({ page, context }) => {
  await loginAsCitizen(page, { fault: 'bad_signature' });
  await expect(page).toHaveURL(/reden=mislukt/);
  await expect(page.getByTestId('login-error')).toContainText('Er is een fout opgetreden in de communicatie met DigiD.');
  expect((await context.cookies()).some((c) => c.name.includes('sessie'))).toBe(false);
});

test('a typed BSN that fails the 11-proef gets a clear message', async ({ page }) => {
  await page.goto('/inloggen');
  await page.getByRole('radio', { name: 'Ander BSN' }).check();
  await page.getByLabel("BSN (als u 'Ander BSN' kiest)").fill('123456789');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page.getByRole('alert')).toContainText('11-proef');
  await expectAccessible(page);
});

test('the portal switches to English and back', async ({ page }) => {
  await page.goto('/toegankelijkheid');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/toegankelijkheid$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accessibility');
  await expectAccessible(page);
  await page.goto('/privacy');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
});

test('staff log in to the back office with their roles', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Inloggen voor medewerkers' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Inloggen voor medewerkers' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel(/Ingrid Mulder/).check();
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page).toHaveURL(/\/backoffice$/);
  await expect(page.getByTestId('staff-roles')).toContainText('Tweede beoordelaar');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Uitloggen' }).click();
  await expect(page).toHaveURL(/\/uitgelogd/);
});

test('a machtiging: Hans acts for Fatima, sees only her data and files her request', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Inloggen met DigiD' }).click();
  await page.getByLabel(/Johannes \(Hans\) de Vries/).check();
  await page
    .getByLabel('Namens (BSN van wie u machtigde)')
    .selectOption({ label: 'Fatima el Amrani (BSN 999993653)' });
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page).toHaveURL(/\/overzicht$/);
  await expect(page.getByTestId('on-behalf')).toContainText('U handelt namens');
  await expect(page.getByTestId('masked-bsn')).toHaveText('******653');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Namens Fatima el Amrani');
  await expect(page.getByRole('heading', { level: 2, name: 'U handelt namens' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: test.info().outputPath('machtiging-overzicht.png'), fullPage: true });

  await page.goto('/verzoeken/nieuw?soort=access');
  await page.getByLabel('Toelichting').fill('Namens mijn buurvrouw, met haar machtiging.');
  await page.getByRole('button', { name: 'Verder naar controleren' }).click();
  await expect(page.getByTestId('review')).toBeVisible();
  await page.getByRole('button', { name: 'Verzoek versturen' }).click();
  await expect(page.getByTestId('receipt')).toContainText('Uw kenmerk is AVG-');
  const reference = (await page.getByTestId('reference').textContent())!.trim();
  await page.goto(`/verzoeken/${reference}`);
  await expect(page.getByTestId('filed-by-representative')).toContainText('Een gemachtigde, met DigiD Machtigen');
  await expectAccessible(page);
  await page.screenshot({ path: test.info().outputPath('machtiging-verzoek.png'), fullPage: true });
});
