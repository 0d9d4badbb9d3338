/**
 * Guardrails as policy, end to end through the real CLI, server and engine (docs/policies.md):
 * a platform team applies policies with `paved apply` (a syntax error is refused with its line
 * and column), a developer's request is refused naming the policy and what would pass, a dry run
 * shows every decision first, a large bucket in prod waits for approval until the platform team
 * approves it, and `paved history` tells the whole story. SQLite and the script example product:
 * no outside service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, paved, pavedOk, signUpMember, startServer, tempDir, type ServerProcess } from './harness.js';

const PROVISION = fileURLToPath(new URL('../examples/script-product/provision.mjs', import.meta.url));
const EXAMPLE_PRODUCT = fileURLToPath(new URL('../examples/script-product/object-store.yaml', import.meta.url));

const LARGE_ONLY_IN_PROD = `apiVersion: paved.dev/v1alpha1
kind: Policy
metadata: { name: large-only-in-prod, owner: platform }
spec:
  version: 1.0.0
  match: { plans: [large] }
  validations:
    - expression: request.environment == "prod"
      message: plan large is for prod only; choose plan small, or ask for it with --env prod
---
apiVersion: paved.dev/v1alpha1
kind: Policy
metadata: { name: large-needs-approval, owner: platform }
spec:
  version: 1.0.0
  action: requireApproval
  match: { plans: [large], environments: [prod] }
  validations:
    - expression: "false"
      message: large buckets in prod are approved by the platform team
`;

const BROKEN = `apiVersion: paved.dev/v1alpha1
kind: Policy
metadata: { name: broken, owner: platform }
spec:
  version: 1.0.0
  validations:
    - expression: |-
        request.plan == "large" &&
          request.environment ==
      message: never applied
`;

describe('policies through the CLI', () => {
  const dir = tempDir('e2e-policies');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const team = `media-${Math.random().toString(16).slice(2, 8)}`;
  let server: ServerProcess | undefined;
  let dev: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const root = join(dir, 'buckets');
    mkdirSync(root, { mode: 0o700 });
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, [
      'apiVersion: paved.dev/v1alpha1',
      'kind: Target',
      'metadata: { name: local-buckets, labels: { kind: local-files } }',
      'spec:',
      '  driver: script',
      `  config: { executable: ${JSON.stringify(PROVISION)}, timeout: 30s, checks: [connect, write-read, isolation], root: ${JSON.stringify(root)} }`,
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'policies.yaml'), LARGE_ONLY_IN_PROD);
    writeFileSync(join(dir, 'broken.yaml'), BROKEN);
    const port = await freePort();
    server = await startServer(
      ['up'],
      { ...admin, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port), PAVED_TARGETS_FILE: targets, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn' },
      { port },
    );
    await pavedOk(['apply', '-f', EXAMPLE_PRODUCT], admin);
    await pavedOk(['teams', 'create', team], admin);
    ({ env: dev } = await signUpMember({ admin, team, user: `dev-${team}`, url: server.url }));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a policy with a syntax error, naming the expression, line and column; applies valid ones', async () => {
    const broken = await paved(['apply', '-f', join(dir, 'broken.yaml')], admin);
    expect(broken.code, broken.stdout + broken.stderr).toBe(2);
    expect(broken.stderr).toMatch(/spec\.validations\[0\]\.expression:2:\d+/);
    const applied = await pavedOk(['apply', '-f', join(dir, 'policies.yaml')], admin);
    expect(applied).toContain('policy large-only-in-prod@1.0.0 created');
    expect(applied).toContain('policy large-needs-approval@1.0.0 created');
    expect(await pavedOk(['policies'], dev)).toContain('large-needs-approval');
  });

  it('shows every decision in a dry run, and refuses naming the policy and what would pass', async () => {
    const dry = await paved(['create', 'object-store', 'big', '--team', team, '--plan', 'large', '--env', 'dev', '--dry-run'], dev);
    expect(dry.code, dry.stdout + dry.stderr).toBe(4);
    expect(dry.stdout).toContain('would be refused');
    expect(dry.stdout).toContain('policy large-only-in-prod@1.0.0 (deny): plan large is for prod only');
    expect(dry.stdout).toMatch(/quota object-store\/large: 0 used \+ 1 asked, at most 2/);
    const refused = await paved(['create', 'object-store', 'big', '--team', team, '--plan', 'large', '--env', 'dev'], dev);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('policy large-only-in-prod: plan large is for prod only; choose plan small');
    expect(JSON.parse(await pavedOk(['list', '--team', team, '-o', 'json'], dev))).toEqual([]);
  });

  it('holds a large bucket in prod for the platform team, provisions it once approved, and tells its history', async () => {
    const held = await pavedOk(['create', 'object-store', 'big', '--team', team, '--plan', 'large', '--env', 'prod'], dev);
    expect(held).toContain('waits for approval by team platform');
    const shown = JSON.parse(await pavedOk(['get', 'big', '--team', team, '-o', 'json'], dev));
    expect(shown.status).toMatchObject({ phase: 'AwaitingApproval', approval: { state: 'Waiting', approvers: 'platform' } });

    const waiting = JSON.parse(await pavedOk(['approvals', 'list', '--state', 'Waiting', '-o', 'json'], admin)) as { id: string; instance: string }[];
    expect(waiting.map((a) => a.instance)).toEqual(['big']);
    const self = await paved(['approvals', 'approve', waiting[0]!.id], dev);
    expect(self.code).toBe(4); // a developer of the team is no approver
    expect(await pavedOk(['approvals', 'approve', waiting[0]!.id, '--reason', 'capacity checked'], admin)).toContain('Approved');

    const ready = await paved(['reconcile', 'big', '--team', team, '--wait', '--timeout', '60s'], dev);
    expect(ready.code, ready.stdout + ready.stderr).toBe(0);
    const history = JSON.parse(await pavedOk(['history', 'big', '--team', team, '-o', 'json'], dev)) as { entries: { event: string; actor?: string; interface?: string; version?: string; outcome?: string; policies?: { policy: string; result: string }[] }[] };
    const events = history.entries.map((e) => e.event);
    expect(events.slice(0, 3)).toEqual(['instance.requested', 'instance.approval-requested', 'instance.approved']);
    expect(events).toContain('instance.ready');
    expect(history.entries[0]).toMatchObject({ actor: `dev-${team}`, interface: 'cli', version: '1.0.0' });
    expect(history.entries[0]!.policies).toContainEqual(expect.objectContaining({ policy: 'large-needs-approval', result: 'failed' }));
    expect(history.entries.find((e) => e.event === 'instance.ready')?.outcome).toBe('Ready');
    const text = await pavedOk(['history', 'big', '--team', team], dev);
    expect(text).toContain('via cli');
    expect(text).toContain('policy large-needs-approval@1.0.0: failed (requireApproval)');
  }, 120_000);

  it('tells the requester why a request was denied, and a denied request is deleted without ever being provisioned', async () => {
    await pavedOk(['create', 'object-store', 'huge', '--team', team, '--plan', 'large', '--env', 'prod'], dev);
    const waiting = JSON.parse(await pavedOk(['approvals', 'list', '--state', 'Waiting', '-o', 'json'], admin)) as { id: string; instance: string }[];
    const id = waiting.find((a) => a.instance === 'huge')!.id;
    expect(await pavedOk(['approvals', 'deny', id, '--reason', 'one large bucket per team is enough'], admin)).toContain('Denied');
    const denied = JSON.parse(await pavedOk(['get', 'huge', '--team', team, '-o', 'json'], dev));
    expect(denied.status).toMatchObject({ phase: 'Denied', approval: { state: 'Denied', reason: 'one large bucket per team is enough' } });
    const gone = await paved(['delete', 'huge', '--team', team, '--wait', '--timeout', '60s'], dev);
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
  }, 120_000);
});
