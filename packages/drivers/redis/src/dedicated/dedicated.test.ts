import { existsSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { REDIS_SERVER } from '../test-support.js';
import { dedicatedConformance, dedicatedTarget } from './test-support.js';

const skip = existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} is not installed`;
const target = dedicatedTarget();
afterAll(() => rmSync(target.dataDir, { recursive: true, force: true }));

runDriverConformance({ ...dedicatedConformance('redis (dedicated server per instance)', () => target), ...(skip ? { skip } : {}) });
