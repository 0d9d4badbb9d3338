export { createScoreDriver, RESOLVED, WAITING_FOR } from './score-driver.js';
export type { ScoreDriverOptions } from './score-driver.js';
