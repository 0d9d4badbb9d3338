export { createScoreDriver } from './score-driver.js';
export type { ScoreDriverOptions } from './score-driver.js';
