import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@paved/store';
import { DriverError } from '@paved/model';
import { createColors } from './colors.js';
import { Context } from './context.js';
import { formatError } from './exit-codes.js';
import { formatFields, formatTable } from './output.js';
import { createProgress } from './progress.js';
import { printable } from './terminal-text.js';
import { captureIo, cliSandbox, seedShop, startTestApi } from './test-support.js';

/**
 * What a member writes reaches other people's terminals: log lines shipped to a service's
 * stream (its team's viewers read them), a help request (the product's team lists it). A
 * control sequence in it must be shown, never obeyed: here one sets the reader's clipboard
 * (OSC 52) and one erases the line before it (CSI 2K after a carriage return).
 */
const clipboard = '\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07';
const erase = '\r\x1b[1A\x1b[2K';
const hostile = `disk full${clipboard}${erase}all good`;
/** Anything a terminal obeys, but colours (SGR) and tabs. */
const OBEYED = /\x1b(?!\[[0-9;:]*m)|[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

let store: Store;
let app: FastifyInstance;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
let url: string;
let devToken: string;

beforeAll(async () => {
  sandbox = await cliSandbox();
  const api = await startTestApi(sandbox.dir);
  ({ store, app, url } = api);
  const seeded = await seedShop(store);
  devToken = seeded.devToken;
  await store.createService({ teamId: seeded.shop.id, name: 'web', description: 'The shop', lifecycle: 'experimental' });
  await sandbox.run(['login', '--url', url, '--token', '-'], { stdin: `${api.adminToken}\n` });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

/** A request with the member's token, as any script of theirs could send. */
async function asDev(method: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${devToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

describe('text from other people on the terminal', () => {
  it('paved logs shows a shipped line\'s control sequences escaped; json keeps the line as shipped', async () => {
    await asDev('POST', '/teams/shop/services/web/environments/dev/logs', { lines: [{ stream: 'stdout', line: hostile }] });
    const shown = await sandbox.run(['logs', 'web', '--env', 'dev', '--team', 'shop']);
    expect(shown.code, shown.stderr).toBe(0);
    const line = shown.stdout.trimEnd();
    expect(line).not.toMatch(OBEYED);
    expect(line).toContain('disk full\\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\u0007\\u000d\\u001b[1A\\u001b[2Kall good');
    const json = await sandbox.run(['logs', 'web', '--env', 'dev', '--team', 'shop', '-o', 'json']);
    expect((JSON.parse(json.stdout) as { line: string }[])[0]!.line).toBe(hostile);
  });

  it('a table shows a help request\'s control sequences escaped to the product\'s team', async () => {
    await asDev('POST', '/teams/shop/instances/db/help', { message: hostile });
    const listed = await sandbox.run(['metrics', 'help-requests', 'postgres']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.replaceAll('\n', '')).not.toMatch(OBEYED); // the table's own line breaks aside
    expect(listed.stdout).toContain('disk full\\u001b]52;c;');
  });

  it('every human rendering, stderr message, wait\'s status line and error is printable only; json is left as it is', () => {
    const io = captureIo({});
    new Context(io, { output: 'table' }).print({ message: hostile }, () => `message: ${hostile}\nnext\n`);
    expect(io.out.join('')).toBe('message: disk full\\u001b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\\u0007\\u000d\\u001b[1A\\u001b[2Kall good\nnext\n');
    new Context(io, { output: 'json' }).print({ message: hostile }, () => '');
    expect(JSON.parse(io.out.at(-1)!)).toEqual({ message: hostile });
    new Context(io, { output: 'json' }).err(`warning: db is deprecated: ${hostile}\n`);
    createProgress(io).update(`db: Failed · AutomationFailed — ${hostile}`);
    expect(io.errs.join('').replaceAll('\n', '')).not.toMatch(OBEYED); // their own line breaks aside
    expect(io.errs.join('')).toContain('deprecated: disk full\\u001b]52;');
    const failed = formatError(new DriverError(`db failed: ${hostile}`, { code: 'AutomationFailed', issues: [{ path: 'status.lastError', message: hostile }] }), createColors(false));
    expect(failed.replaceAll('\n', '')).not.toMatch(OBEYED);
  });

  it('keeps colours, tabs and a table cell\'s line breaks', () => {
    const colors = createColors(true);
    expect(printable(`${colors.red('failed')}\tagain`)).toBe(`${colors.red('failed')}\tagain`);
    expect(printable('one\ntwo')).toBe('one\\u000atwo');
    expect(printable('one\ntwo', { newlines: true })).toBe('one\ntwo');
    expect(printable('\x9b2J C1 too')).toBe('\\u009b2J C1 too');
    expect(formatTable(['PHASE', 'MESSAGE'], [[colors.green('Ready'), `ok${clipboard}`]], colors)).toContain(colors.green('Ready'));
    expect(formatTable(['MESSAGE'], [[`ok${clipboard}`]], createColors(false))).not.toMatch(/\x1b/);
    expect(formatFields([['message', `ok${erase}`]], createColors(false))).toBe('message: ok\\u000d\\u001b[1A\\u001b[2K\n');
  });
});
