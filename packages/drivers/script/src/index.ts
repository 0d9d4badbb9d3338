export { createScriptDriver } from './script-driver.js';
export type { ScriptDriverOptions } from './script-driver.js';
export { readTargetConfig, DEFAULT_TIMEOUT, DEFAULT_MAX_OUTPUT_BYTES } from './target-config.js';
export type { ScriptTargetConfig } from './target-config.js';
export { PROTOCOL_VERSION } from './protocol.js';
export type { ScriptRequest, Verb } from './protocol.js';
export { PERMANENT_EXIT_CODE } from './invoke.js';
export { parseDuration } from './duration.js';
export type { Duration } from './duration.js';
