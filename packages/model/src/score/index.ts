export * from './types.js';
export { describeProblem, scoreError, type ScoreProblem } from './score-errors.js';
export { validateScoreDocument } from './validate-score.js';
export { parseScoreText, type ParsedScore } from './parse-score.js';
export { checkPlaceholders, parseTemplate, type ResourceOutputs, type TemplatePart } from './placeholders.js';
export { renderFiles, renderTemplate, renderVariables, type RenderedFile, type ResourceValues } from './render.js';
export { containerFiles, containerVolumes, findServicePort, reachablePort, servicePorts, type Mount } from './mounts.js';
export { productForScoreType, scoreTypesServed, type ScoreTypeMatch } from './score-types.js';
export { sharedInstanceName, workloadInstanceName } from './instance-names.js';
