// Kysely as one bundled ES module (dist/vendor/kysely/index.js; package.json "imports" maps
// `#kysely` to it). Kysely's ES build is ~260 small modules, all loaded by its index, and Node
// keeps records of its own for each ES module loaded beside its code (module wrap, job, URL,
// namespace): fewer modules, less memory held by every `paved up` (bench/README.md §9, round 6,
// where the server's TypeBox is bundled the same way). ASCII, so V8 keeps the source at one byte
// a character, and without the JSDoc comments, which only cost memory here (licences are kept).
import { fileURLToPath } from 'node:url';

const vendorKysely = {
  input: { index: fileURLToPath(new URL('../../node_modules/kysely/dist/esm/index.js', import.meta.url)) },
  platform: 'node',
  output: { dir: 'dist/vendor/kysely', cleanDir: true, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false }, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
};

// The store itself as one ES module (dist/bundle/index.js, with the PostgreSQL adapter a chunk
// of its own, loaded only for a PostgreSQL store; package.json "exports" points there), made
// from what tsc wrote to dist/: fewer ES modules again, as the server's (packages/server/
// rolldown.config.mjs). Only the store's own modules are in it. `tsc -b` alone leaves this bundle
// stale: build with `npm run build`, which runs tsc first, then this.
const store = {
  input: { index: 'dist/index.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: { dir: 'dist/bundle', cleanDir: true, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false }, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
};

export default [vendorKysely, store];
