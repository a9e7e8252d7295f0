import { createHash } from 'node:crypto';
import { consoleIcon } from './assets/icon.js';
import { consoleScript } from './assets/script.js';
import { consoleStyles } from './assets/styles.js';

/** One file the console serves from /assets: its body, type, and a URL that changes with its content. */
export interface Asset {
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
}

// The assets live in modules, not files, so the CLI's esbuild bundle carries them.
function asset(name: string, extension: string, contentType: string, body: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `/assets/${name}.${hash}.${extension}`, contentType, body };
}

export const styles = asset('console', 'css', 'text/css; charset=utf-8', consoleStyles);
export const script = asset('console', 'js', 'text/javascript; charset=utf-8', consoleScript);
export const icon = asset('icon', 'svg', 'image/svg+xml', consoleIcon);

/** Every asset by its URL; the hash in the URL lets browsers keep them for a year. */
export const assetsByUrl: ReadonlyMap<string, Asset> = new Map(
  [styles, script, icon].map((item) => [item.url, item]),
);
