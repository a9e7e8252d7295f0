import { AppError, messageOf } from '../errors.js';

// Each print is a whole chromium, and any reviewer may ask for many at once: prints take turns,
// and past a few in line a print is refused rather than queued (each waiting one holds its evidence).
let printing: Promise<unknown> = Promise.resolve();
let inLine = 0;
export const maxPrintsInLine = 4;

/**
 * Prints HTML to PDF with chromium (headless, as root without its sandbox), the browser the tests
 * use, one print at a time. playwright-core is loaded only here, so nothing else pays for it.
 */
export async function printPdf(
  html: string,
  options: { readonly executablePath?: string } = {},
): Promise<Uint8Array> {
  if (inLine >= maxPrintsInLine)
    throw new AppError('conflict', `${inLine} reports are already being printed or waiting to be`, {
      fix: 'Try again in a minute',
    });
  inLine += 1;
  const turn = printing.then(() => printOne(html, options));
  printing = turn.catch(() => undefined);
  try {
    return await turn;
  } finally {
    inLine -= 1;
  }
}

async function printOne(html: string, options: { readonly executablePath?: string }): Promise<Uint8Array> {
  const executablePath = options.executablePath ?? process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
  const { chromium } = await import('playwright-core');
  const browser = await chromium
    .launch({ executablePath, args: ['--no-sandbox'] })
    .catch((error: unknown) => {
      throw new AppError(
        'input.invalid',
        `chromium could not start from ${executablePath}: ${messageOf(error)}`,
        {
          fix: 'Install chromium (apt-get install chromium) or set GATEHOUSE_CHROMIUM to its path',
          cause: error,
        },
      );
    });
  try {
    // The report has no script and loads nothing: run none and block every request it might make anyway.
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
    });
  } finally {
    await browser.close();
  }
}
