import { describe, expect, it } from 'vitest';
import { type TimelineEvent, toTimelineCsv } from './triage.js';

const event = (message: string, source = 'files.logs'): TimelineEvent => ({
  datetime: '2026-12-01T08:00:00.000Z',
  timestamp_desc: 'Log Entry',
  message,
  source,
});

describe('the timeline as CSV', () => {
  it('keeps a container line that starts like a spreadsheet formula from running as one', () => {
    const csv = toTimelineCsv([
      event('=HYPERLINK("http://evil.example/x","click")'),
      event("+1+cmd|' /C calc'!A0"),
      event('-2+3'),
      event('@SUM(1)'),
      event('\t=1', '=src'),
      event('plain line, with a comma'),
    ]);
    const lines = csv.trimEnd().split('\r\n').slice(1);
    expect(lines.map((line) => line.split(',')[0])).toEqual([
      `"'=HYPERLINK(""http://evil.example/x""`,
      `'+1+cmd|' /C calc'!A0`,
      `'-2+3`,
      `'@SUM(1)`,
      `'\t=1`,
      '"plain line',
    ]);
    expect(lines[4]?.endsWith(",'=src")).toBe(true);
  });
});
