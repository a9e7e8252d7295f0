import { parseDuration } from '../access/index.js';
import { AppError } from '../errors.js';
import { type DefaultAction, defaultActions, type ItemState, itemStates } from './types.js';

/** An ISO time, or a duration from now (`14d`, `36h`, `90s`). */
export function parseDeadline(text: string, now: Date = new Date()): string {
  if (/^\d+[smhd]$/.test(text.trim()))
    return new Date(now.getTime() + parseDuration(text, '--deadline') * 1000).toISOString();
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new AppError('input.invalid', `deadline "${text.slice(0, 40)}" is neither a time nor a duration`, {
      fix: 'Give an ISO time (2026-12-31T17:00:00Z) or a duration from now (14d, 36h)',
    });
  return new Date(at).toISOString();
}

/** `7d,3d,1d` → seconds before the deadline. */
export function parseReminderOffsets(text: string): number[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => parseDuration(part, '--remind'));
}

export function parseDefaultAction(text: string): DefaultAction {
  const action = defaultActions.find((candidate) => candidate === text);
  if (!action)
    throw new AppError('input.invalid', `"${text}" is not a default action`, {
      fix: `Use one of ${defaultActions.join(', ')}`,
    });
  return action;
}

export function parseItemState(text: string): ItemState {
  const state = itemStates.find((candidate) => candidate === text);
  if (!state)
    throw new AppError('input.invalid', `"${text}" is not an item state`, {
      fix: `Use one of ${itemStates.join(', ')}`,
    });
  return state;
}
