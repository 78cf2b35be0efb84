import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Live-lab and browser suites run through their own npm scripts (they need root or chromium).
    exclude: ['test/live/**', 'test/browser/**', 'node_modules/**'],
    pool: 'threads',
    // CLI tests spawn `node bin/vwan-ha.js` (TypeScript compiled on the fly): seconds on a loaded 2-core box.
    testTimeout: 30_000,
  },
});
