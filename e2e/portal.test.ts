/**
 * The web portal end to end: the built Paved (`paved up`, the machine's PostgreSQL as target)
 * serves the built portal, and real Chromium (Debian's package, driven by playwright-core) uses
 * it as people do: sign in with a token, find a product, request a database through the form
 * generated from its schema and watch it become Ready over the event stream, reveal and copy its
 * credentials (and connect with them), request by keyboard alone, look at the team, every
 * dashboard with data, the admin page, and the main pages at phone width.
 *
 * `npm run screenshots` runs this file with PAVED_SCREENSHOTS=1 and writes docs/screenshots/.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type PavedClient } from '@paved/client';
import { dropWithPrefix, pavedOk, requireMachinePostgres, signUpMember, startPavedOnMachinePostgres, tempDir, type ServerProcess } from './harness.js';
import { focusIsVisible, launchChromium, horizontalOverflow, requireChromium, screenshot, signIn, tabTo, type Browser } from './portal/browser.js';

const suffix = Math.random().toString(16).slice(2, 8);
const TEAM = `shop-${suffix}`;
/** The longest name Paved allows (40 characters): the layout must wrap it, not overflow. */
const LONG_TEAM = `l${'o'.repeat(30)}ng-${suffix}`;
const LONG_INSTANCE = `a-very-long-instance-name-to-wrap-${suffix}`;
const PREFIXES = [TEAM, LONG_TEAM].map((t) => `pv_${t.replace(/-/g, '_')}_`);
const PHONE = { width: 390, height: 844 };
const READY_BOUND_MS = 90_000; // a bound on a hang, not a speed target

/** A database product with settings, so the request form has fields generated from its JSON Schema. */
const REPORTING_DB = {
  apiVersion: 'paved.dev/v1alpha1',
  kind: 'Product',
  metadata: { name: 'reporting-db', title: 'Reporting database', owner: 'platform', lifecycle: 'beta', tags: ['database', 'reporting'] },
  spec: {
    version: '1.0.0',
    description: 'A PostgreSQL database for **reports**, with a retention setting.',
    support: { channel: '#data' },
    driver: 'postgres',
    inputs: {
      type: 'object',
      properties: {
        retentionDays: { type: 'integer', minimum: 1, maximum: 365, default: 30, title: 'Retention days', description: 'How long reports are kept' },
        purpose: { type: 'string', enum: ['analytics', 'billing'], title: 'Purpose' },
      },
      additionalProperties: false,
    },
    plans: { small: { default: true, description: 'Up to 5 connections.', values: { connectionLimit: 5 }, quota: { perTeam: 3 } } },
    outputs: {
      host: {}, port: {}, database: {}, username: {}, password: { secret: true }, url: { secret: true },
    },
    slo: { timeToReady: { p95: '10s' } },
  },
} as const;

/** Nine weeks of deliveries for one service, relative to today, so every DORA window has data. */
async function recordDeliveries(client: PavedClient, team: string, service: string): Promise<void> {
  const day = 86_400_000;
  const now = Date.now();
  for (let i = 1; i <= 60; i += 3) {
    const finished = new Date(now - i * day);
    const sha = (i * 7919).toString(16).padStart(8, '0').repeat(5);
    await client.recordChange(team, service, {
      id: `pr-${i}`, commitSha: sha, firstCommitAt: new Date(finished.getTime() - (2 + (i % 5)) * 3_600_000).toISOString(),
      mergedAt: new Date(finished.getTime() - 3_600_000).toISOString(), deployment: `d-${i}`,
    });
    await client.recordDeployment(team, service, { id: `d-${i}`, environment: 'production', finishedAt: finished.toISOString(), commitSha: sha });
    if (i % 9 === 1) {
      const created = new Date(finished.getTime() + 600_000);
      await client.recordIncident(team, service, { id: `inc-${i}`, createdAt: created.toISOString(), resolvedAt: new Date(created.getTime() + 5_400_000).toISOString() });
    }
  }
}

