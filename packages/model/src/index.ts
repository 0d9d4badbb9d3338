export * from './errors.js';
export * from './names.js';
export * from './types.js';
export * from './manifest.js';
export * from './api.js';
