import type { HttpRequest } from './http-types.js';

/** Outside Node (the portal's browser build resolves `#default-request` here): the platform's fetch. */
export const defaultRequest: HttpRequest = (url, init) => globalThis.fetch(url, init);
