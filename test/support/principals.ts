import type { Principal } from '../../src/identity/index.js';

/** A person with no platform role: what flows give them is all they may do. */
export function person(subject: string, groups: readonly string[] = []): Principal {
  return { subject, groups, roles: [], authenticatedBy: { kind: 'local' } };
}

/** A responder: may acquire evidence. */
export function responder(subject: string): Principal {
  return { subject, groups: [], roles: ['responder'], authenticatedBy: { kind: 'local' } };
}
