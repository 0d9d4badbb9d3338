// Named, not `export *`: the CLI's bundle keeps errors.js a module of its own (@paved/model/errors,
// packages/cli/rolldown.config.mjs), and a star re-export of it made the bundler keep every
// export of the model in one object, so each command loaded all of it.
export {
  errorCatalogue, PavedError, InputError, UnauthenticatedError, NotAllowedError, NotFoundError, ConflictError, QuotaError,
  DriverError, UnavailableError, InternalError, isPavedError, toPavedError,
  type ErrorKind, type ErrorCatalogueEntry, type FieldIssue, type PavedErrorOptions,
} from './errors.js';
export * from './names.js';
export * from './ids.js';
export * from './types.js';
export * from './conditions.js';
export * from './manifest.js';
export * from './api.js';
export * from './catalog.js';
export * from './templates.js';
export * from './score/index.js';
export * from './composition.js';
export * from './audit.js';
export * from './audit-verify.js';
export * from './measures.js';
export * from './delivery.js';
export * from './repository-url.js';
export * from './targets.js';
export * from './versions/index.js';
export * from './rollouts.js';
export * from './policies/index.js';
