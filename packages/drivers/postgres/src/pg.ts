import { createRequire } from 'node:module';
import type Pg from 'pg';

const require = createRequire(import.meta.url);
let pg: typeof Pg | undefined;

/**
 * pg, loaded when the driver first connects: every Paved loads this driver, one on SQLite that
 * never provisions a database does not need the library (≈ 4 MiB of an idle `paved up`).
 * Synchronous, so connections still open where they did.
 */
export const pgLib = (): typeof Pg => (pg ??= require('pg') as typeof Pg);
