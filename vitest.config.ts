import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Live-lab, browser and soak suites run through their own npm scripts (root, chromium, minutes).
    exclude: ['test/live/**', 'test/browser/**', 'test/soak/**', 'node_modules/**'],
    pool: 'threads',
    // CLI tests spawn `node bin/vwan-ha.js` (TypeScript compiled on the fly): seconds on a loaded 2-core box.
    testTimeout: 30_000,
  },
});
