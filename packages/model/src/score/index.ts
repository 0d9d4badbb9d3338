export * from './types.js';
export { describeProblem, scoreError, type ScoreProblem } from './score-errors.js';
export { validateScoreDocument } from './validate-score.js';
export { parseScoreText, type ParsedScore } from './parse-score.js';
export { checkPlaceholders, parseTemplate, renderVariables, type ResourceOutputs, type TemplatePart } from './placeholders.js';
export { sharedInstanceName, workloadInstanceName } from './instance-names.js';
