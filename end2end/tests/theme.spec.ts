import { expect, test, type Page } from '@playwright/test';
import { expectAccessible, loginAsCitizen, loginAsStaff } from './helpers';

/**
 * The look comes from the deployment's design tokens alone. .ci/e2e runs this file twice: with
 * the default NL Design System example theme, and again after restarting the portal with
 * another tokens file (`theme.tokens_css`, `theme.class_name`) and nothing else changed.
 * Pages without changing content are compared with committed references (layout breakage
 * fails); every page is also kept as a screenshot in the test results.
 */
const theme = process.env.INZAGE_E2E_THEME ?? 'voorbeeld-theme';
const primary = process.env.INZAGE_E2E_THEME_PRIMARY ?? 'rgb(81, 21, 239)';

async function keep(page: Page, name: string) {
  await page.screenshot({ path: test.info().outputPath(`${theme}-${name}.png`), fullPage: true });
}

async function compare(page: Page, name: string) {
  await keep(page, name);
  await expect(page).toHaveScreenshot(`${theme}-${name}.png`, { fullPage: true, maxDiffPixelRatio: 0.01 });
}

for (const viewport of [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'mobiel', width: 390, height: 844 },
]) {
  test.describe(`theme ${theme}, ${viewport.name}`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('the public pages take the theme and match their references', async ({ page }) => {
      await page.goto('/');
      await expect(page.locator('body')).toHaveClass(new RegExp(`\\b${theme}\\b`));
      const login = page.getByRole('link', { name: 'Inloggen met DigiD' });
      await expect(login).toHaveCSS('background-color', primary);
      await expectAccessible(page);
      await compare(page, `start-${viewport.name}`);
      for (const path of ['/toegankelijkheid', '/privacy']) {
        await page.goto(path);
        await expectAccessible(page);
        await compare(page, `${path.slice(1)}-${viewport.name}`);
      }
      await page.goto('/');
      await login.click();
      await expect(page.getByRole('button', { name: 'Inloggen' })).toHaveCSS('background-color', primary);
      await expectAccessible(page);
      await compare(page, `digid-${viewport.name}`);
    });

    test('the citizen and staff pages take the theme', async ({ page, browser }) => {
      await loginAsCitizen(page);
      await expect(page).toHaveURL(/\/overzicht$/);
      for (const path of ['/overzicht', '/mijn-gegevens', '/gedeeld', '/gebruik', '/toestemmingen', '/verzoeken', '/verzoeken/nieuw', '/instellingen']) {
        await page.goto(path);
        await expect(page.locator('body')).toHaveClass(new RegExp(`\\b${theme}\\b`));
        await expectAccessible(page);
        await keep(page, `burger${path.replaceAll('/', '-')}-${viewport.name}`);
      }
      await page.goto('/verzoeken/nieuw');
      await expect(page.getByRole('button', { name: 'Verder naar controleren' })).toHaveCSS('background-color', primary);
      await page.goto('/verzoeken');
      await page.getByRole('link', { name: /AVG-/ }).first().click();
      await expectAccessible(page);
      await keep(page, `burger-verzoek-${viewport.name}`);
      const staff = await loginAsStaff(browser, /Eva de Boer/);
      await staff.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const path of ['/backoffice', '/backoffice/verzoeken']) {
        await staff.goto(path);
        await expectAccessible(staff);
        await keep(staff, `medewerker${path.replaceAll('/', '-')}-${viewport.name}`);
      }
      await staff.getByRole('link', { name: /AVG-/ }).first().click();
      await expectAccessible(staff);
      await keep(staff, `medewerker-verzoek-${viewport.name}`);
      const officer = await loginAsStaff(browser, /Pieter van Dam/);
      await officer.setViewportSize({ width: viewport.width, height: viewport.height });
      await officer.goto('/backoffice/toezicht');
      await expectAccessible(officer);
      await keep(officer, `medewerker-toezicht-${viewport.name}`);
    });
  });
}
