import { connect, createServer } from 'node:net';
import { DriverError } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { isTargetUnreachable, TARGET_UNREACHABLE, targetUnreachable } from './unreachable.js';

/** A loopback port nothing listens on: one the system just handed out and we closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The error a real refused connection gives. */
async function refused(port: number): Promise<Error> {
  return new Promise((resolve) => connect({ host: '127.0.0.1', port }).on('error', resolve));
}

describe('isTargetUnreachable', () => {
  it('finds a network error code anywhere in the causes, also inside an AggregateError', async () => {
    const port = await closedPort();
    const error = await refused(port);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(isTargetUnreachable(error)).toBe(true);
    expect(isTargetUnreachable(new DriverError('postgres: create failed', { cause: error }))).toBe(true);
    // What a refused fetch() throws: "fetch failed", caused by one error per address tried.
    const fetchError = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(isTargetUnreachable(fetchError)).toBe(true);
    expect(isTargetUnreachable(new TypeError('fetch failed', { cause: new AggregateError([error]) }))).toBe(true);
    expect(isTargetUnreachable(Object.assign(new Error('getaddrinfo ENOTFOUND db.invalid'), { code: 'ENOTFOUND' }))).toBe(true);
  });

  it('is true for a DriverError marked by its driver, and false for the request\'s own failures', () => {
    expect(targetUnreachable('redis: Connection is closed.').code).toBe(TARGET_UNREACHABLE);
    expect(isTargetUnreachable(targetUnreachable('redis: Connection is closed.'))).toBe(true);
    expect(isTargetUnreachable(new DriverError('permission denied to create role', { retryable: false, code: 'permission_denied' }))).toBe(false);
    expect(isTargetUnreachable(Object.assign(new Error('password authentication failed'), { code: '28P01' }))).toBe(false);
    expect(isTargetUnreachable(new Error('did not finish within 10 s'))).toBe(false);
    expect(isTargetUnreachable(undefined)).toBe(false);
    const loop: Error & { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    expect(isTargetUnreachable(loop)).toBe(false);
  });
});
