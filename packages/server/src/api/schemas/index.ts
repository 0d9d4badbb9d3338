export * from './common.js';
export * from './identity.js';
export * from './catalog.js';
export * from './instances.js';
export * from './workloads.js';
