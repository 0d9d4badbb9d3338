export * from './manifest.js';
export * from './context.js';
export { celInput, type CelInput } from './cel.js';
export * from './evaluate.js';
export * from './api.js';
