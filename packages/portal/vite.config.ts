import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The portal is served by Paved itself (packages/server/src/portal), so it is built to dist/
 * with a manifest (bench/portal-budget.mjs reads it to sum what a first visit loads).
 *
 * @paved/client imports only the error classes of @paved/model at run time; the model's index
 * also exports the manifest validator (Ajv) and YAML parser, which the browser never needs.
 * Pointing the browser build at the errors module keeps them out of the bundle.
 */
export default defineConfig({
  plugins: [react()],
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
