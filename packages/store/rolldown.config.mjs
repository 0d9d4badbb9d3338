// Kysely as one bundled ES module (dist/vendor/kysely/index.js; package.json "imports" maps
// `#kysely` to it). Kysely's ES build is ~260 small modules, all loaded by its index, and Node
// keeps records of its own for each ES module loaded beside its code (module wrap, job, URL,
// namespace): fewer modules, less memory held by every `paved up` (bench/README.md §9, round 6,
// where the server's TypeBox is bundled the same way). ASCII, so V8 keeps the source at one byte
// a character, and without the JSDoc comments, which only cost memory here (licences are kept).
import { fileURLToPath } from 'node:url';

export default {
  input: { index: fileURLToPath(new URL('../../node_modules/kysely/dist/esm/index.js', import.meta.url)) },
  platform: 'node',
  output: { dir: 'dist/vendor/kysely', cleanDir: true, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false }, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
};
