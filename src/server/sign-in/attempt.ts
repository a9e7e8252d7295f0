import { AppError } from '../../errors.js';
import { isCliChallenge, type PendingSignIn } from '../../identity/index.js';

/** Where the person goes once signed in: back to a console page, or the CLI waiting on loopback. */
export type SignInTarget =
  | { readonly kind: 'page'; readonly next: string }
  | { readonly kind: 'cli'; readonly port: number; readonly challenge: string; readonly state: string };

/** One sign-in attempt, kept in the browser's HttpOnly cookie between redirect and callback. */
export interface SignInAttempt extends PendingSignIn {
  readonly target: SignInTarget;
}

/**
 * A same-origin path to return to, or `/`: never a scheme, a host (`//evil`, `/\evil`) or a
 * control character, so the sign-in cannot be turned into an open redirect.
 */
export function safeNext(value: string | undefined): string {
  if (!value || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/\p{Cc}/u.test(value)) return '/';
  return value;
}

/** The target a `/auth/login` query names: the CLI's hand-over when `cli_port` is given, else `next`. */
export function targetOf(query: (name: string) => string | undefined): SignInTarget {
  const port = query('cli_port');
  if (port === undefined) return { kind: 'page', next: safeNext(query('next')) };
  const number = Number(port);
  const challenge = query('cli_challenge') ?? '';
  const state = query('cli_state') ?? '';
  if (
    !/^\d+$/.test(port) ||
    number < 1024 ||
    number > 65_535 ||
    !isCliChallenge(challenge) ||
    !/^[\w-]{16,128}$/.test(state)
  )
    throw new AppError('input.invalid', 'this CLI sign-in link is malformed', {
      fix: 'Run `gatehouse login --server URL` again and open the link it prints',
    });
  return { kind: 'cli', port: number, challenge, state };
}

export function encodeAttempt(attempt: SignInAttempt): string {
  return Buffer.from(JSON.stringify(attempt)).toString('base64url');
}

/** The attempt in the cookie, or undefined when it is absent or not one of ours. */
export function decodeAttempt(value: string | undefined): SignInAttempt | undefined {
  if (!value || value.length > 4000) return undefined;
  try {
    const attempt = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as SignInAttempt;
    const strings = [attempt.state, attempt.nonce, attempt.verifier];
    if (!strings.every((item) => typeof item === 'string' && item.length > 0)) return undefined;
    const target = attempt.target;
    if (target?.kind === 'page') return { ...attempt, target: { kind: 'page', next: safeNext(target.next) } };
    if (target?.kind === 'cli')
      return {
        ...attempt,
        target: targetOf((name) =>
          name === 'cli_port'
            ? String(target.port)
            : name === 'cli_challenge'
              ? target.challenge
              : name === 'cli_state'
                ? target.state
                : undefined,
        ),
      };
    return undefined;
  } catch {
    // Not ours (or mangled): the callback then says no sign-in is in progress.
    return undefined;
  }
}
