// How `reviews show` tells usage from the audit log: a word for the queue, lines for one item.
import { rulesYaml, type UsageSummary, unusedText, usageSpan } from '../../reviews/index.js';

/** The queue's USAGE column. */
export function usageWord(usage: UsageSummary): string {
  if (usage.kind === 'unknown') return 'unknown';
  if (usage.revokeCandidate) return `revoke candidate (unused ${usageSpan(usage.window)})`;
  return usage.unusedRules?.length ? `${usage.unusedRules.length} rule(s) unused` : 'used';
}

/** One item's usage: the window, last use, the unused rules and the smaller role as Role rules. */
export function usageLines(usage: UsageSummary): string[] {
  if (usage.kind === 'unknown') return [`usage      unknown${usage.why ? `: ${usage.why}` : ''}`];
  const head = `usage      ${usage.window.from} to ${usage.window.to}: ${usage.lastUsedAt ? `last used ${usage.lastUsedAt}, ${usage.requests} requests` : 'never used'}${usage.revokeCandidate ? ` (${unusedText(usage.window)}: revoke candidate)` : ''}`;
  return [
    head,
    ...(usage.unusedRules ?? []).map((rule) => `  unused   ${rule}`),
    ...(usage.smallerRole
      ? [
          'smaller role covering what was used:',
          ...rulesYaml(usage.smallerRole)
            .split('\n')
            .map((line) => `  ${line}`),
        ]
      : []),
  ];
}
