// A decision holds against a source system's next sync: the source-simulator binary plays a
// source system over HTTP (pushes its batch, later re-sends it stale, then processes its events
// and syncs its own copy), and the citizen's erased item stays gone in the browser.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { approve, decide, execute, expectAccessible, loginAsCitizen, loginAsStaff, sendFromForm } from './helpers';

const simulatorPath = process.env.INZAGE_SIMULATOR ?? 'target/debug/source-simulator';
const fixture = 'crates/source-simulator/fixtures/example.json';
const state = join(mkdtempSync(join(tmpdir(), 'inzage-sim-')), 'state.json');

/** Runs one step of the simulator and returns what it printed, one JSON object per line. */
function simulator(...command: string[]): Record<string, unknown>[] {
  const api = `${test.info().project.use.baseURL}/api/v1`;
  const out = execFileSync(simulatorPath, ['--api', api, '--state', state, ...command], {
    encoding: 'utf8',
    env: process.env,
  });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

test('an erased item stays gone after the source system re-syncs', async ({ page, browser }) => {
  // .ci/e2e creates the simulator's source and token; without them this test must fail, not pass.
  expect(process.env.INZAGE_SOURCE_TOKEN, 'INZAGE_SOURCE_TOKEN (set by .ci/e2e)').toBeTruthy();
  simulator('init', fixture);

  await loginAsCitizen(page, { bsn: '111222333' });
  await page.goto('/mijn-gegevens');
  const label = 'Simulatie: verslag huisbezoek';
  const item = page.getByTestId('record').filter({ has: page.getByRole('heading', { name: label, exact: true }) });
  await expect(item).toHaveCount(1);
  await item.getByRole('link', { name: /Verwijderen aanvragen/ }).click();
  const reference = await sendFromForm(page, 'Dit verslag wil ik laten verwijderen.');

  const eva = await loginAsStaff(browser, /Eva de Boer/);
  await decide(eva, reference);
  const ingrid = await loginAsStaff(browser, /Ingrid Mulder/);
  await approve(ingrid, reference);
  await execute(eva, reference);

  // The source's stale sync re-sends the erased record: refused, naming the request.
  const stale = JSON.stringify(simulator('resend-original'));
  expect(stale).toContain('422');
  expect(stale).toContain(`erased by ${reference}`);
  await page.goto('/mijn-gegevens');
  await expect(page.getByRole('heading', { name: label, exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Simulatie: telefoonnummer', exact: true })).toHaveCount(1);

  // The source processes the record.erased event and syncs its own copy: still gone.
  const cycle = JSON.stringify(simulator('cycle'));
  expect(cycle).toContain('record.erased');
  await page.reload();
  await expect(page.getByRole('heading', { name: label, exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Simulatie: telefoonnummer', exact: true })).toHaveCount(1);
  await expectAccessible(page);
});
