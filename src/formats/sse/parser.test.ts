import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeSseEvent } from './encoder.ts';
import { createSseParser, type SseEvent } from './parser.ts';

function parseAll(chunks: string[]): SseEvent[] {
  const parser = createSseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.push(chunk));
  events.push(...parser.end());
  return events;
}

function splitAt(text: string, cuts: number[]): string[] {
  const positions = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const p of positions) {
    chunks.push(text.slice(last, p));
    last = p;
  }
  chunks.push(text.slice(last));
  return chunks;
}

describe('createSseParser', () => {
  it('parses a single event', () => {
    expect(parseAll(['data: hello\n\n'])).toStrictEqual([{ data: 'hello' }]);
  });

  it('reads event, id and retry fields and joins data lines with LF', () => {
    expect(parseAll(['event: delta\nid: 7\nretry: 1500\ndata: a\ndata: b\n\n'])).toStrictEqual([
      { event: 'delta', id: '7', retry: 1500, data: 'a\nb' },
    ]);
  });

  it('removes exactly one space after the colon', () => {
    expect(parseAll(['data:x\n\ndata:  two\n\n'])).toStrictEqual([{ data: 'x' }, { data: ' two' }]);
  });

  it('treats a line without a colon as a field with an empty value', () => {
    expect(parseAll(['data\n\n'])).toStrictEqual([{ data: '' }]);
    expect(parseAll(['data\ndata\n\n'])).toStrictEqual([{ data: '\n' }]);
  });

  it('ignores comments, unknown fields and invalid retry values', () => {
    expect(parseAll([': keep-alive\nfoo: bar\nretry: 12a\ndata: x\n\n'])).toStrictEqual([{ data: 'x' }]);
  });

  it('ignores an id containing NUL', () => {
    expect(parseAll(['id: a\0b\ndata: x\n\n'])).toStrictEqual([{ data: 'x' }]);
  });

  it('does not dispatch a block without data lines', () => {
    expect(parseAll(['event: ping\n\nid: 3\n\n: comment\n\n\n\n'])).toStrictEqual([]);
  });

  it('keeps id and event per block rather than carrying them to the next event', () => {
    expect(parseAll(['event: a\nid: 1\ndata: x\n\ndata: y\n\n'])).toStrictEqual([
      { event: 'a', id: '1', data: 'x' },
      { data: 'y' },
    ]);
  });

  it('treats an empty event name as the default type', () => {
    expect(parseAll(['event:\ndata: x\n\n'])).toStrictEqual([{ data: 'x' }]);
  });

  it('strips one leading BOM, only at the start of the stream', () => {
    expect(parseAll(['\uFEFFdata: a\n\n'])).toStrictEqual([{ data: 'a' }]);
    expect(parseAll(['', '\uFEFF', 'data: a\n\n'])).toStrictEqual([{ data: 'a' }]);
    // A second BOM is part of the first line: the field name becomes "\uFEFFdata", which is unknown.
    expect(parseAll(['\uFEFF\uFEFFdata: a\n\n'])).toStrictEqual([]);
    expect(parseAll(['data: a\n\n', '\uFEFFdata: b\n\n'])).toStrictEqual([{ data: 'a' }]);
  });

  it('discards an unterminated final event at end of stream', () => {
    const parser = createSseParser();
    expect(parser.push('data: complete\n\ndata: partial\n')).toStrictEqual([{ data: 'complete' }]);
    expect(parser.end()).toStrictEqual([]);
    // The parser is reusable after end(): no state leaks into the next stream.
    expect(parser.push('data: next\n\n')).toStrictEqual([{ data: 'next' }]);
  });

  it('returns events as soon as their blank line arrives', () => {
    const parser = createSseParser();
    expect(parser.push('data: a')).toStrictEqual([]);
    expect(parser.push('bc\n')).toStrictEqual([]);
    expect(parser.push('\n')).toStrictEqual([{ data: 'abc' }]);
  });

  describe('line endings', () => {
    const cases: [string, string[], SseEvent[]][] = [
      ['LF', ['data: a\n\n'], [{ data: 'a' }]],
      ['CRLF', ['data: a\r\n\r\n'], [{ data: 'a' }]],
      ['CR', ['data: a\r\r'], [{ data: 'a' }]],
      ['CRLF split between chunks is one line end', ['data: a\r', '\ndata: b\r', '\n\r', '\n'], [{ data: 'a\nb' }]],
      ['CR then CR across chunks is two line ends', ['data: a\r', '\r'], [{ data: 'a' }]],
      ['CR at chunk end then other text', ['data: a\r', 'data: b\r\r'], [{ data: 'a\nb' }]],
      ['LF CR is two line ends', ['data: a\n\r'], [{ data: 'a' }]],
      ['CR LF LF dispatches', ['data: a\r\n\n'], [{ data: 'a' }]],
      ['mixed terminators', ['data: a\rdata: b\ndata: c\r\n\n'], [{ data: 'a\nb\nc' }]],
      ['CR at chunk end followed by empty chunks then LF', ['data: a\r', '', '\n\n'], [{ data: 'a' }]],
      ['lone LF chunk after a CRLF already consumed', ['data: a\r\n', '\n'], [{ data: 'a' }]],
      ['CRLF inside one chunk never doubles as a blank line', ['data: a\r\ndata: b\r\n\r\n'], [{ data: 'a\nb' }]],
    ];
    for (const [name, chunks, expected] of cases) {
      it(name, () => {
        expect(parseAll(chunks)).toStrictEqual(expected);
      });
    }
  });

  it('parses a large stream in linear time (no rescans of buffered text)', () => {
    const line = `data: ${'x'.repeat(100)}\n\n`;
    const text = line.repeat(20_000);
    const started = performance.now();
    const events = parseAll(splitAt(text, Array.from({ length: 5000 }, (_, i) => i * 401)));
    expect(events).toHaveLength(20_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('handles one huge line arriving in many chunks', () => {
    const chunks = ['data: ', ...Array.from({ length: 10_000 }, () => 'y'.repeat(100)), '\n\n'];
    const events = parseAll(chunks);
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(1_000_000);
  });
});

describe('encode → split anywhere → parse', () => {
  const singleLine = fc.string({ unit: 'grapheme' }).filter((s) => !/[\r\n]/.test(s));
  const eventArb = fc.record(
    {
      event: singleLine.filter((s) => s !== ''),
      id: singleLine.filter((s) => !s.includes('\0')),
      data: fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '\r', 'é', '😀', 'data: ', '\uFEFF', 'x') }),
    },
    { requiredKeys: ['data'] },
  );

  // The encoder writes LF only; servers may use CRLF or CR, so each line end is rewritten to one of the three.
  const terminators = fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 16 });

  function withTerminators(text: string, choice: string[]): string {
    let i = 0;
    let previous = '';
    return text.replace(/\n/g, () => {
      let next = choice[i++ % choice.length] ?? '\n';
      // CR then LF would be one CRLF line end, not two: that case is covered by the CR/LF table above.
      if (previous === '\r' && next === '\n') next = '\r\n';
      previous = next;
      return next;
    });
  }

  it('yields exactly the original events, whatever the line ends and chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 8 }), terminators, fc.array(fc.nat(), { maxLength: 12 }), (events, choice, cuts) => {
        const text = withTerminators(events.map((e) => encodeSseEvent(e)).join(''), choice);
        const expected = events.map((e) => ({ ...e, data: e.data.replace(/\r\n|\r/g, '\n') }));
        expect(parseAll(splitAt(text, cuts))).toStrictEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('survives arbitrary full-unicode text in data', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), (datas, cuts) => {
        const text = datas.map((data) => encodeSseEvent({ data })).join('');
        expect(parseAll(splitAt(text, cuts))).toStrictEqual(datas.map((d) => ({ data: d.replace(/\r\n|\r/g, '\n') })));
      }),
    );
  });
});
