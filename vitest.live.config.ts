import { defineConfig } from 'vitest/config';

// The live lab suite: real namespaces, strongSwan and BGP daemons. Needs root on Linux;
// runs one file at a time because every test owns network namespaces and processes.
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
