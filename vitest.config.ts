import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Live-lab and browser suites run through their own npm scripts (they need root or chromium).
    exclude: ['test/live/**', 'test/browser/**', 'node_modules/**'],
    pool: 'threads',
  },
});
