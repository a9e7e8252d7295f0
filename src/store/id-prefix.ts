const uuidPrefix = /^[0-9a-f-]{1,36}$/;

/**
 * The LIKE pattern for ids (UUIDs) that start with what a person typed, or undefined when it
 * cannot start one: only hex digits and dashes pass, so no wildcard (`%`, `_`) or empty prefix
 * can match rows the person did not name.
 *
 * @example
 * const pattern = uuidPrefixPattern('3f2a');   // '3f2a%'
 * uuidPrefixPattern('%');                       // undefined
 */
export function uuidPrefixPattern(typed: string): string | undefined {
  const prefix = typed.toLowerCase();
  return uuidPrefix.test(prefix) ? `${prefix}%` : undefined;
}
