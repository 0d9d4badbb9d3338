export { createLogStreamDriver, logStreamName } from './log-stream-driver.js';
export type { LogStreamDriverOptions } from './log-stream-driver.js';
