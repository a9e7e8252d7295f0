/**
 * A value as one shell word: left bare when it holds only characters no POSIX shell treats
 * specially, else single-quoted with embedded quotes closed and escaped.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
