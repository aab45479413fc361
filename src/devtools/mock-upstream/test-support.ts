// Helpers shared by this folder's tests (not a test file itself, so vitest does not collect it).
import type { MockStats } from './recorder.ts';

/** A minimal Chat Completions body with one user message. */
export function chatBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra };
}

/** POSTs JSON to the mock's chat completions endpoint. */
export function postChat(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** Splits an SSE text into its events' `data:` payloads, checking the `data: x\n\n` framing on the way. */
export function sseData(text: string): string[] {
  if (!text.endsWith('\n\n')) throw new Error(`SSE text does not end with a blank line: ${JSON.stringify(text.slice(-20))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((event) => {
      if (!event.startsWith('data: ') || event.includes('\n')) throw new Error(`not a single data line: ${event}`);
      return event.slice('data: '.length);
    });
}

/** Reads a body stream to its end or its error; returns the text received and the error, if any. */
export async function readUntilError(body: ReadableStream<Uint8Array>): Promise<{ text: string; error: unknown }> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

/** The mock's /__mock/stats. */
export async function stats(url: string): Promise<MockStats> {
  return (await (await fetch(`${url}/__mock/stats`)).json()) as MockStats;
}

/** Polls until `check` holds (or fails after `timeoutMs`), for effects that land after a socket closes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** POSTs JSON (or raw text) to any path of the mock. */
export function postJson(url: string, path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

/** One named SSE event. */
export interface NamedEvent {
  event: string;
  data: string;
}

/** Splits an SSE text into `event:` + `data:` pairs, checking the two-line framing of Anthropic's streams. */
export function namedSse(text: string): NamedEvent[] {
  if (!text.endsWith('\n\n')) throw new Error(`SSE text does not end with a blank line: ${JSON.stringify(text.slice(-20))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const match = /^event: ([a-z_]+)\ndata: ([^\n]*)$/.exec(block);
      if (match === null) throw new Error(`not an event + data pair: ${block}`);
      return { event: match[1] ?? '', data: match[2] ?? '' };
    });
}

/** Splits a CRLF-framed SSE text (Gemini's) into its `data:` payloads, checking the `data: x\r\n\r\n` framing. */
export function crlfSseData(text: string): string[] {
  if (!text.endsWith('\r\n\r\n')) throw new Error(`SSE text does not end with CRLF CRLF: ${JSON.stringify(text.slice(-20))}`);
  return text
    .slice(0, -4)
    .split('\r\n\r\n')
    .map((event) => {
      if (!event.startsWith('data: ') || /[\r\n]/.test(event)) throw new Error(`not a single data line: ${JSON.stringify(event)}`);
      return event.slice('data: '.length);
    });
}

/** Reads the first chunk of a body, then reports whether more arrives within `ms` ('data') or not ('stalled'). */
export async function firstChunkThenStall(body: ReadableStream<Uint8Array>, ms = 200): Promise<{ first: string; next: string }> {
  const reader = body.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const next = await Promise.race([reader.read().then(() => 'data'), new Promise<string>((resolve) => setTimeout(() => resolve('stalled'), ms))]);
  return { first, next };
}
