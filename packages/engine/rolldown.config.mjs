// The engine as one ES module (dist/bundle/index.js; package.json "exports" points there), made
// from what tsc wrote to dist/: each ES module loaded costs an idle `paved up` records of Node's
// own beside its code, as the server's (packages/server/rolldown.config.mjs, bench/README.md §9,
// round 6). Only the engine's own modules are in it: every package it imports stays the one
// module the others load. `tsc -b` alone leaves this bundle stale: build with `npm run build`,
// which runs tsc first, then this.
export default {
  input: { index: 'dist/index.js' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  output: { dir: 'dist/bundle', cleanDir: true, format: 'esm', charset: 'ascii', comments: { legal: true, annotation: false, jsdoc: false }, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
};