describe('the web portal in Chromium', () => {
  let available = false;
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let adminToken = '';
  let aliceToken = '';
  let admin: PavedClient;
  const dir = tempDir('e2e-portal');
  const adminEnv = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  let alicePage: Page;

  beforeAll(async () => {
    if (!requireChromium() || !(await requireMachinePostgres())) return;
    server = await startPavedOnMachinePostgres(dir, adminEnv);
    available = true;
    adminToken = (JSON.parse(readFileSync(adminEnv.PAVED_CLI_CONFIG, 'utf8')) as { token: string }).token;
    admin = createClient({ url: server.url, token: adminToken });
    await pavedOk(['teams', 'create', TEAM], adminEnv);
    await pavedOk(['teams', 'create', LONG_TEAM], adminEnv);
    aliceToken = (await signUpMember({ admin: adminEnv, team: TEAM, user: `alice-${suffix}`, url: server.url })).token;
    await admin.setMembership(LONG_TEAM, `alice-${suffix}`, 'member');
    await admin.createService(TEAM, { name: 'checkout', description: 'Takes the money.' });
    await admin.publishProduct(REPORTING_DB as never);
    await recordDeliveries(admin, TEAM, 'checkout');
    // An instance with the longest name, to see that pages wrap it.
    await admin.createInstance(LONG_TEAM, { name: LONG_INSTANCE, product: 'secret' });
    browser = await launchChromium(server.url);
    // Any script error on any page (a Content-Security-Policy refusal included) fails the last test.
    browser.context.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`)));
    alicePage = await browser.page();
    alicePage.on('console', (m) => consoleLines.push(m.text()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (available) {
      for (const [team, name] of [[TEAM, 'orders-db'], [TEAM, 'reports'], [LONG_TEAM, LONG_INSTANCE]] as const) {
        await admin.deleteInstance(team, name).catch(() => undefined);
      }
    }
    await server?.stop();
    if (available) for (const prefix of PREFIXES) await dropWithPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('signs in with a token that stays out of the URL and storage; a wrong token is refused in words', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alicePage;
    await page.goto(`${server!.url}/products`);
    await page.getByLabel('API token').fill('pvd_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Could not sign in.');
    await signIn(page, server!.url, aliceToken);
    expect(page.url()).not.toContain(aliceToken);
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain(aliceToken);
    expect(stored).toBe('{}{}');
  });

  it('finds a product by search, tag, lifecycle and owner, and shows its page', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alicePage;
    await screenshot(page, 'catalog');
    await page.getByLabel('Search').fill('postgres');
    await page.getByLabel('Tag').selectOption('database');
    await page.getByLabel('Lifecycle').selectOption('ga');
    await page.getByLabel('Owner').selectOption('platform');
    await expect.poll(() => page.getByTestId('catalog-count').textContent()).toMatch(/^\d+ of \d+ products$/);
    const found = await page.getByRole('list', { name: 'Products found' }).getByRole('heading').allTextContents();
    expect(found).toContain('PostgreSQL database');
    expect(found).not.toContain('Redis');
    await page.getByLabel('Tag').selectOption('cache');
    await page.getByText('No product matches these filters.').waitFor();
    await page.getByLabel('Tag').selectOption('database');
    await page.getByRole('link', { name: 'PostgreSQL database' }).click();
    await page.getByRole('heading', { level: 1, name: 'PostgreSQL database' }).waitFor();
    const plans = await page.getByRole('table').first().textContent();
    expect(plans).toContain('small (default)');
    expect(plans).toContain('large');
    expect(await page.locator('.facts').first().textContent()).toContain('#platform');
    await page.getByRole('heading', { name: 'Time to ready' }).waitFor();
    // A developer is not the product's owner: the measures are refused, and the page says so in words.
    await expect.poll(() => page.locator('section', { has: page.getByRole('heading', { name: 'Time to ready' }) }).textContent()).toMatch(/Objective \(p95\)\S*\s*\S+/);
    await screenshot(page, 'product');
    // Feedback from the product page reaches the owner team.
    await page.getByRole('radio', { name: '4' }).check();
    await page.getByLabel('Comment (optional)').fill('Easy to get.');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Thank you').waitFor();
  });

  it('requests a database through the form, follows it to Ready, reveals and copies its credentials', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alicePage;
    await page.getByRole('link', { name: 'Request PostgreSQL database' }).click();
    await page.getByRole('heading', { level: 1, name: 'Request PostgreSQL database' }).waitFor();
    await page.getByLabel('Team').selectOption(TEAM);
    await page.getByLabel('Instance name').fill('Orders DB');
    await page.getByText('Use lowercase letters').waitFor(); // said before sending
    await page.getByLabel('Instance name').fill('orders-db');
    await page.getByRole('radio', { name: /small/ }).check();
    expect(await page.locator('.preview').textContent()).toContain('plan small');
    await page.getByRole('button', { name: 'Request' }).click();
    await page.waitForURL(`**/requests/${TEAM}/orders-db`);
    const status = page.getByTestId('status');
    await status.filter({ hasText: 'Ready' }).waitFor({ timeout: READY_BOUND_MS });
    expect((await status.textContent())!.length).toBeGreaterThan('Ready'.length); // the message in words, not only the phase
    expect(await page.getByRole('list', { name: 'Contract checks' }).textContent()).toContain('connect');
    await screenshot(page, 'request-ready');

    // Hidden until asked; each reveal is audited as the portal's.
    expect(await page.locator('textarea.secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Reveal credentials' }).click();
    const lines = await page.getByLabel('Env lines').inputValue();
    expect(lines).toMatch(/^ORDERS_DB_HOST='/m);
    expect(lines).toMatch(/^ORDERS_DB_PASSWORD='/m);
    await page.getByRole('button', { name: 'Copy env lines' }).click();
    await page.getByText('Copied as env lines.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(lines);

    // The copied credentials work.
    const url = /^ORDERS_DB_URL='(.*)'$/m.exec(lines)![1]!;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const database = /^ORDERS_DB_DATABASE='(.*)'$/m.exec(lines)![1];
    expect((await db.query('SELECT current_database() AS name')).rows[0].name).toBe(database);
    await db.end();

    const audit = await admin.listAudit({ action: 'revealCredentials', actor: `alice-${suffix}` });
    expect(audit.items.some((r) => r.source?.interface === 'portal' && r.target?.instance === 'orders-db')).toBe(true);
    const password = /^ORDERS_DB_PASSWORD='(.*)'$/m.exec(lines)![1]!;
    expect(consoleLines.join('\n')).not.toContain(password);
    expect(consoleLines.join('\n')).not.toContain(aliceToken);
    await page.getByRole('button', { name: 'Hide' }).click();
    expect(await page.locator('textarea.secret').count()).toBe(0);
  }, 150_000);

  it('says in words why a request is refused', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alicePage;
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('link', { name: 'PostgreSQL database' }).click();
    await page.getByRole('link', { name: 'Request PostgreSQL database' }).click();
    await page.getByLabel('Team').selectOption(TEAM);
    await page.getByLabel('Instance name').fill('orders-db'); // taken
    await page.getByRole('button', { name: 'Request' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/The request was refused\. .*orders-db/);
  });

  it('requests with the keyboard alone, with the focus always visible', async (ctx) => {
    if (!available) return ctx.skip();
    const page = await browser!.page();
    await page.goto(`${server!.url}/products`);
    await page.getByLabel('API token').waitFor();
    await tabTo(page, /API token/);
    expect(await focusIsVisible(page)).toBe(true);
    await page.keyboard.type(aliceToken);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await tabTo(page, /^Reporting database$/);
    expect(await focusIsVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Reporting database' }).waitFor();
    await tabTo(page, /^Request Reporting database$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Request Reporting database' }).waitFor();
    await tabTo(page, /^Team/);
    await page.keyboard.type('s'); // a focused list picks the option that starts with what is typed: TEAM, not LONG_TEAM
    await tabTo(page, /^Instance name/);
    await page.keyboard.type('reports');
    // The settings are the form JSON Forms generates from the product's schema, default filled in.
    await tabTo(page, /Retention days/);
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('30');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('400');
    await page.getByText('400 is greater than 365').waitFor(); // the schema's limit, said before sending
    expect(await page.getByRole('button', { name: 'Request' }).isDisabled()).toBe(true);
    await page.keyboard.press('Control+A');
    await page.keyboard.type('90');
    await tabTo(page, /^Purpose/);
    await page.keyboard.press('ArrowDown'); // None → analytics
    await page.keyboard.press('ArrowDown'); // → billing
    // What will be sent, as the preview says it, before sending.
    await page.getByTestId('preview-settings').filter({ hasText: 'Settings: Retention days 90, Purpose billing.' }).waitFor();
    await screenshot(page, 'request');
    await tabTo(page, /^Request$/);
    expect(await focusIsVisible(page)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/requests/${TEAM}/reports`);
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: READY_BOUND_MS });
    await tabTo(page, /^Reveal credentials$/);
    await page.keyboard.press('Enter');
    expect(await page.getByLabel('Env lines').inputValue()).toMatch(/^REPORTS_PASSWORD='/m);
    expect((await admin.getInstance(TEAM, 'reports')).inputs).toEqual({ retentionDays: 90, purpose: 'billing' });
    await page.close();
  }, 150_000);

  it('shows the team: instances by environment, services and their resources, the graph', async (ctx) => {
    if (!available) return ctx.skip();
    const page = alicePage;
    await page.getByRole('link', { name: 'My team' }).click();
    await page.getByLabel('Team').selectOption(TEAM);
    await page.getByRole('link', { name: 'orders-db' }).waitFor();
    const instances = await page.locator('section', { has: page.getByRole('heading', { name: 'Instances by environment' }) }).textContent();
    expect(instances).toContain('Requested directly');
    expect(instances).toMatch(/orders-db.*postgres.*Ready/s);
    // The services and the graph come from their own requests, drawn after the instances: waited for, not counted at once.
    await expect.poll(() => page.getByRole('heading', { name: 'checkout' }).count()).toBe(1);
    const graph = page.getByRole('img', { name: /services, \d+ instances/ });
    await graph.waitFor();
    await expect.poll(() => graph.locator('g.node').count()).toBe(5); // checkout, orders-db, reports, postgres, reporting-db
    await screenshot(page, 'team');
  });

  it('opens every dashboard with data: charts with numbers on hover and as tables', async (ctx) => {
    if (!available) return ctx.skip();
    const page = await browser!.page({ width: 1280, height: 1000 });
    await signIn(page, server!.url, adminToken);
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
    const dora = page.locator('section', { has: page.getByRole('heading', { name: 'DORA', exact: true }) });
    await dora.getByRole('table').first().waitFor();
    expect(await dora.getByRole('table').first().textContent()).toMatch(/Deployment frequency.*deployments on \d+ days.*(elite|high|medium|low)/s);
    await dora.getByLabel('Scope').selectOption(`service:${TEAM}:checkout`);
    await expect.poll(() => dora.textContent()).toContain('1 services');
    // Every chart is drawn: DORA (3), adoption, interventions, feedback.
    await expect.poll(() => page.locator('.chart canvas').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    // The numbers on hover: uPlot's legend shows the values under the pointer.
    const plot = dora.locator('.plot').first();
    await plot.scrollIntoViewIfNeeded();
    const box = (await plot.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await expect.poll(() => plot.locator('.u-legend .u-series').nth(1).locator('.u-value').textContent()).toMatch(/^\d/);
    // And as a table.
    await dora.getByText('The numbers as a table').first().click();
    expect(await dora.locator('details').first().locator('tbody tr').count()).toBe(6);
    const analytics = page.locator('section', { has: page.getByRole('heading', { name: /Product analytics/ }) });
    expect(await analytics.getByRole('row', { name: /^postgres/ }).textContent()).toMatch(/postgres\s*\d+/);
    const feedback = page.locator('section', { has: page.getByRole('heading', { name: 'Feedback scores' }) });
    await feedback.getByLabel('Product').selectOption('postgres');
    await feedback.getByText('Easy to get.').waitFor();
    const interventions = page.locator('section', { has: page.getByRole('heading', { name: /Interventions per team/ }) });
    await interventions.locator('canvas').waitFor();
    const adoption = page.locator('section', { has: page.getByRole('heading', { name: 'Adoption over time' }) });
    expect(await adoption.textContent()).toMatch(/of services use Paved/);
    await screenshot(page, 'dashboards');

    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
    // `local` (the secret driver, in process) is always configured and healthy: the Targets table shows it so.
    await page.getByRole('table', { name: 'Targets' }).locator('tr').filter({ has: page.locator('th', { hasText: /^local(\s|$)/ }) }).filter({ hasText: 'healthy' }).waitFor();
    await page.getByRole('button', { name: TEAM }).click();
    await page.getByText(`alice-${suffix} — member`).waitFor();
    await page.getByLabel('Action').fill('revealCredentials');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('section', { has: page.getByRole('heading', { name: 'Audit log' }) }).textContent()).toContain(`alice-${suffix}`);
    await screenshot(page, 'admin');
    await page.close();
  }, 90_000);

  it('fits a phone: no sideways scrolling, long names wrap', async (ctx) => {
    if (!available) return ctx.skip();
    const page = await browser!.page(PHONE);
    await signIn(page, server!.url, aliceToken);
    expect(await horizontalOverflow(page)).toEqual([]);
    await screenshot(page, 'phone-catalog', false);
    await page.getByRole('link', { name: 'My team' }).click();
    await page.getByLabel('Team').selectOption(LONG_TEAM);
    await page.getByRole('link', { name: LONG_INSTANCE }).waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await page.getByRole('link', { name: LONG_INSTANCE }).click();
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: READY_BOUND_MS });
    expect(await horizontalOverflow(page)).toEqual([]);
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.locator('.chart canvas').first().waitFor();
    expect(await horizontalOverflow(page)).toEqual([]);
    await page.close();
  }, 120_000);

  it('raised no script error on any page', (ctx) => {
    if (!available) return ctx.skip();
    expect(pageErrors).toEqual([]);
  });
});
