// Lighthouse (mobile, the default form factor) on every citizen and staff page of a running
// Inzage, with @lhci/cli and Debian's Chromium: performance at least 0.98 and accessibility 1 on
// each page, or this fails naming the page. .ci/e2e runs it against its freshly seeded portal.
//   node end2end/lighthouse.mjs http://localhost:3100
// Logged-in pages get the session cookie of a stand-in login as a request header.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://localhost:3000';
const chromePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const cookieName = '__Host-inzage_sessie';

async function session(login) {
  const browser = await chromium.launch({ executablePath: chromePath, args: ['--no-sandbox'] });
  const page = await browser.newPage({ baseURL: base });
  await login(page);
  const cookie = (await page.context().cookies()).find((c) => c.name === cookieName);
  if (!cookie) throw new Error('no session cookie after the stand-in login');
  // A request page of this person, for the detail pages.
  const list = page.url().includes('/backoffice') ? '/backoffice/verzoeken' : '/verzoeken';
  await page.goto(list);
  const link = page.locator(`a[href^="${list}/"]:not([href$="/nieuw"])`).first();
  const request = await link.getAttribute('href');
  await browser.close();
  return { cookie: `${cookieName}=${cookie.value}`, request };
}

const citizen = await session(async (page) => {
  await page.goto('/inloggen');
  await page.getByLabel('Fatima el Amrani').check();
  await page.getByLabel('Betrouwbaarheidsniveau').selectOption('substantieel');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(/\/overzicht$/);
});
const staff = await session(async (page) => {
  await page.goto('/backoffice/inloggen');
  await page.getByLabel(/Pieter/).check();
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.waitForURL(/\/backoffice$/);
});

const groups = [
  { who: 'anyone', cookie: null, paths: ['/', '/toegankelijkheid', '/privacy', '/uitgelogd'] },
  {
    who: 'citizen',
    cookie: citizen.cookie,
    paths: [
      '/overzicht',
      '/mijn-gegevens',
      '/gedeeld',
      '/gebruik',
      '/toestemmingen',
      '/instellingen',
      '/verzoeken',
      '/verzoeken/nieuw',
      citizen.request,
    ],
  },
  {
    who: 'staff',
    cookie: staff.cookie,
    paths: ['/backoffice', '/backoffice/verzoeken', staff.request, '/backoffice/toezicht'],
  },
];

const work = mkdtempSync(join(tmpdir(), 'inzage-lhci-'));
const lhci = join(process.cwd(), 'node_modules/.bin/lhci');
const failures = [];
try {
  for (const group of groups) {
    for (const path of group.paths) {
      if (!path) throw new Error(`${group.who}: no request page found`);
      const dir = join(work, `${group.who}${path.replaceAll('/', '_')}`);
      const settings = {
        chromeFlags: '--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage',
        onlyCategories: ['performance', 'accessibility'],
        ...(group.cookie ? { extraHeaders: { Cookie: group.cookie } } : {}),
      };
      const rc = join(dir, 'lighthouserc.json');
      execFileSync('mkdir', ['-p', dir]);
      writeFileSync(
        rc,
        JSON.stringify({
          ci: {
            collect: { url: [base + path], numberOfRuns: 1, chromePath, settings },
          },
        }),
      );
      execFileSync(lhci, ['collect', `--config=${rc}`], { cwd: dir, stdio: 'pipe' });
      const lhr = readdirSync(join(dir, '.lighthouseci'))
        .filter((f) => f.startsWith('lhr-') && f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(dir, '.lighthouseci', f), 'utf8')))[0];
      const performance = lhr.categories.performance.score;
      const accessibility = lhr.categories.accessibility.score;
      const line = `${group.who.padEnd(8)} ${path.padEnd(40)} performance ${Math.round(performance * 100)}  accessibility ${Math.round(accessibility * 100)}`;
      console.log(line);
      if (performance < 0.98 || accessibility < 1) {
        const failed = Object.values(lhr.audits)
          .filter((a) => a.score !== null && a.score < 1 && lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id && r.weight > 0))
          .map((a) => a.id);
        failures.push(`${line}${failed.length ? ` (accessibility: ${failed.join(', ')})` : ''}`);
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`Lighthouse below performance 98 / accessibility 100:\n${failures.join('\n')}`);
  process.exit(1);
}
console.log('Lighthouse: every page at performance >= 98 and accessibility 100');
