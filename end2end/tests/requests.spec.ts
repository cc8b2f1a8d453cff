// Every kind of rights request end to end in Chromium: a demo citizen files it, a handler
// decides, an approver approves where the law wants four eyes, and the citizen sees the result
// and the timeline.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { approve, decide, execute, expectAccessible, loginAsCitizen, loginAsStaff, openInBackOffice, sendFromForm } from './helpers';

test('a correction: filed from "Klopt dit niet?", decided, and the new value shown', async ({ page, browser }) => {
  await loginAsCitizen(page, { name: 'Sanne Bakker' });
  await page.goto('/mijn-gegevens');
  const item = page.getByTestId('domain-participatie').getByTestId('record').first();
  const label = (await item.locator('h4').textContent())!.trim();
  await item.getByRole('link', { name: /Klopt dit niet\?/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nieuw verzoek');
  await expectAccessible(page);
  await page.getByLabel(`Wat is de juiste waarde van ${label}? (alleen bij een verbetering)`).fill('Gecorrigeerd door Sanne');
  const reference = await sendFromForm(page, 'Dit gegeven klopt niet meer.');

  const eva = await loginAsStaff(browser, /Eva de Boer/);
  await eva.goto('/backoffice/verzoeken');
  await expectAccessible(eva);
  await decide(eva, reference);
  await execute(eva, reference);

  await page.goto(`/verzoeken/${reference}`);
  await expect(page.getByTestId('status')).toHaveText('Afgerond');
  await expect(page.getByTestId('item-outcome')).toContainText('Verbeterd');
  await expect(page.getByTestId('timeline')).toContainText('In behandeling genomen');
  await expect(page.getByTestId('timeline')).toContainText('Afgerond');
  await expectAccessible(page);
  await page.goto('/mijn-gegevens');
  await expect(page.getByTestId('domain-participatie')).toContainText('Gecorrigeerd door Sanne');
});

test('an erasure: approved by a second person, and the item is gone', async ({ page, browser }) => {
  await loginAsCitizen(page, { name: 'Kees Jansen' });
  await page.goto('/mijn-gegevens');
  const item = page.getByTestId('domain-schuldhulp').getByTestId('record').first();
  const label = (await item.locator('h4').textContent())!.trim();
  await item.getByRole('link', { name: /Verwijderen aanvragen/ }).click();
  const reference = await sendFromForm(page, 'Mijn traject is afgerond.');

  const eva = await loginAsStaff(browser, /Eva de Boer/);
  await decide(eva, reference);
  // Eva decided: she gets no approval button.
  await expect(eva.getByRole('button', { name: 'Besluit goedkeuren' })).toHaveCount(0);
  const ingrid = await loginAsStaff(browser, /Ingrid Mulder/);
  await approve(ingrid, reference);
  await execute(eva, reference);

  await page.goto(`/verzoeken/${reference}`);
  await expect(page.getByTestId('item-outcome')).toContainText('Verwijderd');
  await expect(page.getByTestId('timeline')).toContainText('Besluit goedgekeurd');
  await page.goto('/mijn-gegevens');
  await expect(page.getByTestId('domain-schuldhulp').getByRole('heading', { name: label, exact: true })).toHaveCount(0);
});

test('a refused erasure: kept, with the ground and the date', async ({ page, browser }) => {
  await loginAsCitizen(page, { name: 'Wilhelmina Smit' });
  await page.goto('/mijn-gegevens');
  await page.getByTestId('record').first().getByRole('link', { name: /Verwijderen aanvragen/ }).click();
  const reference = await sendFromForm(page, 'Weg ermee.');

  const ahmed = await loginAsStaff(browser, /Ahmed Yilmaz/);
  await decide(ahmed, reference, {
    ground: 'De gegevens moeten worden bewaard voor het archief, bijvoorbeeld volgens de Archiefwet of de bewaartermijn van de Jeugdwet (artikel 17, lid 3, onder d AVG)',
    note: 'Dit stuk valt onder de Archiefwet.',
  });
  const ingrid = await loginAsStaff(browser, /Ingrid Mulder/);
  await approve(ingrid, reference);

  await page.goto(`/verzoeken/${reference}`);
  await expect(page.getByTestId('status')).toHaveText('Afgewezen');
  await expect(page.getByTestId('item-decision')).toHaveText('Geweigerd');
  await expect(page.getByTestId('item-ground')).toContainText('Archiefwet');
  await expect(page.getByTestId('items')).toContainText('Dit stuk valt onder de Archiefwet.');
  await expectAccessible(page);
});

for (const kind of [
  { label: 'Inzage (artikel 15 AVG)', citizen: 'Daan Visser', outcome: 'Beantwoord', explanation: '' },
  { label: 'Volledig BRP-protocol', citizen: 'Fatima el Amrani', outcome: 'Beantwoord', explanation: '' },
  { label: 'Beperken (artikel 18 AVG)', citizen: 'Kees Jansen', outcome: 'Beperkt', explanation: 'Zolang dit wordt uitgezocht.' },
  { label: 'Bezwaar tegen gebruik (artikel 21 AVG)', citizen: 'Sanne Bakker', outcome: 'Beperkt', explanation: 'Ik geef mantelzorg.' },
]) {
  test(`${kind.label}: filed, decided and carried out`, async ({ page, browser }) => {
    await loginAsCitizen(page, { name: kind.citizen });
    await page.getByRole('link', { name: 'Mijn verzoeken' }).click();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Nieuw verzoek' }).click();
    await page.getByLabel(kind.label).check();
    if (kind.outcome === 'Beperkt') {
      // Restriction and objection of one item, managed by the municipality itself.
      await page.getByLabel('Alleen de gegevens die ik hieronder aanvink').check();
      const domain = kind.citizen === 'Kees Jansen' ? 'Schuldhulpverlening' : 'Werk en inkomen';
      await page.getByTestId('pickable').locator('li', { hasText: domain }).first().getByRole('checkbox').check();
    }
    const reference = await sendFromForm(page, kind.explanation);
    const eva = await loginAsStaff(browser, /Eva de Boer/);
    await decide(eva, reference);
    await execute(eva, reference);
    await page.goto(`/verzoeken/${reference}`);
    await expect(page.getByTestId('status')).toHaveText('Afgerond');
    await expect(page.getByTestId('item-outcome').first()).toContainText(kind.outcome);
    await expect(page.getByTestId('stepper')).toContainText('Afgerond');
  });
}

test('a citizen withdraws before a decision; afterwards withdrawal is no longer offered', async ({ page }) => {
  await loginAsCitizen(page, { name: 'Daan Visser' });
  await page.goto('/verzoeken/nieuw');
  await page.getByLabel('Inzage (artikel 15 AVG)').check();
  const reference = await sendFromForm(page, 'Toch niet nodig.');
  await page.getByRole('button', { name: 'Verzoek intrekken' }).click();
  await expect(page.getByTestId('request-notice')).toContainText('Vink aan');
  await page.getByLabel('Ja, ik wil dit verzoek intrekken').check();
  await page.getByRole('button', { name: 'Verzoek intrekken' }).click();
  await expect(page.getByTestId('request-notice')).toHaveText('Uw verzoek is ingetrokken.');
  await expect(page.getByTestId('status')).toHaveText('Ingetrokken');
  await expect(page.getByRole('button', { name: 'Verzoek intrekken' })).toHaveCount(0);
  await page.goto('/verzoeken');
  await expect(page.getByTestId('request-table')).toContainText(reference);
});

test('the back office queue shows the demo cases with counts and filters', async ({ browser }) => {
  const officer = await loginAsStaff(browser, /Pieter van Dam/);
  await officer.goto('/backoffice/verzoeken');
  await expect(officer.getByTestId('count-overdue')).not.toHaveText('0');
  await officer.getByLabel('Alleen te laat').check();
  await officer.getByRole('button', { name: 'Filteren' }).click();
  await expect(officer.getByTestId('overdue').first()).toBeVisible();
  await expectAccessible(officer);
  await officer.getByTestId('request-row').first().getByRole('link').click();
  // Read-only: the privacy officer has no actions.
  await expect(officer.getByTestId('no-actions')).toBeVisible();
  await expectAccessible(officer);
});

test('a parent files for her child; the handler confirms her authority before deciding', async ({ page, browser }) => {
  await loginAsCitizen(page, { name: 'Fatima el Amrani' });
  await page.goto('/verzoeken/nieuw');
  await page.getByRole('link', { name: 'Voor mijn kind Noor el Amrani (12)' }).click();
  await expect(page.getByTestId('filing-for')).toContainText('Noor el Amrani');
  await expectAccessible(page);
  await page.getByLabel('Inzage (artikel 15 AVG)').check();
  const reference = await sendFromForm(page, 'Voor mijn dochter.');
  await expect(page.getByTestId('on-behalf-of')).toHaveText('Noor el Amrani');

  const eva = await loginAsStaff(browser, /Eva de Boer/);
  await openInBackOffice(eva, reference);
  await eva.getByRole('button', { name: 'In behandeling nemen' }).click();
  await expect(eva.getByText('Bevestig het gezag voordat u besluit.')).toBeVisible();
  await expect(eva.getByRole('button', { name: 'Besluit vastleggen' })).toHaveCount(0);
  await eva.getByRole('button', { name: 'Gezag bevestigen' }).click();
  await expect(eva.getByTestId('request-notice')).toHaveText('Opgeslagen.');
  await eva.getByRole('button', { name: 'Besluit vastleggen' }).click();
  await expect(eva.getByTestId('status')).toHaveText('Besluit genomen');
});

test('an access answer: read as a page, downloaded as PDF and JSON, with its decision letter', async ({ page, browser }) => {
  await loginAsCitizen(page, { name: 'Wilhelmina Smit' });
  await page.goto('/verzoeken/nieuw');
  await page.getByLabel('Inzage (artikel 15 AVG)').check();
  const reference = await sendFromForm(page, '');
  const eva = await loginAsStaff(browser, /Eva de Boer/);
  await decide(eva, reference);
  await execute(eva, reference);

  await page.goto(`/verzoeken/${reference}`);
  await expect(page.getByTestId('documents')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: 'Lees het antwoord op uw verzoek om inzage' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Antwoord op uw verzoek om inzage ${reference}`);
  for (const item of ['(a) Doel', '(b) Soorten gegevens', '(c) Ontvangers', '(d) Bewaartermijn', '(g) Herkomst', '(h) Geautomatiseerde besluitvorming']) {
    await expect(page.getByTestId('answer-activity').first()).toContainText(item);
  }
  await expect(page.getByTestId('answer-complaint')).toContainText('Autoriteit Persoonsgegevens');
  await expect(page.getByTestId('answer-fee')).toContainText('kosteloos');
  await expectAccessible(page);
  const pdf = await page.request.get(`/verzoeken/${reference}/antwoord.pdf`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
  const json = await (await page.request.get(`/verzoeken/${reference}/antwoord.json`)).json();
  expect(json.reference).toBe(reference);
  expect(json.domains.length).toBeGreaterThan(0);

  await page.goto(`/verzoeken/${reference}/besluit`);
  await expect(page.getByTestId('letter')).toHaveAttribute('data-outcome', 'granted');
  await expect(page.getByTestId('letter-objection')).toContainText('binnen zes weken');
  await expect(page.getByTestId('letter-complaint')).toContainText('Autoriteit Persoonsgegevens');
  await expect(page.getByTestId('letter-ground')).toContainText('artikel 15');
  await expectAccessible(page);
  const english = await page.request.get(`/verzoeken/${reference}/brief/besluit.pdf?taal=en`);
  expect(english.status()).toBe(200);
  expect(english.headers()['content-type']).toBe('application/pdf');
});

test('the privacy officer sees deadlines, retention, disclosures and staff views, and exports them', async ({ browser }) => {
  const officer = await loginAsStaff(browser, /Pieter van Dam/);
  await officer.getByRole('link', { name: 'Toezicht' }).click();
  await expect(officer.getByRole('heading', { level: 1 })).toHaveText('Toezicht');
  await expect(officer.getByTestId('count-overdue')).not.toHaveText('0');
  await expect(officer.getByTestId('table-verzoeken')).toContainText('Te laat');
  await expect(officer.getByTestId('table-bewaartermijnen')).toBeVisible();
  await expect(officer.getByTestId('table-verstrekkingen')).toContainText('Sociale Verzekeringsbank (SVB)');
  await expect(officer.getByTestId('table-inzage-zonder-zaak')).toContainText('medewerker W-1077');
  await expect(officer.getByTestId('chart-on-time')).toBeVisible();
  await expectAccessible(officer);
  const csv = await officer.request.get('/backoffice/toezicht/csv/verstrekkingen');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('Sociale Verzekeringsbank (SVB)');
});
