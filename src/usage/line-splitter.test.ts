import { describe, expect, it } from 'vitest';
import { type Line, LineSplitter } from './line-splitter.js';

function split(chunks: readonly Buffer[], options = {}): { lines: Line[]; splitter: LineSplitter } {
  const splitter = new LineSplitter(options);
  const lines: Line[] = [];
  for (const chunk of chunks) splitter.push(chunk, (line) => lines.push(line));
  return { lines, splitter };
}

describe('cutting a byte stream into lines', () => {
  const text = 'first ünïcødé line\r\nsecond 🚀\n\nfourth\n';
  const bytes = Buffer.from(text);

  it('gives the same lines, numbers and end offsets wherever the chunks are cut, even inside a character', () => {
    const whole = split([bytes]).lines;
    expect(whole.map((line) => (line.kind === 'line' ? line.text : '?'))).toEqual([
      'first ünïcødé line',
      'second 🚀',
      '',
      'fourth',
    ]);
    expect(whole.map((line) => line.end)).toEqual([
      Buffer.byteLength('first ünïcødé line\r\n'),
      Buffer.byteLength('first ünïcødé line\r\nsecond 🚀\n'),
      Buffer.byteLength('first ünïcødé line\r\nsecond 🚀\n\n'),
      bytes.length,
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      for (let second = cut + 1; second < bytes.length; second += 7) {
        const chunks = [bytes.subarray(0, cut), bytes.subarray(cut, second), bytes.subarray(second)];
        expect(split(chunks).lines, `cut at ${cut} and ${second}`).toEqual(whole);
      }
    }
  });

  it('continues offsets and line numbers from where a resumed read starts', () => {
    const { lines } = split([Buffer.from('a\nb\n')], { offset: 100, linesBefore: 7 });
    expect(lines).toEqual([
      { kind: 'line', text: 'a', number: 8, end: 102 },
      { kind: 'line', text: 'b', number: 9, end: 104 },
    ]);
  });

  it('drops a line longer than the limit without holding it, and goes on with the next', () => {
    const long = Buffer.alloc(5000, 'x');
    const { lines } = split([Buffer.from('ok\n'), long, long, Buffer.from('x\nafter\n')], {
      maxLineBytes: 4096,
    });
    expect(lines).toEqual([
      { kind: 'line', text: 'ok', number: 1, end: 3 },
      { kind: 'overlong', number: 2, end: 3 + 10_002 },
      { kind: 'line', text: 'after', number: 3, end: 3 + 10_002 + 6 },
    ]);
  });

  it('hands back a last line without a newline instead of consuming it', () => {
    const { lines, splitter } = split([Buffer.from('one\ntw'), Buffer.from('o')]);
    expect(lines).toHaveLength(1);
    expect(splitter.rest()).toEqual({ text: 'two', number: 2, end: 7 });
    expect(split([Buffer.from('one\n')]).splitter.rest()).toBeUndefined();
  });
});
