// The portal's budget: what a first visit downloads, and how soon the product catalog is usable.
//
//   npm run build && node bench/portal-budget.mjs [--products 1000] [--instances 10000] [--runs 15]
//
// 1. Bytes (from the Vite build, packages/portal/dist): the JavaScript a first visit loads (the
//    entry chunk and what it imports statically, as Vite's manifest lists them, cross-checked
//    with what Chromium actually fetched opening /products), and all of the portal's JavaScript,
//    each gzipped at level 9. Budget: first visit ≤ 150 kB, everything ≤ 300 kB (1 kB = 1000 B).
// 2. Time (real Chromium, Debian's package, through playwright-core): from navigating to
//    /products in a fresh browser profile, through signing in with a token, to the catalog
//    listing every product and answering a search, with `--products` products and `--instances`
//    instances in the store (`paved up`, SQLite). The baseline, measured in the same run and
//    interleaved, is the same navigation against a fresh Paved with only its built-in products.
//    Budget: ≤ 1 s with 1,000 products and 10,000 instances.
// Prints one JSON line on stdout and a summary on stderr; exits 1 when a budget is exceeded.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { createClient } from '@paved/client';
import { arg, median, percentile, round, startPaved, tempFolder } from './lib.mjs';

const DIST = fileURLToPath(new URL('../packages/portal/dist/', import.meta.url));
const products = Number(arg('products', '1000'));
const instances = Number(arg('instances', '10000'));
const runs = Number(arg('runs', '15'));
const BUDGET = { firstVisitKb: 150, totalKb: 300, catalogMs: 1000 };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (bytes) => round(bytes / 1000, 1);

// --- 1. Bytes -------------------------------------------------------------------------------
function bundleFigures() {
  const manifest = JSON.parse(readFileSync(join(DIST, '.vite/manifest.json'), 'utf8'));
  const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry);
  const initial = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || initial.has(chunk.file)) return;
    initial.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entry[0]);
  const sizeOf = (file) => gz(readFileSync(join(DIST, file)));
  const all = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.js')).map((f) => `assets/${f}`);
  const css = readdirSync(join(DIST, 'assets')).filter((f) => f.endsWith('.css')).map((f) => `assets/${f}`);
  const chunks = Object.fromEntries(all.map((f) => [f.replace(/^assets\//, '').replace(/-[\w-]{8}\.js$/, ''), kb(sizeOf(f))]));
  return {
    firstVisitJsGzKb: kb([...initial].reduce((sum, f) => sum + sizeOf(f), 0)),
    totalJsGzKb: kb(all.reduce((sum, f) => sum + sizeOf(f), 0)),
    totalCssGzKb: kb(css.reduce((sum, f) => sum + sizeOf(f), 0)),
    chunksGzKb: chunks,
  };
}

// --- 2. Time --------------------------------------------------------------------------------
function manifestFor(i) {
  const name = `bench-product-${String(i).padStart(4, '0')}`;
  return {
    apiVersion: 'paved.dev/v1alpha1',
    kind: 'Product',
    metadata: { name, title: `Benchmark product ${i} with a longer title than most`, owner: 'platform', lifecycle: ['ga', 'beta', 'experimental'][i % 3], tags: [`group-${i % 25}`, `kind-${i % 7}`] },
    spec: {
      version: '1.0.0',
      description: `Generated product number ${i}: one random value, for the catalog benchmark. It says a little more, as real descriptions do.`,
      driver: 'secret',
      inputs: { type: 'object', properties: {}, additionalProperties: false },
      plans: { default: { default: true, description: 'One value.', values: {}, quota: { perTeam: 100000 } } },
      outputs: { value: { secret: true } },
    },
  };
}

/** Runs `count` calls of `fn(i)`, `width` at a time. */
async function pool(count, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await fn(next++);
  }));
}

