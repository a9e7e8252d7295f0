import { createHash } from 'node:crypto';

const safeCharacter = /[A-Za-z0-9._+@=,-]/;
const maxComponent = 120;

/**
 * Where a container path is stored inside a package: every component is percent-encoded down to
 * a safe alphabet, `.`/`..`/empty components are encoded too, and long components are shortened
 * with a hash. The result can never climb out of the package, name a device, or hide in a dotfile
 * trick, whatever the container sent.
 *
 * @example
 * containedPath('/etc/../../x') // 'etc/%2E%2E/%2E%2E/x'
 */
export function containedPath(containerPath: string): string {
  const components = containerPath
    .split('/')
    .filter((component, index, all) => !(component === '' && (index === 0 || index === all.length - 1)));
  if (components.length === 0) return '%2F';
  return components.map(encodeComponent).join('/');
}

function encodeComponent(component: string): string {
  if (component === '' || component === '.' || component === '..') {
    return [...component].map(() => '%2E').join('') || '%00';
  }
  let encoded = '';
  for (const character of component) {
    encoded += safeCharacter.test(character) && character.length === 1 ? character : percent(character);
  }
  if (encoded.length <= maxComponent) return encoded;
  const digest = createHash('sha256').update(component).digest('hex').slice(0, 16);
  return `${encoded.slice(0, maxComponent - 18)}~${digest}`;
}

function percent(character: string): string {
  return [...Buffer.from(character, 'utf8')]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

/** Printable form of hostile text for logs and terminals: control characters escaped, length capped. */
export function printable(text: string, max = 300): string {
  const escaped = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return escaped.slice(1, -1);
}

/**
 * Hostile text kept on one line (control characters, including newlines, escaped as `\uXXXX`)
 * and capped, for log lines that may already quote some of it.
 */
export function oneLine(text: string, max = 300): string {
  const capped = text.length > max ? `${text.slice(0, max)}…` : text;
  return capped.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
