export type * from './types.js';
export { createStore, isPostgresUrl } from './create-store.js';
export { compareSemver, highestSemver } from './semver.js';
