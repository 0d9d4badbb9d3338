export { buildApp, DEFAULT_BODY_LIMIT, type AppDeps } from './app.js';
export { problemParts, toProblem, validationIssues, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE } from './problems.js';
export { bearerAuth, principalOf } from './auth.js';
export { isLoggerInstance, loggerOptions } from './logging.js';
