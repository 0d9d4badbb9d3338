export * from './common.js';
export * from './identity.js';
export * from './catalog.js';
export * from './instances.js';
