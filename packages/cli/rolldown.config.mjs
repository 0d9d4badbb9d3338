// The CLI's bundle (dist/bundle/run.js, see src/main.ts for why and when it is used): the CLI,
// @paved/model, @paved/client and their libraries in one module. What a command loads with
// import() stays a separate chunk, loaded only by that command; the server side (paved up,
// @paved/platform and what it reaches) is not bundled.
export default {
  input: { run: 'dist/run.js' },
  platform: 'node',
  external: [/^@paved\/(?!model$|client$)/, /^node:/],
  logLevel: 'warn',
  output: { dir: 'dist/bundle', format: 'esm', cleanDir: true, chunkFileNames: '[name]-[hash].js', sourcemap: false },
};
