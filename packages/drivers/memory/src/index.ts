export { createMemoryDriver, MEMORY_CHECKS } from './memory-driver.js';
export type { MemoryConnection, MemoryDriver, MemoryDriverOptions, MemoryMethod, MemoryResource } from './memory-driver.js';
