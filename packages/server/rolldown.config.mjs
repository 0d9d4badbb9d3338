// TypeBox as a few bundled ES modules (dist/vendor/typebox/; package.json "imports" maps
// `#typebox`, `#typebox/compile` and `#typebox/value` to them). TypeBox ships ~700 small ES
// modules, and Node keeps, for each ES module loaded, records of its own beside the code
// (its module wrap, job, URL and namespace): TypeBox as published held 5.5 MiB of heap in a bare
// `node`, these chunks 1.3 MiB (bench/README.md §9, round 6). One build of the three entry
// points, so they share their chunks: one copy of TypeBox's settings and registries, as with the
// package. ASCII, so V8 keeps each chunk's source at one byte a character; without the JSDoc
// comments, which only cost memory here (licences are kept).
import { fileURLToPath } from 'node:url';

const typebox = (path) => fileURLToPath(new URL(`../../node_modules/typebox/build/${path}`, import.meta.url));

const vendorTypebox = {
  input: { index: typebox('index.mjs'), compile: typebox('compile/index.mjs'), value: typebox('value/index.mjs') },
  platform: 'node',
  output: { dir: 'dist/vendor/typebox', cleanDir: true, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false }, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
};

// The server itself as one ES module (dist/bundle/index.js, and /prometheus; package.json
// "exports" points there), made from what tsc wrote to dist/: its ~175 modules cost an idle
// `paved up` ~1.2 MB of heap more than one (bench/README.md §9, round 6). Only the server's own
// modules are in it: every package it imports stays the one module every other package loads,
// so there is one copy of each class (errors told apart with instanceof). `tsc -b` alone
// leaves this bundle stale: build with `npm run build`, which runs tsc first, then this.
const server = {
  input: { index: 'dist/index.js', prometheus: 'dist/metrics/prometheus/index.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: { dir: 'dist/bundle', cleanDir: true, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false }, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
};

export default [vendorTypebox, server];
