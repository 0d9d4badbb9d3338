export type * from './types.js';
export { createStore, isPostgresUrl } from './create-store.js';
export { LOG_BATCH_MAX_LINES, LOG_LINE_MAX_BYTES } from './repos/logs.js';
export { WEEK_MS, weekStartOf } from './repos/measures.js';
export { NEVER_DUE } from './repos/instances.js';
export { newApprovalId } from './repos/approvals.js';
export { isUnchangedRead } from './unchanged-reads.js';
export { isoAt } from './iso-time.js';
