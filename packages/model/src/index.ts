export * from './errors.js';
export * from './names.js';
export * from './types.js';
export * from './manifest.js';
export * from './api.js';
export * from './catalog.js';
export * from './templates.js';
export * from './score/index.js';
