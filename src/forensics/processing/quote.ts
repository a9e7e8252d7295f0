/**
 * Evidence quoted from a container is hostile: it may carry terminal escapes, bidirectional
 * overrides that reorder what a reader sees, or megabytes on one line. Every quote goes through
 * here: control, C1 and invisible formatting characters are escaped, the length is bounded.
 */

/** Control, C1, bidirectional and zero-width characters: they act on a terminal or hide text. */
const invisibleRange =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff';
/** Escaped in quotes, flagged in file names. */
export const invisibleCharacters = new RegExp(`[${invisibleRange}]`);
// Backslashes are doubled so an escape we write cannot be confused with the same text sent literally.
const unsafe = new RegExp(`[${invisibleRange}\\\\]`, 'g');

function escapeCharacter(character: string): string {
  switch (character) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

/**
 * A bounded, escaped quote of hostile text. With `around`, the window is centred on that match
 * (so a long minified line is quoted where it matched, not from its start).
 *
 * @example
 * quote('\u001b[2Jrm -rf /', { max: 40 }) // '\\u001b[2Jrm -rf /'
 */
export function quote(text: string, options: { max?: number; around?: { index: number } } = {}): string {
  const max = options.max ?? 200;
  let start = 0;
  if (options.around && text.length > max) start = Math.max(0, options.around.index - Math.floor(max / 4));
  const window = text.slice(start, start + max);
  const head = start > 0 ? '…' : '';
  const tail = start + max < text.length ? '…' : '';
  return `${head}${window.replace(unsafe, escapeCharacter)}${tail}`;
}
