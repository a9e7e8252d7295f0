import type { Context } from 'hono';
import { AppError } from '../errors.js';

/** The largest request body the API reads: far above any real request, far below a memory problem. */
export const maxBodyBytes = 64 * 1024;

/** The answer to a body over `maxBodyBytes`: refused before it is read, in the API's error shape. */
export function bodyTooLarge(c: Context): Response {
  return c.json(
    {
      error: {
        code: 'input.invalid',
        message: `the request body is larger than ${maxBodyBytes / 1024} KB`,
        fix: 'Send a smaller body; a reason is at most 2000 characters',
      },
    },
    413,
  );
}

export async function jsonBody(request: { json(): Promise<unknown> }): Promise<Record<string, unknown>> {
  try {
    const body = await request.json();
    if (typeof body === 'object' && body !== null && !Array.isArray(body))
      return body as Record<string, unknown>;
  } catch {
    // Reported below, like a body of the wrong shape.
  }
  throw new AppError('input.invalid', 'the request body must be a JSON object', {
    fix: 'Send Content-Type: application/json with an object body',
  });
}
