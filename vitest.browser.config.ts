import { defineConfig } from 'vitest/config';

// The web UI in a real browser: Debian's chromium driven by playwright-core
// (scripts/install-browser-deps.sh installs it; no browser is ever downloaded).
// One file at a time: each starts its own server and browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 90_000,
  },
});
