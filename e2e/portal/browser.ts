/**
 * Real Chromium for the portal's tests: Debian's `chromium` package driven by playwright-core
 * (never `playwright install`). Each launch gets a fresh profile folder, removed on close.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../harness.js';

export const CHROMIUM = process.env.PAVED_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Under CI a missing Chromium fails the run; elsewhere the test is skipped with one line saying why. */
export function requireChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is not installed at ${CHROMIUM} (CI=true: failing; scripts/ensure-services.sh installs it)`);
  console.warn(`skipping: Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`);
  return false;
}

export interface Browser {
  context: BrowserContext;
  /** A new tab at the given width and height (CSS pixels). */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh --user-data-dir; clipboard access granted for `origin`. */
export async function launchChromium(origin: string): Promise<Browser> {
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  return {
    context,
    async page(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      // The tab in front has the focus; a background tab draws no focus ring.
      await page.bringToFront();
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Presses Tab until the focused element's accessible text (label, text or aria-label) matches
 * `name`; fails after `max` presses. Proves the element is reachable by keyboard alone.
 */
export async function tabTo(page: Page, name: RegExp, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const text = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || el.tagName === 'MAIN') return '';
      const labelled = (el as HTMLInputElement).labels?.[0]?.textContent ?? '';
      return [el.getAttribute('aria-label') ?? '', labelled, el.textContent ?? '', (el as HTMLInputElement).value ?? ''].join(' ').trim();
    });
    if (name.test(text)) return;
  }
  throw new Error(`no element matching ${name} within ${max} Tab presses`);
}

/** Whether the focused element draws a visible focus indicator (an outline or box shadow). */
export async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const style = getComputedStyle(el);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  });
}

/**
 * What makes the page scroll sideways: the innermost elements wider than the viewport, as
 * `tag.class` (empty when nothing does).
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    const wide = [...document.body.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.scroll'));
    return wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)))
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').slice(0, 40)}"`);
  });
}

/** Where `npm run screenshots` (PAVED_SCREENSHOTS=1) writes the portal's pictures; undefined otherwise. */
const SCREENSHOTS = process.env.PAVED_SCREENSHOTS ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : undefined;

/** Saves the page as docs/screenshots/`name`.png when screenshots are asked for. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Opens the portal and signs in with `token` by typing it, as a person would. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/products`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
}
