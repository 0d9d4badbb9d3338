import { createRequire } from 'node:module';
import type Mysql from 'mysql2/promise';

const require = createRequire(import.meta.url);
let mysql: typeof Mysql | undefined;

/**
 * mysql2, loaded when the first MySQL connection is made: every Paved loads this driver, most
 * never reach a MySQL target, and the library held 9 MiB of an idle `paved up`
 * (bench/footprint.mjs). Synchronous, so pools still open where they did.
 */
export const mysql2 = (): typeof Mysql => (mysql ??= require('mysql2/promise') as typeof Mysql);
