/**
 * Canonical StreamEvents → a Gemini client's `streamGenerateContent` answer: a sequence of complete
 * GenerateContentResponse chunks, framed as SSE (`?alt=sse`: `data: <json>` + CRLF CRLF, as Google's servers write
 * it) or, without `alt=sse`, as one JSON array written incrementally (`[` chunk `,\r\n` chunk … `]`).
 *
 * Shapes follow what @google/genai's chat session accepts (chats.ts, isValidResponse): every chunk has
 * `candidates[0].content` with at least one non-empty part, or the SDK drops the whole turn from its history. So
 * usage never travels alone: the finish chunk is held until the usage event (which follows it) or the end.
 */
import type { ClientStreamRenderer } from '../canonical/codec.ts';
import type { StreamEvent, Usage } from '../canonical/types.ts';
import { renderUsage, type GeminiFinishReason } from './mappings.ts';
import { argumentsObject, functionCall, type WirePart } from './render-parts.ts';
import { finishReasonFor } from './render-response.ts';

/** Options of {@link createGenerateContentStreamRenderer}. */
export interface GeminiStreamRendererOptions {
  framing: 'sse' | 'json-array';
}

interface BufferedCall {
  id: string;
  name: string;
  args: string;
  signature?: string;
}

/** Create a renderer for one client stream. */
export function createGenerateContentStreamRenderer(options: GeminiStreamRendererOptions): ClientStreamRenderer {
  const sse = options.framing === 'sse';
  let tail = ',"modelVersion":"","responseId":""}';
  let written = 0;
  // The last thought, held back one event: a thinking_signature that follows it belongs on it.
  let heldThought: string | undefined;
  // A signature waiting for the next part (Gemini puts the signature of the thoughts before a call on that call).
  let pendingSignature: string | undefined;
  // Gemini never streams partial arguments: calls are buffered until the next non-tool event.
  const calls = new Map<number, BufferedCall>();
  let malformed = false;
  let heldFinish: GeminiFinishReason | undefined;

  function frame(json: string): string {
    if (sse) return `data: ${json}\r\n\r\n`;
    return (written++ === 0 ? '[' : ',\r\n') + json;
  }

  function chunk(parts: WirePart[], finishReason?: GeminiFinishReason, usage?: Usage): string {
    const finish = finishReason === undefined ? '' : `,"finishReason":"${finishReason}"`;
    const usageJson = usage === undefined ? '' : `,"usageMetadata":${JSON.stringify(renderUsage(usage))}`;
    return frame(`{"candidates":[{"content":{"parts":${JSON.stringify(parts)},"role":"model"}${finish},"index":0}]${usageJson}${tail}`);
  }

  function withSignature(part: WirePart): WirePart {
    if (pendingSignature !== undefined) part.thoughtSignature = pendingSignature;
    pendingSignature = undefined;
    return part;
  }

  function flushThought(): string {
    const text = heldThought;
    heldThought = undefined;
    return text === undefined || text === '' ? '' : chunk([{ text, thought: true }]);
  }

  function flushCalls(): string {
    if (calls.size === 0) return '';
    const parts: WirePart[] = [];
    for (const call of calls.values()) {
      const args = argumentsObject(call.args);
      if (args === undefined) {
        malformed = true;
        continue;
      }
      const part = functionCall(call.id, call.name, args);
      if (call.signature !== undefined) part.thoughtSignature = call.signature;
      parts.push(part);
    }
    calls.clear();
    return parts.length === 0 ? '' : chunk(parts);
  }

  /** Everything held, in order, before a new kind of event. */
  function flush(): string {
    return flushCalls() + flushThought();
  }

  /** The final chunk: the finish reason, the usage, and a signature no part took (else Gemini's empty text). */
  function finishChunk(reason: GeminiFinishReason | undefined, usage: Usage | undefined): string {
    const last = pendingSignature === undefined ? { text: '' } : { text: '', thoughtSignature: pendingSignature };
    pendingSignature = undefined;
    return chunk([last], reason, usage);
  }

  function render(event: StreamEvent): string {
    switch (event.type) {
      case 'start':
        tail = `,"modelVersion":${JSON.stringify(event.model)},"responseId":${JSON.stringify(event.id)}}`;
        return '';
      case 'thinking_delta': {
        const out = flush();
        heldThought = event.text;
        return out;
      }
      case 'thinking_signature': {
        let out = flushCalls();
        const thought = heldThought;
        heldThought = undefined;
        if (thought !== undefined && thought !== '') return out + chunk([{ text: thought, thought: true, thoughtSignature: event.signature }]);
        if (pendingSignature !== undefined) out += chunk([{ text: '', thoughtSignature: pendingSignature }]);
        pendingSignature = event.signature;
        return out;
      }
      case 'text_delta': {
        const out = flush();
        return event.text === '' ? out : out + chunk([withSignature({ text: event.text })]);
      }
      case 'tool_call_start': {
        const out = flushThought();
        const call: BufferedCall = { id: event.id, name: event.name, args: '' };
        if (pendingSignature !== undefined) call.signature = pendingSignature;
        pendingSignature = undefined;
        calls.set(event.index, call);
        return out;
      }
      case 'tool_call_delta': {
        const call = calls.get(event.index);
        if (call !== undefined) call.args += event.argumentsDelta;
        return '';
      }
      case 'finish': {
        const out = flush();
        heldFinish = finishReasonFor(event.finishReason, malformed);
        return out;
      }
      case 'usage': {
        const out = flush();
        const reason = heldFinish;
        heldFinish = undefined;
        return out + finishChunk(reason, event.usage);
      }
    }
  }

  /** What is still held: calls, a thought, the finish chunk. */
  function drain(): string {
    let out = flush();
    if (heldFinish !== undefined || pendingSignature !== undefined) out += finishChunk(heldFinish, undefined);
    heldFinish = undefined;
    return out;
  }

  return {
    contentType: sse ? 'text/event-stream; charset=utf-8' : 'application/json; charset=utf-8',
    render,
    end() {
      const out = drain();
      if (sse) return out;
      return out + (written === 0 ? '[]' : ']');
    },
    // An error ends the stream; Google writes google.rpc.Status (`{"error":{code,message,status}}`) as the next item.
    error(errorBody) {
      const out = drain() + frame(JSON.stringify(errorBody) ?? 'null');
      return sse ? out : `${out}]`;
    },
  };
}
