/** Under Node (`#default-request`'s "node" condition): node:http, see node-request.ts. */
export { nodeRequest as defaultRequest } from './node-request.js';
