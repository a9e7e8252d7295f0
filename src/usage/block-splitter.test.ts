import { describe, expect, it } from 'vitest';
import { type Block, BlockSplitter, type Overlong } from './block-splitter.js';

interface Cut {
  readonly lines: string[];
  readonly numbers: number[];
  readonly ends: number[];
  readonly overlong: Overlong[];
  readonly splitter: BlockSplitter;
}

/** Pushes the chunks and reads the blocks back as lines, with each line's number and end. */
function cut(chunks: readonly Buffer[], options = {}): Cut {
  const splitter = new BlockSplitter(options);
  const result: Cut = { lines: [], numbers: [], ends: [], overlong: [], splitter };
  const take = (block: Block) => {
    const bytes = Buffer.concat(block.parts);
    const lines = bytes.toString('utf8').split('\n').slice(0, -1);
    expect(lines).toHaveLength(block.lines);
    for (const part of block.parts) expect(part.at(-1)).toBe(10);
    let end = block.end - bytes.length;
    lines.forEach((line, index) => {
      end += Buffer.byteLength(line) + 1;
      result.lines.push(line);
      result.numbers.push(block.firstLine + index);
      result.ends.push(end);
    });
  };
  for (const chunk of chunks) {
    const block = splitter.push(chunk, (line) => result.overlong.push(line));
    if (block) take(block);
  }
  return result;
}

describe('cutting a byte stream into blocks of whole lines', () => {
  const text = 'first ünïcødé line\r\nsecond 🚀\n\nfourth\n';
  const bytes = Buffer.from(text);

  it('gives the same lines, numbers and end offsets wherever the chunks are cut, even inside a character', () => {
    const whole = cut([bytes]);
    expect(whole.lines).toEqual(['first ünïcødé line\r', 'second 🚀', '', 'fourth']);
    expect(whole.numbers).toEqual([1, 2, 3, 4]);
    expect(whole.ends.at(-1)).toBe(bytes.length);
    for (let first = 1; first < bytes.length; first++) {
      for (let second = first + 1; second < bytes.length; second += 5) {
        const chunks = [bytes.subarray(0, first), bytes.subarray(first, second), bytes.subarray(second)];
        const { lines, numbers, ends } = cut(chunks);
        expect({ lines, numbers, ends }, `cut at ${first} and ${second}`).toEqual({
          lines: whole.lines,
          numbers: whole.numbers,
          ends: whole.ends,
        });
      }
    }
  });

  it('continues offsets and line numbers from where a resumed read starts', () => {
    const { numbers, ends } = cut([Buffer.from('a\nb\n')], { offset: 100, linesBefore: 7 });
    expect(numbers).toEqual([8, 9]);
    expect(ends).toEqual([102, 104]);
  });

  it('drops a line longer than the limit without holding it, and goes on with the next', () => {
    const long = Buffer.alloc(5000, 'x');
    const { lines, numbers, overlong } = cut([Buffer.from('ok\n'), long, long, Buffer.from('x\nafter\n')], {
      maxLineBytes: 4096,
    });
    expect(lines).toEqual(['ok', 'after']);
    expect(numbers).toEqual([1, 3]);
    expect(overlong).toEqual([{ number: 2, end: 3 + 10_002 }]);
  });

  it('hands back a last line without a newline instead of consuming it', () => {
    const { lines, splitter } = cut([Buffer.from('one\ntw'), Buffer.from('o')]);
    expect(lines).toEqual(['one']);
    expect(splitter.rest()).toEqual({ text: 'two', number: 2, end: 7 });
    expect(cut([Buffer.from('one\n')]).splitter.rest()).toBeUndefined();
  });
});
