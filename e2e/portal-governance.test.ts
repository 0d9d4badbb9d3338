/**
 * What governance adds to the web portal, end to end: the built Paved (`paved up`, the machine's
 * PostgreSQL as target) and real Chromium. A product page shows versions with their changelog,
 * a deprecation with its date and reason, the roadmap and the users' requests (vote, ask); the
 * request form's preview says what each policy decides before submitting; a request a policy
 * holds shows who may approve, another user approves it in the Approvals page and it becomes
 * Ready; My team warns about deprecated instances with the upgrade command and shows holds; the
 * Rollouts page shows a rollout's waves and the instance it skipped; an instance's page tells
 * its history. Keyboard and phone width too. Every wait is on the page's state, never a sleep.
 *
 * `npm run screenshots` runs this file too and writes the governance pages to docs/screenshots/.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type PavedClient } from '@paved/client';
import { pavedOk, requireMachinePostgres, signUpMember, startPavedOnMachinePostgres, tempDir, type ServerProcess } from './harness.js';
import { focusIsVisible, horizontalOverflow, launchChromium, requireChromium, screenshot, signIn, tabTo, type Browser } from './portal/browser.js';

const suffix = Math.random().toString(16).slice(2, 8);
const TEAM = `apps-${suffix}`;
const APPROVERS = `guard-${suffix}`;
const PRODUCT = `vault-${suffix}`;
const PHONE = { width: 390, height: 844 };
const READY_BOUND_MS = 90_000; // a bound on a hang, not a speed target
/** A year from now, as the deprecation's last day (new instances stay allowed meanwhile). */
const DEPRECATION_DATE = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

/**
 * Moves within the portal to `path` as a link would (a page load would forget the session: the
 * token lives only in the page's memory). wouter follows history's popstate.
 */
async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    history.pushState(null, '', to);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}

/** A generated-secret product (no outside service) in two versions, each with its changelog; plan large needs approval. */
function manifest(version: string, changelog: string) {
  return {
    apiVersion: 'paved.dev/v1alpha1',
    kind: 'Product',
    metadata: { name: PRODUCT, title: 'Team vault', owner: 'platform', lifecycle: 'ga', tags: ['secret'] },
    spec: {
      version, changelog,
      description: 'A generated secret for a team.',
      driver: 'secret',
      inputs: { type: 'object', properties: {}, additionalProperties: false },
      plans: {
        small: { default: true, description: 'One value.', values: {}, quota: { perTeam: 10 } },
        large: { description: 'One value, watched more closely.', values: {}, quota: { perTeam: 2 } },
      },
      outputs: { value: { description: 'The value', secret: true } },
    },
  };
}

const POLICY = {
  apiVersion: 'paved.dev/v1alpha1',
  kind: 'Policy',
  metadata: { name: `large-vault-${suffix}`, owner: 'platform' },
  spec: {
    version: '1.0.0',
    action: 'requireApproval',
    approvers: APPROVERS,
    match: { products: [PRODUCT], plans: ['large'], operations: ['create'] },
    validations: [{ expression: 'false', message: 'large vaults are approved by the guard team' }],
  },
};

const NO_TMP = {
  apiVersion: 'paved.dev/v1alpha1',
  kind: 'Policy',
  metadata: { name: `no-tmp-${suffix}`, owner: 'platform' },
  spec: {
    version: '1.0.0',
    match: { products: [PRODUCT] },
    validations: [{ expression: '!request.name.startsWith("tmp-")', message: 'vaults are named after what they keep, not tmp-…' }],
  },
};

