import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where screenshots go (gitignored); look at them after a run. */
export const screenshotDir = join(process.cwd(), 'test-results', 'screenshots');

/**
 * Debian's chromium, headless; as root it needs --no-sandbox. `args` adds flags, such as the
 * pinned certificate of the test OpenID Provider (see certificate-pin.ts).
 */
export async function launchBrowser(options: { readonly args?: readonly string[] } = {}): Promise<Browser> {
  return await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', ...(options.args ?? [])],
  });
}

export interface PersonOptions {
  readonly baseURL: string;
  /** Cookies to start with (a test seam's stand-in for a signed-in session). */
  readonly cookies?: Readonly<Record<string, string>>;
  readonly width?: number;
  readonly height?: number;
}

/** A browser context of its own for one person: their cookies never mix with another's. */
export async function personContext(browser: Browser, options: PersonOptions): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
  });
  const cookies = Object.entries(options.cookies ?? {}).map(([name, value]) => ({
    name,
    value,
    url: options.baseURL,
  }));
  if (cookies.length > 0) await context.addCookies(cookies);
  return context;
}

/**
 * Collects what the page logs as errors, Content-Security-Policy refusals among them: a page that
 * tries to run or load something the policy blocks shows up here. A 400 answer is not one: it is
 * how a form comes back with its field errors.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 400 \(Bad Request\)/.test(message.text()))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A full-page PNG in test-results/screenshots/NAME.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let axeSource: string | undefined;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations. axe is evaluated
 * through the DevTools protocol (page.evaluate), which the page's CSP does not govern, so the
 * policy under test stays exactly as served.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(axeSource);
  // A string, evaluated in the page: this project's types have no DOM.
  const violations = (await page.evaluate('window.axe.run().then((result) => result.violations)')) as {
    id: string;
    impact: string | null;
    help: string;
    nodes: { target: string[] }[];
  }[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

/** Fails with every serious or critical accessibility violation on the page, named. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await seriousViolations(page);
  if (violations.length > 0)
    throw new Error(
      `${label}: ${violations.length} serious accessibility violation(s):\n${violations
        .map(
          (violation) =>
            `- ${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(', ')}`,
        )
        .join('\n')}`,
    );
}
