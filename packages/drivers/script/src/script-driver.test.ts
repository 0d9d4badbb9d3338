/**
 * The driver against small real scripts written to temp files: what a platform team's
 * wrapper can do wrong (fail, hang, print garbage, leak a secret) and what the driver does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriverError } from '@paved/model';
import { createScriptDriver } from './index.js';
import { context, isAlive, scriptTarget, tempFolder, thrown, waitUntil, writeScript } from './test-support.js';

const folder = tempFolder('unit');
const dir = folder.dir;
afterAll(() => folder.cleanup());

describe('a script that works', () => {
  let script: string;
  beforeAll(() => {
    // Records what it was given (stdin, argv, environment) and answers per verb.
    script = writeScript(
      dir,
      'ok.sh',
      `cat > "${dir}/stdin-$1.json"
tr '\\0' '\\n' < /proc/$$/cmdline > "${dir}/cmdline-$1.txt"
tr '\\0' '\\n' < /proc/$$/environ > "${dir}/environ-$1.txt"
case "$1" in
  observe) echo '{"exists": true, "outputs": {"name": "b1", "port": 9000}}' ;;
  create|update) echo '{"outputs": {"name": "b1", "port": 9000, "password": "from-script"}}' ;;
  delete) ;;
esac`,
    );
  });

  it('sends the instance and secrets on stdin and returns the outputs it printed', async () => {
    const driver = createScriptDriver();
    const base = context(scriptTarget(script, { env: { CLOUD_TOKEN: 'token-value-1234' }, root: '/srv/buckets' }), { values: { quotaMb: 5 } });
    // Taken by a workload, the instance names its service and environment; the script gets both.
    const ctx = { ...base, instance: { ...base.instance, workload: { service: 'shop', environment: 'prod' } } };
    const result = await driver.create(ctx);
    expect(result.outputs).toEqual({ name: 'b1', port: '9000', password: 'from-script' });
    const request = JSON.parse(readFileSync(join(dir, 'stdin-create.json'), 'utf8'));
    expect(request).toEqual({
      apiVersion: 'paved.dev/v1alpha1',
      verb: 'create',
      instance: { ...ctx.instance, rotation: 0, workload: { service: 'shop', environment: 'prod' } },
      secrets: ctx.secrets,
      // The driver's own keys (executable, env with its credentials) stay out of the request.
      target: { name: 'test-script', labels: { kind: 'test' }, config: { root: '/srv/buckets' } },
    });
  });

  it('passes the verb as the only argument: secrets are never in argv or the environment', async () => {
    process.env.PAVED_TEST_LEAK = 'paved-internal-setting';
    const driver = createScriptDriver();
    delete process.env.PAVED_TEST_LEAK;
    const ctx = context(scriptTarget(script, { env: { CLOUD_TOKEN: 'token-value-1234' } }));
    await driver.update(ctx);
    const cmdline = readFileSync(join(dir, 'cmdline-update.txt'), 'utf8').trim().split('\n');
    expect(cmdline).toEqual(['/bin/sh', script, 'update']);
    const environ = readFileSync(join(dir, 'environ-update.txt'), 'utf8');
    expect(environ).toContain('CLOUD_TOKEN=token-value-1234');
    expect(environ).toContain('PATH=');
    // Paved's own environment (master key, database URLs) does not reach scripts.
    expect(environ).not.toContain('PAVED_TEST_LEAK');
    for (const secret of Object.values(ctx.secrets)) {
      expect(cmdline.join(' ')).not.toContain(secret);
      expect(environ).not.toContain(secret);
    }
  });

  it('reads observe results, filling upToDate and diff, and drops outputs that carry a secret', async () => {
    const driver = createScriptDriver();
    expect(await driver.observe(context(scriptTarget(script)))).toEqual({ exists: true, upToDate: true, diff: [], outputs: { name: 'b1', port: '9000' } });
    const leaky = writeScript(dir, 'leaky-observe.sh', `read -r line; pw=$(echo "$line" | sed 's/.*"password":"\\([0-9a-f]*\\)".*/\\1/'); echo "{\\"exists\\": true, \\"outputs\\": {\\"url\\": \\"s3://u:$pw@h\\", \\"name\\": \\"b\\"}}"`);
    const observation = await driver.observe(context(scriptTarget(leaky)));
    expect(observation.outputs).toEqual({ name: 'b' });
  });

  it('runs the single deletion step, to which empty output is fine', async () => {
    const driver = createScriptDriver();
    expect(driver.deletion.map((step) => step.name)).toEqual(['run-delete']);
    const ctx = context(scriptTarget(script));
    await driver.deletion[0]!.run(ctx);
    expect(JSON.parse(readFileSync(join(dir, 'stdin-delete.json'), 'utf8')).verb).toBe('delete');
  });

  it('offers a generated password by default and takes other secret specs', () => {
    expect(createScriptDriver().secrets).toEqual({ password: { bytes: 24 } });
    expect(createScriptDriver({ secrets: { apiKey: { bytes: 32 } } }).secrets).toEqual({ apiKey: { bytes: 32 } });
  });
});