describe('governance in the web portal, in Chromium', () => {
  let available = false;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let admin: PavedClient;
  let aliceToken = '';
  let bobToken = '';
  const dir = tempDir('e2e-portal-gov');
  const adminEnv = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const pageErrors: string[] = [];
  let alice: Page;

  beforeAll(async () => {
    if (!requireChromium() || !(await requireMachinePostgres())) return;
    server = await startPavedOnMachinePostgres(dir, adminEnv);
    available = true;
    const adminToken = (JSON.parse(readFileSync(adminEnv.PAVED_CLI_CONFIG, 'utf8')) as { token: string }).token;
    admin = createClient({ url: server.url, token: adminToken });
    await pavedOk(['teams', 'create', TEAM], adminEnv);
    await pavedOk(['teams', 'create', APPROVERS], adminEnv);
    aliceToken = (await signUpMember({ admin: adminEnv, team: TEAM, user: `alice-${suffix}`, url: server.url })).token;
    bobToken = (await signUpMember({ admin: adminEnv, team: APPROVERS, user: `bob-${suffix}`, url: server.url })).token;
    await admin.publishProduct(manifest('1.0.0', 'First release.') as never);
    // Two instances on the old version, before it is deprecated: one to warn about, one to hold.
    await admin.createInstance(TEAM, { name: 'old-keys', product: PRODUCT, version: '1.0.0' });
    await admin.createInstance(TEAM, { name: 'frozen-keys', product: PRODUCT, version: '1.0.0' });
    await admin.publishProduct(manifest('1.1.0', 'Rotates the value without downtime.') as never);
    await admin.deprecateProduct(PRODUCT, { date: DEPRECATION_DATE, reason: 'Version 1.0.0 cannot rotate its value.' }, '1.0.0');
    await admin.addRoadmapItem(PRODUCT, { title: 'Values shared between two teams', status: 'planned', targetVersion: '1.2.0' });
    await admin.addRoadmapItem(PRODUCT, { title: 'Audit export', status: 'in-progress' });
    await admin.addRoadmapItem(PRODUCT, { title: 'Rotation', status: 'shipped', targetVersion: '1.1.0' });
    await admin.addProductRequest(PRODUCT, 'Longer values');
    await admin.applyPolicy(POLICY);
    await admin.applyPolicy(NO_TMP);
    browser = await launchChromium(server.url);
    browser.context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
    alice = await browser.page();
    await signIn(alice, server.url, aliceToken);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (available) {
      for (const name of ['old-keys', 'frozen-keys', 'big-keys']) await admin.deleteInstance(TEAM, name).catch(() => undefined);
    }
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('shows the versions with their changelog, the deprecation with its date and reason, the roadmap; a user votes and asks', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alice;
    await go(page, `/products/${PRODUCT}`);
    await page.getByRole('heading', { level: 1, name: 'Team vault' }).waitFor();
    const versions = page.getByRole('list', { name: 'Versions, newest first' });
    await versions.waitFor();
    expect(await page.getByTestId('version-1.1.0').textContent()).toContain('Rotates the value without downtime.');
    const old = await page.getByTestId('version-1.0.0').textContent();
    expect(old).toContain('First release.');
    expect(old).toContain('deprecated');
    expect(old).toContain(`until ${DEPRECATION_DATE}`);
    expect(old).toContain('Version 1.0.0 cannot rotate its value.');
    expect(await page.getByTestId('version-1.1.0').textContent()).not.toContain('deprecated');
    expect(await page.getByTestId('roadmap-planned').textContent()).toContain('Values shared between two teams');
    expect(await page.getByTestId('roadmap-planned').textContent()).toContain('in v1.2.0');
    expect(await page.getByTestId('roadmap-in-progress').textContent()).toContain('Audit export');
    expect(await page.getByTestId('roadmap-shipped').textContent()).toContain('Rotation');

    // Vote by keyboard alone: the button is reachable and shows its focus.
    const requests = page.getByRole('list', { name: 'Requests, most votes first' });
    expect(await requests.textContent()).toContain('Longer values');
    expect(await requests.getByLabel('0 votes').count()).toBe(1);
    await page.getByRole('heading', { name: 'Requests from users' }).scrollIntoViewIfNeeded();
    await tabTo(page, /Vote for Longer values/);
    expect(await focusIsVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'You voted for “Longer values”.' }).waitFor();
    await requests.getByLabel('1 vote', { exact: true }).waitFor();

    await page.getByLabel('Ask for something').fill('A value per environment');
    await page.getByRole('button', { name: 'Add request' }).click();
    await requests.getByText('A value per environment').waitFor();
    expect((await admin.listProductRequests(PRODUCT)).items.map((r) => r.text)).toContain('A value per environment');
    await screenshot(page, 'product-governance');
  }, 90_000);

  it('previews the policy decisions in words; a held request names its approvers, another user approves it, and it becomes Ready', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alice;
    await go(page, `/products/${PRODUCT}/request`);
    await page.getByRole('heading', { level: 1, name: 'Request Team vault' }).waitFor();
    await page.getByLabel('Team').selectOption(TEAM);
    await page.getByLabel('Instance name').fill('big-keys');
    const outcome = page.getByTestId('preview-outcome');
    await outcome.filter({ hasText: 'Allowed.' }).waitFor();
    const preview = page.getByTestId('policy-preview');
    expect(await preview.textContent()).toMatch(/Quota of plan small of vault-\w+: your team has 2 of 10; this adds 1 — within the quota/);
    await page.getByRole('radio', { name: /large/ }).check();
    await outcome.filter({ hasText: 'Needs approval.' }).waitFor();
    expect(await preview.textContent()).toContain(`Policy large-vault-${suffix} (v1.0.0) asks for approval: large vaults are approved by the guard team`);
    await screenshot(page, 'request-policies');
    await page.getByRole('button', { name: 'Request' }).click();
    await page.waitForURL(`**/requests/${TEAM}/big-keys`);
    await page.getByTestId('status').filter({ hasText: 'AwaitingApproval' }).waitFor();
    const approval = page.getByTestId('approval');
    await approval.filter({ hasText: `team ${APPROVERS}` }).waitFor();
    expect(await approval.textContent()).toContain(`Waiting for approval by an owner or member of team ${APPROVERS}`);

    // The requester cannot decide their own request.
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { level: 1, name: 'Approvals' }).waitFor();
    await page.getByText('You asked for this one').waitFor();

    // Bob, of the approving team, approves it in his own session.
    const bob = await browser!.page();
    await signIn(bob, server!.url, bobToken);
    await bob.getByRole('link', { name: 'Approvals' }).click();
    const card = bob.getByRole('listitem').filter({ has: bob.getByRole('link', { name: `${TEAM}/big-keys` }) });
    await card.waitFor();
    expect(await card.textContent()).toContain(`Asked by alice-${suffix}`);
    await screenshot(bob, 'approvals');
    await card.getByLabel('Reason (needed to deny)').fill('fine for the launch');
    await card.getByRole('button', { name: `Approve ${TEAM}/big-keys` }).click();
    await bob.getByRole('table').getByRole('row').filter({ hasText: 'big-keys' }).filter({ hasText: 'Approved' }).waitFor();
    await bob.close();

    // Alice's page follows the instance to Ready over the event stream, and its history tells the story.
    await go(page, `/requests/${TEAM}/big-keys`);
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: READY_BOUND_MS });
    const history = page.getByRole('list', { name: 'What happened, oldest first' });
    await history.filter({ hasText: `by bob-${suffix}` }).waitFor();
    const text = await history.textContent();
    expect(text).toContain(`approved by bob-${suffix}`);
    expect(text).toContain(`requested version 1.1.0 plan large by alice-${suffix} via portal`);
    expect(text).toContain(`Policy large-vault-${suffix} (v1.0.0) asks for approval`);
    await screenshot(page, 'instance-history');
  }, 150_000);

  it('a preview that a policy denies says the policy’s message, and so does the refusal', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alice;
    await go(page, `/products/${PRODUCT}/request`);
    await page.getByLabel('Team').selectOption(TEAM);
    await page.getByLabel('Instance name').fill('tmp-keys');
    await page.getByTestId('preview-outcome').filter({ hasText: 'Refused.' }).waitFor();
    expect(await page.getByTestId('policy-preview').textContent()).toContain(`Policy no-tmp-${suffix} (v1.0.0) refuses it: vaults are named after what they keep, not tmp-…`);
    await page.getByRole('button', { name: 'Request' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('vaults are named after what they keep');
    await page.getByLabel('Instance name').fill('team-keys');
    await page.getByTestId('preview-outcome').filter({ hasText: 'Allowed.' }).waitFor();
  }, 90_000);

  it('My team warns about a deprecated instance with the upgrade command; a hold shows on the instance and in the rollout', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alice;
    await page.getByRole('link', { name: 'My team' }).click();
    await page.getByLabel('Team').selectOption(TEAM);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'old-keys' }) });
    await row.getByTestId('deprecation').waitFor();
    const warning = await row.getByTestId('deprecation').textContent();
    expect(warning).toContain(`Version 1.0.0 is deprecated until ${DEPRECATION_DATE}`);
    expect(warning).toMatch(/Move to version 1\.1\.0 with paved upgrade old-keys/);

    // Alice holds frozen-keys from its page.
    await page.getByRole('link', { name: 'frozen-keys' }).click();
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: READY_BOUND_MS });
    await page.getByTestId('deprecation').waitFor();
    await page.getByLabel('Reason to hold it on its version').fill('quarter-end freeze');
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    // The history records who held it (the reason goes to the rollouts that meet it).
    await page.getByTestId('held').filter({ hasText: `held by alice-${suffix}` }).waitFor();

    // The platform moves the fleet; the Rollouts page shows it finish and the held instance skipped.
    await admin.startRollout(PRODUCT, { to: '1.1.0', canaryPercent: 50, soakSeconds: 0 });
    await page.getByRole('link', { name: 'Rollouts' }).click();
    const rollout = page.getByTestId(`rollout-${PRODUCT}`);
    await rollout.filter({ hasText: 'Completed' }).waitFor({ timeout: READY_BOUND_MS });
    const held = rollout.getByRole('list', { name: `Held, skipped or failed in the rollout of ${PRODUCT}` });
    expect(await held.textContent()).toMatch(new RegExp(`held\\s*${TEAM}/frozen-keys.*quarter-end freeze`));
    expect(await rollout.getByRole('table').textContent()).toContain('Canary');
    await screenshot(page, 'rollouts');

    await page.getByRole('link', { name: 'My team' }).click();
    const frozen = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'frozen-keys' }) });
    await frozen.getByText('Held.').waitFor();
    // The hold as the instance carries it: who and why, for as long as it stands.
    expect(await frozen.textContent()).toMatch(new RegExp(`held by alice-${suffix}: quarter-end freeze`));
    // old-keys moved to 1.1.0: no longer deprecated.
    await page.getByRole('row').filter({ has: page.getByRole('link', { name: 'old-keys' }) }).filter({ hasText: 'v1.1.0' }).waitFor();
    await screenshot(page, 'team-governance');
  }, 150_000);

  it('fits a phone: product, approvals and rollouts pages do not scroll sideways', async (ctx) => {
    if (!available) return ctx.skip();
    const page = await browser!.page(PHONE);
    await signIn(page, server!.url, aliceToken);
    for (const [path, ready] of [[`/products/${PRODUCT}`, 'Roadmap'], ['/approvals', 'Decided'], ['/rollouts', `${PRODUCT} to v1.1.0`], [`/requests/${TEAM}/big-keys`, 'History']] as const) {
      await go(page, path);
      await page.getByRole('heading', { name: ready }).first().waitFor();
      expect(await horizontalOverflow(page), path).toEqual([]);
    }
    await page.close();
  }, 120_000);

  it('raised no script error on any page', (ctx) => {
    if (!available) return ctx.skip();
    expect(pageErrors).toEqual([]);
  });
});
