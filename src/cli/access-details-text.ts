import type { AccessDetails, AccessStep } from '../access/index.js';
import { sanitize } from './output.js';

/**
 * The "how to use it" section under `access show`: the same steps the console shows, as text.
 * Every line is stripped of control characters, since names come from flows and clusters.
 */
export function accessDetailsText(details: AccessDetails): string {
  if (details.status === 'not-active') return `\n${sanitize(details.message)}\n`;
  const heading = `How to use it (${details.mode} mode, ${details.access} of ${details.cluster}, until ${details.expiresAt}):`;
  const lines = [heading, ...details.steps.flatMap(stepLines)];
  return `\n${lines.map(sanitize).join('\n')}\n`;
}

function stepLines(step: AccessStep, index: number): string[] {
  const first = `  ${index + 1}. ${step.text}`;
  switch (step.kind) {
    case 'note':
      return [first];
    case 'download-credential':
      return [first, `       $ ${step.command}`];
    case 'commands':
      return [first, ...step.commands.map((command) => `       $ ${command}`)];
    case 'file':
      return [
        first,
        `       (${step.path})`,
        ...step.content
          .trimEnd()
          .split('\n')
          .map((line) => `       ${line}`),
      ];
    default: {
      const unknown: never = step;
      return unknown;
    }
  }
}