describe('a script that fails', () => {
  it('surfaces the exit code and the last stderr lines, secrets masked, as a retryable error', async () => {
    const driver = createScriptDriver();
    const ctx = context(scriptTarget(writeScript(dir, 'fail.sh', `read -r line
for i in $(seq 1 30); do echo "progress line $i" >&2; done
echo "$line" | sed 's/.*"password":"\\([0-9a-f]*\\)".*/Error: login with \\1 refused/' >&2
echo "Error: bucket quota exceeded" >&2
exit 1`)));
    const error = await thrown(() => driver.create(ctx));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^script create exited with code 1: /);
    expect(error.message).toContain('Error: bucket quota exceeded');
    expect(error.message).toContain('Error: login with *** refused');
    expect(error.message).toContain('progress line 30');
    expect(error.message).not.toContain('progress line 11 '); // only the last 20 lines
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain(ctx.secrets.password);
  });

  it('treats exit code 2 as permanent (retrying cannot help)', async () => {
    const driver = createScriptDriver();
    const error = await thrown(() => driver.create(context(scriptTarget(writeScript(dir, 'bad-input.sh', 'echo "quotaMb must be at most 100" >&2; exit 2')))));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('script create exited with code 2: quotaMb must be at most 100');
  });

  it('bounds a huge stderr to a few KB, keeping its end', async () => {
    const driver = createScriptDriver();
    const ctx = context(scriptTarget(writeScript(dir, 'noisy.sh', `head -c 200000 /dev/zero | tr '\\0' 'x' >&2; echo >&2; echo "the end" >&2; exit 3`)));
    const error = await thrown(() => driver.create(ctx));
    expect(error.message.length).toBeLessThan(4300);
    expect(error.message).toMatch(/the end$/);
  });

  it('names the verb and shows the start of stdout, masked, when the output is not JSON', async () => {
    const driver = createScriptDriver();
    const ctx = context(scriptTarget(writeScript(dir, 'chatty.sh', `read -r line
echo "Applying plan..."
echo "$line"`)));
    const error = await thrown(() => driver.create(ctx));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^script create printed invalid JSON on stdout \(logs belong on stderr\): Applying plan\.\.\. \{"apiVersion"/);
    expect(error.message).not.toContain(ctx.secrets.password);
    expect(error.message.length).toBeLessThan(320);
  });

  it('refuses a result without outputs, and stops a script that floods stdout', async () => {
    const driver = createScriptDriver();
    const empty = await thrown(() => driver.create(context(scriptTarget(writeScript(dir, 'silent.sh', 'exit 0')))));
    expect(empty.message).toBe('script create printed an invalid result: expected an object like {"outputs": {...}}');
    const flood = await thrown(() => driver.create(context(scriptTarget(writeScript(dir, 'flood.sh', 'head -c 100000 /dev/zero | tr "\\0" "y"'), { maxOutputBytes: 4096 }))));
    expect(flood.message).toMatch(/printed more than 4096 bytes on stdout/);
  });

  it('kills the whole process group on timeout, SIGKILL for what ignores SIGTERM', async () => {
    const driver = createScriptDriver({ killGraceMs: 300 });
    // The script ignores SIGTERM and leaves a child behind, as a stuck `terraform apply` would.
    const script = writeScript(dir, 'hang.sh', `trap '' TERM
echo $$ > "${dir}/hang.pid"
sleep 300 &
echo $! > "${dir}/hang-child.pid"
wait`);
    const started = Date.now();
    const error = await thrown(() => driver.create(context(scriptTarget(script, { timeout: '500ms' }))));
    expect(error).toBeInstanceOf(DriverError);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('script create timed out after 500ms (nothing on stderr)');
    expect(Date.now() - started).toBeLessThan(5_000);
    const pid = Number(readFileSync(join(dir, 'hang.pid'), 'utf8'));
    const child = Number(readFileSync(join(dir, 'hang-child.pid'), 'utf8'));
    expect(isAlive(pid)).toBe(false);
    await waitUntil('the script child to die', () => !isAlive(child));
  });

  it('kills the script when the context signal aborts, and rethrows the reason', async () => {
    const driver = createScriptDriver({ killGraceMs: 300 });
    const script = writeScript(dir, 'slow.sh', `echo $$ > "${dir}/slow.pid"; sleep 300 & wait`);
    const controller = new AbortController();
    const reason = new Error('lease lost');
    const pending = driver.create(context(scriptTarget(script), { signal: controller.signal }));
    await waitUntil('the script to start', () => existsSync(join(dir, 'slow.pid')) && readFileSync(join(dir, 'slow.pid'), 'utf8').trim() !== '');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(isAlive(Number(readFileSync(join(dir, 'slow.pid'), 'utf8')))).toBe(false);
  });

  it('does not start the script at all when the signal is already aborted', async () => {
    const driver = createScriptDriver();
    const marker = join(dir, 'never-ran');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(driver.create(context(scriptTarget(writeScript(dir, 'marker.sh', `touch "${marker}"`)), { signal: controller.signal }))).rejects.toThrow('stop');
    expect(existsSync(marker)).toBe(false);
  });

  it('says a missing executable cannot run, without retrying', async () => {
    const driver = createScriptDriver();
    const error = await thrown(() => driver.create(context(scriptTarget(join(dir, 'missing.sh')))));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/could not start .*missing\.sh: ENOENT/);
  });
});

