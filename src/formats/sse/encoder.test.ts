import { describe, expect, it } from 'vitest';
import { FormatError } from '../canonical/format-error.ts';
import { SSE_DONE, encodeSseEvent } from './encoder.ts';

describe('encodeSseEvent', () => {
  it('writes a single data line and a blank line', () => {
    expect(encodeSseEvent({ data: '{"a":1}' })).toBe('data: {"a":1}\n\n');
  });

  it('writes event and id before data', () => {
    expect(encodeSseEvent({ event: 'message_start', id: '42', data: 'x' })).toBe('event: message_start\nid: 42\ndata: x\n\n');
  });

  it('omits an empty event name (the default type)', () => {
    expect(encodeSseEvent({ event: '', data: 'x' })).toBe('data: x\n\n');
  });

  it('splits data on LF, CR and CRLF so no line break can start a new field', () => {
    expect(encodeSseEvent({ data: 'a\nb\rc\r\nd' })).toBe('data: a\ndata: b\ndata: c\ndata: d\n\n');
    expect(encodeSseEvent({ data: 'x\nevent: evil\n' })).toBe('data: x\ndata: event: evil\ndata: \n\n');
  });

  it('keeps a leading space of data (the receiver strips exactly one)', () => {
    expect(encodeSseEvent({ data: ' lead' })).toBe('data:  lead\n\n');
  });

  it('writes empty data as one empty data line, which receivers dispatch', () => {
    expect(encodeSseEvent({ data: '' })).toBe('data: \n\n');
  });

  it('refuses line breaks in event and id, and NUL in id', () => {
    expect(() => encodeSseEvent({ event: 'a\nb', data: '' })).toThrow(FormatError);
    expect(() => encodeSseEvent({ event: 'a\rb', data: '' })).toThrow(FormatError);
    expect(() => encodeSseEvent({ id: '1\n', data: '' })).toThrow(FormatError);
    expect(() => encodeSseEvent({ id: '1\0', data: '' })).toThrow(FormatError);
  });

  it('exports the [DONE] terminator', () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });
});
