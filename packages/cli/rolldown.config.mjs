// The CLI's bundle (dist/bundle/run.cjs, see src/main.ts for why and when it is used): the CLI,
// @paved/model, @paved/client and their libraries in a few chunks. What a command loads with
// import() stays a separate chunk, loaded only by that command; the server side (paved up,
// @paved/platform and what it reaches) is not bundled: it did not hold less memory bundled
// (bench/README.md §9). CommonJS, not ES modules: src/bundle-loader.ts runs the chunks through
// V8's code cache, which Node 20 has for scripts only.
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

// What most commands need: @paved/client, the CLI's context, output, errors and waiting, and
// cli-table3. Other helpers and @paved/model's modules go with the commands that use them, and
// what a command loads with import() (the Backstage catalog, OIDC sign-in, prompts, YAML) stays
// apart: `paved get` parsed 200 KB more with every helper in this chunk.
const SHARED = /packages[\\/]client[\\/]dist[\\/]|cli[\\/]dist[\\/](context|config-file|output|lazy-yaml|exit-codes|team-resolution|duration|wait|feedback-prompt|set-values|progress)\.js$|node_modules[\\/](cli-table3|string-width|strip-ansi|ansi-regex|is-fullwidth-code-point|emoji-regex|@colors)[\\/]/;

// commander loads node:child_process (≈ 3 ms) for subcommands that are executables of their own,
// which paved has none of: loaded when one would be spawned instead.
const commanderSpawnsLazily = {
  name: 'paved-commander-spawns-lazily',
  transform(code, id) {
    if (!/node_modules[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return null;
    const eager = "const childProcess = require('node:child_process');";
    if (!code.includes(eager)) this.error('commander no longer requires node:child_process as expected: update rolldown.config.mjs');
    return code.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };");
  },
};

// cli-table3 measures every cell with string-width, whose emoji pattern V8 compiles on its first
// use: ≈ 2–4 ms of a `paved get` or `paved list` printing a table of plain text. Printable ASCII is
// one column a character (no escape sequence to strip, no emoji: checked over every such string
// of up to three characters and random longer ones), so such text is measured by its length.
const stringWidthAsciiFirst = {
  name: 'paved-string-width-ascii-first',
  transform(code, id) {
    if (!/node_modules[\\/]string-width[\\/]index\.js$/.test(id)) return null;
    const strip = '\tstring = stripAnsi(string);\n';
    if (!code.includes(strip)) this.error('string-width no longer strips ANSI codes as expected: update rolldown.config.mjs');
    return code.replace(strip, `\tif (/^[\\x20-\\x7e]*$/.test(string)) {\n\t\treturn string.length;\n\t}\n\n${strip}`);
  },
};

export default {
  // `run`, the CLI; `loader` and `model-errors`, for bin/paved.cjs, which runs the bundle without
  // Node's ES module loader: the bundle's loader, and @paved/model's errors as CommonJS for the
  // commands that do not load the platform (bin/paved.cjs says which). Neither shares a module
  // with `run`, so the chunks stay as they were.
  input: { run: 'dist/run-process.js', loader: 'dist/bundle-loader.js', 'model-errors': errorsFile },
  platform: 'node',
  plugins: [modelErrorsShared, commanderSpawnsLazily, stringWidthAsciiFirst],
  external: [/^node:/, /^@paved\/(?!model$|client$)/],
  // @paved/model's modules only define (schemas, parsers, classes): a command that imports one
  // name from the package need not evaluate the rest, which then stay out of its chunks.
  treeshake: { moduleSideEffects: (id) => !/packages[\\/]model[\\/]dist[\\/]/.test(id) },
  logLevel: 'warn',
  output: {
    dir: 'dist/bundle', format: 'cjs', cleanDir: true, entryFileNames: '[name].cjs', chunkFileNames: '[name]-[hash].cjs', sourcemap: false,
    // Non-ASCII characters escaped: V8 keeps a script's source for the life of the process, and
    // one non-ASCII character (the root chunk had one, a "…") makes it two bytes a character.
    charset: 'ascii',
    // `import('@paved/platform')` (paved up) as a require: Node's require loads an ES module
    // (Node ≥ 20.19), and an import() in a script compiled by hand needs a flag (bundle-loader.ts).
    dynamicImportInCjs: false,
    // `paved --help` loads the root chunk only; a command loads it, the shared chunk and its
    // group's (src/command-groups.ts). Left to itself the bundler made ~15 small chunks of the
    // helpers, each a file to read and compile, and `paved get` loaded 14.
    codeSplitting: {
      groups: [
        { name: 'root', test: /node_modules[\\/](commander|picocolors)[\\/]|cli[\\/]dist[\\/](dispatch|root-program|colors|io|output-formats|command-table|command-groups)\.js$/, priority: 2 },
        { name: 'shared', test: SHARED, priority: 1 },
      ],
    },
  },
};
