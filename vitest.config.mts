import { defineConfig } from 'vitest/config';

// Integration tests spawn real node processes and sockets: give them room,
// but keep files in parallel only up to the machine's two cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fails the run when a process started by the tests outlives the suite.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
