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

// What every command needs: @paved/client, @paved/model, the CLI's helpers and cli-table3; not
// the command groups, nor what a command loads with import() (the Backstage catalog, OIDC sign-in,
// the workload router, audit verify, prompts, YAML), nor run.js, the entry.
const LAZY = /cli[\\/]dist[\\/](commands[\\/]|run\.js$|backstage-catalog|oidc-login|workload-router|audit-verify)/;
const SHARED = /packages[\\/](client|model)[\\/]dist[\\/]|cli[\\/]dist[\\/]|node_modules[\\/](cli-table3|string-width|strip-ansi|ansi-regex|is-fullwidth-code-point|emoji-regex|@colors)[\\/]/;
const sharedModule = (id) => SHARED.test(id) && !LAZY.test(id);

export default {
  input: { run: 'dist/run.js' },
  platform: 'node',
  plugins: [modelErrorsShared],
  external: [/^node:/, /^@paved\/(?!model$|client$)/],
  logLevel: 'warn',
  output: {
    dir: 'dist/bundle', format: 'esm', cleanDir: true, chunkFileNames: '[name]-[hash].js', sourcemap: false,
    // `paved --help` loads the root chunk only; a command loads it, the shared chunk and its
    // group's (src/command-groups.ts). Left to itself the bundler made ~15 small chunks of the
    // helpers, each an ES module Node loads for ≈ 0.5 ms, and `paved get` loaded 14. run.js (the
    // entry, which awaits main) stays out of the root chunk: a command's chunk imports that chunk,
    // and importing a module still in its top-level await never settles.
    codeSplitting: {
      groups: [
        { name: 'root', test: /node_modules[\\/](commander|picocolors)[\\/]|cli[\\/]dist[\\/](dispatch|root-program|colors|io|output-formats|command-table|command-groups)\.js$/, priority: 2 },
        { name: 'shared', test: sharedModule, priority: 1 },
      ],
    },
  },
};
