import { defineConfig } from 'vitest/config';

// The soak suite: 24 simulated hours of random failures on a 100-site hub. Minutes, not seconds;
// run by `npm run test:soak` (and by .ci/run), not by `npm test`.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 1_200_000,
    // A garbage collection before each memory reading, so the figure is what the run keeps.
    execArgv: ['--expose-gc'],
  },
});
