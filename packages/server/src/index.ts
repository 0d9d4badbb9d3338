export { loadConfig, parseDuration, DEFAULT_PORT, type PavedConfig, type ProcessRole, type ConfigOverrides } from './config.js';
export { startPaved, PAVED_VERSION, type RunningPaved, type StartOptions } from './runtime/start-paved.js';
export { parseTargets } from './runtime/targets.js';
export { buildApp, type AppDeps } from './api/index.js';