async function seed(paved) {
  const client = createClient({ url: paved.url, token: paved.token });
  await pool(products, 8, (i) => client.publishProduct(manifestFor(i)));
  const teams = 20;
  for (let t = 0; t < teams; t++) await client.createTeam({ name: `bench-team-${t}` });
  await pool(instances, 16, (i) => client.createInstance(`bench-team-${i % teams}`, { name: `i-${i}`, product: manifestFor(i % products).metadata.name }));
  // Let the engine finish provisioning, so its work does not share the CPU with the measurement.
  for (let t = 0; t < teams; t++) {
    for (;;) {
      const page = await client.listInstances(`bench-team-${t}`, { limit: 100 });
      if (page.items.every((i) => i.status.phase === 'Ready')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const last = `bench-team-${(instances - 1) % teams}`;
  for (;;) {
    const instance = await client.getInstance(last, `i-${instances - 1}`);
    if (instance.status.phase === 'Ready') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return (await client.listProducts()).items.length;
}

/**
 * Marks, in page time (ms since the navigation started), when the sign-in form appears, when it
 * is submitted, when the catalog lists every product, when the search box is typed in and when
 * the list answers. Installed before the page's own scripts; the portal carries no bench code.
 */
const MARKS = `
  window.__marks = {};
  const seen = (k) => { if (!(k in window.__marks)) window.__marks[k] = performance.now(); };
  new MutationObserver(() => {
    if (document.getElementById('token')) seen('form');
    const count = document.querySelector('[data-testid=catalog-count]');
    if (count && /^\\d+ products$/.test(count.textContent)) seen('listed');
    if (count && /^1 of /.test(count.textContent)) seen('searched');
  }).observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener('submit', () => seen('submit'), true);
  document.addEventListener('input', (e) => { if (e.target.type === 'search') seen('typed'); }, true);
`;

/**
 * One navigation in a fresh profile to /products, signing in and searching. Returns the page's
 * own time to usable (navigation → sign-in form, submit → every product listed, keystroke →
 * search answered: what the portal and the server spend, without the person's typing or the
 * automation's round trips) and the wall-clock time of the whole, automation included.
 */
async function catalogUsable(paved, expected, search) {
  const profile = tempFolder('paved-bench-chromium-');
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  await context.addInitScript(MARKS);
  const page = await context.newPage();
  const scripts = [];
  page.on('response', (r) => { if (r.request().resourceType() === 'script') scripts.push(r.url()); });
  try {
    const start = performance.now();
    await page.goto(`${paved.url}/products`);
    await page.getByLabel('API token').fill(paved.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`${expected} products`, { exact: true }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Search').fill(search);
    await page.getByText(new RegExp(`^1 of ${expected} products$`)).waitFor({ timeout: 60_000 });
    const wallMs = performance.now() - start;
    const m = await page.evaluate(() => window.__marks);
    const ms = m.form + (m.listed - m.submit) + (m.searched - m.typed);
    return { ms, wallMs, parts: { form: m.form, signInToList: m.listed - m.submit, search: m.searched - m.typed }, scripts };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const bytes = bundleFigures();
const big = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off', PAVED_RATE_LIMIT: '10000000' });
const base = await startPaved({ PAVED_EMBEDDED_POSTGRES: 'off', PAVED_RATE_LIMIT: '10000000' });
try {
  const seedStart = performance.now();
  const bigCount = await seed(big);
  const seedSeconds = round((performance.now() - seedStart) / 1000, 1);
  const baseCount = (await createClient({ url: base.url, token: base.token }).listProducts()).items.length;
  const lastName = manifestFor(products - 1).metadata.name;
  // Warm-up (Chromium's first start reads its files from disk), then interleaved rounds.
  const first = await catalogUsable(big, bigCount, lastName);
  await catalogUsable(base, baseCount, 'Generated secret');
  const times = { catalog: [], baseline: [] };
  const wall = { catalog: [], baseline: [] };
  const parts = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['catalog', 'baseline'] : ['baseline', 'catalog'];
    for (const side of order) {
      const run = side === 'catalog' ? await catalogUsable(big, bigCount, lastName) : await catalogUsable(base, baseCount, 'Generated secret');
      times[side].push(run.ms);
      wall[side].push(run.wallMs);
      if (side === 'catalog') parts.push(run.parts);
    }
  }
  // What Chromium fetched on that first visit, measured the same way as the build's figures.
  const fetchedGz = first.scripts.map((url) => gz(readFileSync(join(DIST, new URL(url).pathname)))).reduce((a, b) => a + b, 0);
  const stats = (values) => ({ medianMs: round(median(values), 0), p95Ms: round(percentile(values, 95), 0) });
  const result = {
    benchmark: 'portal-budget',
    ...bytes,
    firstVisitFetchedJsGzKb: kb(fetchedGz),
    store: { products: bigCount, instances, seedSeconds },
    runs,
    catalog: {
      ...stats(times.catalog),
      parts: Object.fromEntries(['form', 'signInToList', 'search'].map((k) => [`${k}MedianMs`, round(median(parts.map((p) => p[k])), 0)])),
      wallClockWithAutomation: stats(wall.catalog),
    },
    baseline: { products: baseCount, instances: 0, ...stats(times.baseline), wallClockWithAutomation: stats(wall.baseline) },
    ratio: round(median(times.catalog) / median(times.baseline), 2),
    budget: BUDGET,
  };
  result.withinBudget = result.firstVisitJsGzKb <= BUDGET.firstVisitKb && result.firstVisitFetchedJsGzKb <= BUDGET.firstVisitKb
    && result.totalJsGzKb <= BUDGET.totalKb && result.catalog.medianMs <= BUDGET.catalogMs;
  console.log(JSON.stringify(result));
  console.error(`portal: first visit ${result.firstVisitJsGzKb} kB gz JS (fetched ${result.firstVisitFetchedJsGzKb}), all ${result.totalJsGzKb} kB; `
    + `catalog usable ${result.catalog.medianMs} ms median (p95 ${result.catalog.p95Ms}) with ${bigCount} products and ${instances} instances `
    + `vs ${result.baseline.medianMs} ms with ${baseCount}: x${result.ratio}; ${result.withinBudget ? 'within' : 'OVER'} budget`);
  process.exitCode = result.withinBudget ? 0 : 1;
} finally {
  await big.stop();
  await base.stop();
}
