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
