export { main, buildProgram, USAGE_EXIT_CODE } from './program.js';
export { processIo, type Io, type OutStream, type SignalName } from './io.js';
export { cliConfigPath, readCliConfig, writeCliConfig, type CliConfig } from './config-file.js';
export { exitCodeFor, formatError } from './exit-codes.js';
export { parseSetValues, parseSetValue, mergeInputs } from './set-values.js';
export { credentialVariables, defaultPrefix, dotenvQuote, shellQuote, formatEnv, type EnvFormat } from './env-format.js';
export { resolveTeam } from './team-resolution.js';
