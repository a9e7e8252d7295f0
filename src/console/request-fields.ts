import { type AccessFlow, minimumCredentialGrantSeconds, parseDuration } from '../access/index.js';
import { type AppError, isAppError } from '../errors.js';

/** The fields of the request form, in the order a person fills them. */
export const requestFieldNames = ['flow', 'cluster', 'namespace', 'role', 'duration', 'reason'] as const;
export type RequestFieldName = (typeof requestFieldNames)[number];

/** What the person typed, kept to show the form again with their values. */
export type RequestFormValues = Partial<Record<RequestFieldName | 'breakGlass', string>>;

/** Problems by field; `form` for those that belong to no one field. */
export type FieldErrors = Partial<Record<RequestFieldName | 'form', string>>;

const presets = ['15m', '30m', '1h', '2h', '4h', '8h', '12h', '1d', '3d', '7d'];

/** The lengths an approver may extend a grant by: common lengths up to the flow's maximum, and the maximum. */
export function durationChoices(flow: AccessFlow): { readonly value: string; readonly seconds: number }[] {
  const minimum = flow.mode === 'credential' ? minimumCredentialGrantSeconds : 1;
  const fits = presets
    .map((value) => ({ value, seconds: parseDuration(value, 'duration') }))
    .filter((choice) => choice.seconds >= minimum && choice.seconds <= flow.maxDurationSeconds);
  if (fits.some((choice) => choice.seconds === flow.maxDurationSeconds)) return fits;
  const maximum = Math.floor(flow.maxDurationSeconds / 60);
  return [...fits, { value: `${maximum}m`, seconds: maximum * 60 }];
}

/**
 * Which field a refusal from the request rules is about, read from its message, so the form can
 * show it beside that field. Anything it cannot place is shown above the form.
 */
export function fieldOf(message: string): RequestFieldName | 'form' {
  if (/may not request access through flow|may not use break-glass|no access flow/.test(message))
    return 'flow';
  if (/cover cluster|on cluster|cluster is longer/.test(message)) return 'cluster';
  if (/does not offer|role is longer|is not a role/.test(message)) return 'role';
  if (/namespace|cluster-wide/.test(message)) return 'namespace';
  if (/duration|min is longer|token shorter/.test(message)) return 'duration';
  if (/justification|reason/.test(message)) return 'reason';
  return 'form';
}

/** An error as the form shows it: the message, then the fix when there is one. */
export function errorText(error: AppError): string {
  // Not capitalised: messages often start with a user name, and names are case-sensitive.
  const sentence = `${error.message}.`;
  // Fixes written for the command line (flags) mean nothing beside a form field.
  return error.fix && !/(^|\s)--?[a-z]/.test(error.fix) ? `${sentence} ${error.fix}.` : sentence;
}

/** Places an input error on its field; anything else (a refusal of the person, a store failure) is thrown on. */
export function placeError(error: unknown): FieldErrors {
  if (isAppError(error) && ['input.invalid', 'auth.forbidden', 'not-found'].includes(error.code))
    return { [fieldOf(error.message)]: errorText(error) };
  throw error;
}

/** Required fields that were left empty, each named beside its field before anything else is checked. */
export function missingFields(values: RequestFormValues): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of ['flow', 'cluster', 'role', 'duration'] as const)
    if (!values[name]) errors[name] = `Choose a ${name}.`;
  return errors;
}
