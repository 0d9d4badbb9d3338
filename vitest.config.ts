import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Unit tests import workspace packages from source, so they need no build; the end-to-end
// tests under e2e/ drive the built CLI and server (npm test builds first).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@paved\/driver-api\/conformance$/, replacement: pkg('driver-api/src/conformance.ts') },
      { find: /^@paved\/store\/testing$/, replacement: pkg('store/src/testing.ts') },
      { find: /^@paved\/server\/prometheus$/, replacement: pkg('server/src/metrics/prometheus/index.ts') },
      { find: /^@paved\/driver-(postgres|secret|memory|mysql|redis|rabbitmq|nats|script|webhook|log-stream)$/, replacement: pkg('drivers/$1/src/index.ts') },
      { find: /^@paved\/(model|driver-api|store|secrets|engine|server|platform|client|cli)$/, replacement: pkg('$1/src/index.ts') },
      // The server's TypeBox is a bundle of the package that its build makes (packages/server/rolldown.config.mjs): from source, the package itself.
      { find: /^#typebox(\/compile|\/value)?$/, replacement: 'typebox$1' },
      // The store's Kysely, likewise (packages/store/rolldown.config.mjs).
      { find: /^#kysely$/, replacement: 'kysely' },
    ],
  },
  test: {
    include: ['packages/**/src/**/*.test.ts', 'e2e/**/*.test.ts', 'checks/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