describe('target config and preflight', () => {
  it('reports every invalid setting at once with its path', async () => {
    const driver = createScriptDriver();
    const error = await thrown(() => driver.create(context({ name: 'bad', driver: 'script', labels: {}, config: { executable: 'relative.sh', timeout: 'soon', env: { 'BAD-NAME': 'x' }, maxOutputBytes: 3 } })));
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).issues.map((issue) => issue.path)).toEqual(['config.executable', 'config.timeout', 'config.env.BAD-NAME', 'config.maxOutputBytes']);
  });

  it('passes a runnable script and says how to fix one that is not', async () => {
    const driver = createScriptDriver();
    const good = writeScript(dir, 'good.sh', 'exit 0');
    expect(await driver.preflight(scriptTarget(good))).toMatchObject({ ok: true, problems: [] });
    const notExecutable = writeScript(dir, 'noexec.sh', 'exit 0');
    const { chmodSync } = await import('node:fs');
    chmodSync(notExecutable, 0o666);
    const result = await driver.preflight(scriptTarget(notExecutable, { cwd: join(dir, 'nowhere') }));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      `${notExecutable} is not executable by Paved's user; run: chmod +x ${notExecutable}`,
      `${notExecutable} is writable by group or others; run: chmod go-w ${notExecutable}`, `${join(dir, 'nowhere')} does not exist; create it or fix config.cwd`]);
    expect((await driver.preflight(scriptTarget(join(dir, 'absent.sh')))).problems[0]).toMatch(/does not exist/);
    expect((await driver.preflight({ name: 'x', driver: 'script', labels: {}, config: {} })).problems[0]).toMatch(/^config\.executable is required/);
  });
});

describe('contract checks', () => {
  it('fails a check the script does not implement, and reports a failed one on one line', async () => {
    const driver = createScriptDriver();
    const script = writeScript(dir, 'checks.sh', `cat > /dev/null; echo "bucket b1 refused key" >&2; exit 1`);
    const connect = driver.checks!.find((check) => check.name === 'connect')!;
    const instance = context(scriptTarget(script)).instance;
    const outputs = { name: 'b1', password: 'p'.repeat(32) };
    const signal = new AbortController().signal;
    await expect(connect.run({ target: scriptTarget(script), instance, outputs, signal })).rejects.toThrow(/check "connect" is not implemented by the script of target "test-script"/);
    await expect(connect.run({ target: scriptTarget(script, { checks: ['connect'] }), instance, outputs, signal })).rejects.toThrow(
      'check "connect" did not hold: script check exited with code 1: bucket b1 refused key',
    );
    expect(driver.checks!.map((check) => check.name)).toEqual(['connect', 'write-read', 'isolation']);
  });
});
