import pino from 'pino';
import type { PavedConfig } from './config.js';

/** The platform's logger; the engine's thread makes its own the same way (same stream, same fields). */
export function createLogger(config: Pick<PavedConfig, 'logLevel'>): pino.Logger {
  // Logs go to stderr so a command's data on stdout stays clean; request logging is off (one
  // line per request drowns `paved up`), warnings and lifecycle events stay.
  return pino(
    {
      level: config.logLevel,
      base: { pid: process.pid },
      redact: ['req.headers.authorization', 'headers.authorization', 'req.headers.cookie', 'headers.cookie', 'req.headers["x-gitlab-token"]', 'req.headers["x-hub-signature-256"]'],
    },
    pino.destination(2),
  );
}
