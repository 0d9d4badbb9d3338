import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The portal is served by Paved itself (packages/server/src/portal), so it is built to dist/
 * with a manifest (bench/portal-budget.mjs reads it to sum what a first visit loads).
 *
 * @paved/client imports only the error classes of @paved/model at run time; the model's index
 * also exports the manifest validator (Ajv) and YAML parser, which the browser never needs.
 * Pointing the browser build at the errors module keeps them out of the bundle.
 */
/**
 * Writes a .br and a .gz copy beside every script and style sheet, once at build time, so the
 * server sends them compressed (@fastify/static's preCompressed) without compressing per request.
 */
function precompress(): Plugin {
  return {
    name: 'paved-precompress',
    apply: 'build',
    writeBundle(options) {
      const assets = join(options.dir!, 'assets');
      for (const file of readdirSync(assets).filter((f) => /\.(js|css)$/.test(f))) {
        const content = readFileSync(join(assets, file));
        writeFileSync(join(assets, `${file}.gz`), gzipSync(content, { level: 9 }));
        writeFileSync(join(assets, `${file}.br`), brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  resolve: {
    alias: { '@paved/model': fileURLToPath(new URL('../model/dist/errors.js', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
  },
});
