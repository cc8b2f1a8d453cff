// Browser tests against a running Inzage (started by .ci/e2e), in Debian's Chromium.
// Playwright never downloads a browser here: the executable path is fixed.
import { defineConfig } from '@playwright/test';

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export default defineConfig({
  testDir: './tests',
  // Visual references (theme.spec.ts): one file per theme, page and viewport, committed; a
  // missing one fails the run instead of being written silently.
  snapshotPathTemplate: '{testDir}/__screenshots__/{arg}{ext}',
  updateSnapshots: process.env.INZAGE_E2E_UPDATE_SNAPSHOTS ? 'all' : 'none',
  timeout: 60_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  globalSetup: './global-setup.ts',
  use: {
    baseURL: process.env.INZAGE_E2E_BASE_URL ?? 'http://localhost:3000',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: chromiumArgs,
    },
    trace: 'off',
  },
  projects: [
    { name: 'chromium', testIgnore: /nojs/ },
    { name: 'chromium-zonder-javascript', testMatch: /nojs/, use: { javaScriptEnabled: false } },
  ],
});
