/** Reading fields of hostile JSON: every check names the field and why it was refused. */

// Longer values are not Kubernetes names (at most 253) nor plausible usernames or ARNs.
export const maxField = 1024;
const maxGroups = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
export const controlCharacters = /[\u0000-\u001f\u007f]/;

const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A line that is not what it claims; its message is the reason shown to the user. */
export class Malformed extends Error {}

export function record(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Malformed(`${where} is not an object`);
  return value as Record<string, unknown>;
}

export function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Malformed(`${where} is not a string`);
  if (value.length > maxField) throw new Malformed(`${where} is longer than ${maxField} characters`);
  if (controlCharacters.test(value)) throw new Malformed(`${where} holds control characters`);
  return value;
}

export function optionalText(value: unknown, where: string): string {
  return value == null ? '' : text(value, where);
}

export function list(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new Malformed(`${where} is not a list`);
  if (value.length > maxGroups) throw new Malformed(`${where} has more than ${maxGroups} entries`);
  return value.map((entry, index) => text(entry, `${where}[${index}]`));
}

export function timestamp(value: unknown): number {
  if (typeof value !== 'string' || value.length > 64) throw new Malformed('the event has no timestamp');
  const at = Date.parse(value);
  // Outside years 1970–9999 an ISO string no longer sorts as text does, and no audit log is from there.
  if (Number.isNaN(at) || at < 0 || at > latest) throw new Malformed('the event timestamp is not a date');
  return at;
}
