/**
 * Pieces of the Responses `response` object shared by the JSON and the stream renderers: ids, status, usage, output
 * items and the envelope. Wire shape: API reference, "The response object" (Response, ResponseOutputMessage,
 * ResponseFunctionToolCall, ResponseReasoningItem, ResponseUsage in openai-node `src/resources/responses/responses.ts`).
 *
 * formats/ has no randomness, so every id is derived: the response id from the upstream's id, item ids from the
 * response id and the item's output index.
 */
import type { CanonicalRequest, FinishReason, JsonObject, JsonValue, ResponseFormat, ToolChoice, Usage } from '../canonical/types.ts';

/** A rendered output item (message, reasoning or function_call). */
export type OutputItem = Record<string, unknown>;

/** The terminal status of a response and its `incomplete_details` / `error`. */
export interface ResponseStatus {
  status: 'completed' | 'incomplete' | 'failed';
  incompleteDetails: { reason: 'max_output_tokens' | 'content_filter' } | null;
  error: { code: string; message: string } | null;
}

const RESPONSE_PREFIX = 'resp_';

/** The Responses id for an upstream id: `resp_` + the id, unless it already is one. */
export function responseId(upstreamId: string): string {
  return upstreamId.startsWith(RESPONSE_PREFIX) ? upstreamId : RESPONSE_PREFIX + upstreamId;
}

/** A deterministic item id, e.g. `msg_chatcmpl-1_0`: the type prefix OpenAI uses, the response id's body, the index. */
export function itemId(prefix: 'msg' | 'fc' | 'rs', respId: string, outputIndex: number): string {
  return `${prefix}_${respId.slice(RESPONSE_PREFIX.length)}_${outputIndex}`;
}

/**
 * `stop` and `tool_calls` complete the response; `length` and `content_filter` leave it incomplete with OpenAI's
 * reasons. Responses has no finish reason for an upstream failure: that is a failed response with an error.
 */
export function responseStatus(reason: FinishReason): ResponseStatus {
  switch (reason) {
    case 'stop':
    case 'tool_calls':
      return { status: 'completed', incompleteDetails: null, error: null };
    case 'length':
      return { status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' }, error: null };
    case 'content_filter':
      return { status: 'incomplete', incompleteDetails: { reason: 'content_filter' }, error: null };
    case 'error':
      return { status: 'failed', incompleteDetails: null, error: { code: 'server_error', message: 'The upstream provider stopped with an error.' } };
  }
}

/**
 * ResponseUsage. Canonical usage is counted the way Responses counts it (input includes cached tokens, output
 * includes reasoning tokens), so it maps field for field; unknown details are 0, as OpenAI reports them.
 */
export function renderUsage(usage: Usage): JsonObject {
  const inputDetails: JsonObject = { cached_tokens: usage.cachedInputTokens ?? 0 };
  if (usage.cacheWriteInputTokens !== undefined) inputDetails.cache_write_tokens = usage.cacheWriteInputTokens;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: inputDetails,
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** An assistant message item with one output_text part. */
export function messageItem(id: string, text: string, status: string): OutputItem {
  return { id, type: 'message', status, role: 'assistant', content: [outputText(text)] };
}

/** An output_text content part. Rampart has no citations to report, so annotations are always empty. */
export function outputText(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [] };
}

/**
 * A reasoning item. The thinking text is reported as its summary (what Responses clients display). A provider's
 * thinking signature (Anthropic) travels as `encrypted_content`: the opaque field clients are meant to send back
 * unchanged, which the request parser turns into the signature again.
 */
export function reasoningItem(id: string, text: string, signature: string | undefined): OutputItem {
  const item: OutputItem = { id, type: 'reasoning', summary: text.length === 0 ? [] : [{ type: 'summary_text', text }] };
  if (signature !== undefined) item.encrypted_content = signature;
  return item;
}

/** A function_call item; `call_id` is the canonical tool call id, which the client returns in function_call_output. */
export function functionCallItem(id: string, callId: string, name: string, args: string, status: string): OutputItem {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** The request settings a Response echoes back (API reference, "The response object"). */
export type ResponseEcho = JsonObject;

/**
 * The echo fields. With the request (streams), they reflect what the client asked; without it (the JSON path,
 * whose ClientCodec.renderResponse does not receive the request), OpenAI's defaults. `instructions` is always
 * null: the canonical request merges them with leading system messages, and echoing a long system prompt back in
 * every lifecycle event would only cost bandwidth.
 */
export function responseEcho(request?: CanonicalRequest): ResponseEcho {
  const ext = request?.extensions?.openaiResponses;
  const reasoningExt = ext?.reasoning;
  const reasoningRest = isObject(reasoningExt) ? reasoningExt : undefined;
  const text: JsonObject = { format: renderFormat(request?.responseFormat) };
  if (typeof ext?.verbosity === 'string') text.verbosity = ext.verbosity;
  const echo: ResponseEcho = {
    instructions: null,
    max_output_tokens: request?.maxTokens ?? null,
    max_tool_calls: ext?.max_tool_calls ?? null,
    metadata: isObject(ext?.metadata) ? ext.metadata : {},
    parallel_tool_calls: request?.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: { effort: request?.reasoning?.effort ?? reasoningRest?.effort ?? null, summary: reasoningRest?.summary ?? null },
    temperature: request?.temperature ?? null,
    text,
    tool_choice: renderToolChoice(request?.toolChoice),
    tools: (request?.tools ?? []).map((tool) => {
      const rendered: JsonObject = { type: 'function', name: tool.name, description: tool.description ?? null, parameters: tool.parameters };
      rendered.strict = tool.strict ?? null;
      return rendered;
    }),
    top_p: request?.topP ?? null,
    truncation: ext?.truncation ?? 'disabled',
  };
  if (request?.user !== undefined) echo.user = request.user;
  return echo;
}

/** Everything a Response carries besides its echo fields. */
export interface ResponseCore {
  id: string;
  createdAt: number;
  model: string;
  status: 'in_progress' | ResponseStatus['status'];
  output: OutputItem[];
  usage: Usage | undefined;
  incompleteDetails: ResponseStatus['incompleteDetails'];
  error: ResponseStatus['error'];
}

/**
 * The full Response object. `store` is false because Rampart never stores a response (whatever the client asked);
 * `output_text` is left out, as OpenAI leaves it out: the SDKs compute it from `output`. `completed_at` is null
 * because formats/ has no clock.
 */
export function renderResponseObject(core: ResponseCore, echo: ResponseEcho): Record<string, unknown> {
  return {
    id: core.id,
    object: 'response',
    created_at: core.createdAt,
    status: core.status,
    background: false,
    completed_at: null,
    error: core.error,
    incomplete_details: core.incompleteDetails,
    access_programs: null,
    model: core.model,
    output: core.output,
    store: false,
    usage: core.usage === undefined ? null : renderUsage(core.usage),
    ...echo,
  };
}

function renderFormat(format: ResponseFormat | undefined): JsonObject {
  if (format === undefined || format.type !== 'json_schema') return { type: format?.type ?? 'text' };
  const result: JsonObject = { type: 'json_schema', name: format.name, schema: format.schema };
  if (format.description !== undefined) result.description = format.description;
  if (format.strict !== undefined) result.strict = format.strict;
  return result;
}

function renderToolChoice(choice: ToolChoice | undefined): JsonValue {
  if (choice === undefined) return 'auto';
  return choice.type === 'tool' ? { type: 'function', name: choice.name } : choice.type;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
