// The CLI's bundle (dist/bundle/run.js, see src/main.ts for why and when it is used): the CLI,
// @paved/model, @paved/client and their libraries in one module. What a command loads with
// import() stays a separate chunk, loaded only by that command; the server side (paved up,
// @paved/platform and what it reaches) is not bundled: it did not hold less memory bundled
// (bench/README.md §9).
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// @paved/model's error classes stay the one module the platform loads too (@paved/model/errors):
// `paved up` reports the platform's errors (a bad configuration) and tells them from bugs with
// instanceof, which a second, bundled copy of the classes would fail.
const errorsFile = fileURLToPath(new URL('../model/dist/errors.js', import.meta.url));
const modelErrorsShared = {
  name: 'paved-model-errors-shared',
  resolveId(source, importer) {
    if (importer && source.startsWith('.') && resolve(dirname(importer), source) === errorsFile) return { id: '@paved/model/errors', external: true };
    return null;
  },
};

export default {
  input: { run: 'dist/run.js' },
  platform: 'node',
  plugins: [modelErrorsShared],
  external: [/^node:/, /^@paved\/(?!model$|client$)/],
  logLevel: 'warn',
  output: { dir: 'dist/bundle', format: 'esm', cleanDir: true, chunkFileNames: '[name]-[hash].js', sourcemap: false },
};
