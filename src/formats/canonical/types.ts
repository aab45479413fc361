/**
 * The canonical model: every wire format parses into these shapes and renders out of them.
 * A field lives here when at least three formats share it; anything else rides in `extensions.<format>`.
 * Pure data, no behaviour: formats/ never does I/O, reads the clock or the environment.
 */

/** A JSON value as it came off the wire, not yet narrowed by a schema. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image';
  source: { kind: 'url'; url: string } | { kind: 'base64'; mediaType: string; data: string };
  detail?: 'auto' | 'low' | 'high';
}

/** A tool call made by the assistant. `arguments` is the JSON text exactly as the model produced it. */
export interface ToolCallPart {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
}

/** The result of a tool call, sent back by the client. */
export interface ToolResultPart {
  type: 'tool_result';
  toolCallId: string;
  content: (TextPart | ImagePart)[];
  isError?: boolean;
}

/** Reasoning / thinking content, where the provider exposes it. */
export interface ThinkingPart {
  type: 'thinking';
  text: string;
  signature?: string;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart | ThinkingPart;

export interface CanonicalMessage {
  role: Role;
  content: ContentPart[];
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters: JsonObject;
  strict?: boolean;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: JsonObject; strict?: boolean; description?: string };

export interface ReasoningOptions {
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  budgetTokens?: number;
}

/** Per-format fields that have no canonical home yet; carried through when client and provider speak the same format. */
export interface Extensions {
  openaiChat?: JsonObject;
  anthropic?: JsonObject;
  gemini?: JsonObject;
  openaiResponses?: JsonObject;
}

export interface CanonicalRequest {
  model: string;
  /** Top-k sampling (Anthropic `top_k`, Gemini `topK`); OpenAI Chat cannot express it (400 there). */
  topK?: number;
  /** System / developer instructions, in order. */
  system: TextPart[];
  messages: CanonicalMessage[];
  stream: boolean;
  /** Whether the client asked to receive usage at the end of a stream (OpenAI `stream_options.include_usage`). */
  streamUsage?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningOptions;
  user?: string;
  extensions?: Extensions;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

/**
 * Token usage, counted the OpenAI way: `inputTokens` INCLUDES cached and cache-write tokens, `outputTokens` INCLUDES
 * reasoning tokens. Anthropic (input_tokens excludes cache reads/writes) and Gemini (candidatesTokenCount excludes
 * thoughtsTokenCount) convert to this on parse and back on render.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (part of inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to the provider's prompt cache (Anthropic cache_creation_input_tokens; part of inputTokens). */
  cacheWriteInputTokens?: number;
  /** Output tokens spent on reasoning/thinking (part of outputTokens). */
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  model: string;
  /** Unix seconds, as the provider reported it. */
  created: number;
  content: (TextPart | ToolCallPart | ThinkingPart)[];
  finishReason: FinishReason;
  usage?: Usage;
  extensions?: Extensions;
}

/** One step of a streamed answer. A stream is: start, deltas…, finish, usage?, then the end of the stream. */
export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; text: string }
  /** Anthropic's signature of a thinking block, needed to send the block back in a later turn. */
  | { type: 'thinking_signature'; signature: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'usage'; usage: Usage };

/** An embeddings request: one or more texts to embed. */
export interface CanonicalEmbeddingRequest {
  model: string;
  inputs: string[];
  /** Requested vector size, where the model can shorten its output (OpenAI `dimensions`, Gemini `outputDimensionality`). */
  dimensions?: number;
  /** Gemini `taskType` (RETRIEVAL_QUERY, …); OpenAI has no equivalent and ignores it. */
  taskType?: string;
  user?: string;
  /** How the client wants vectors encoded; rendering only (providers are always asked for floats). */
  encodingFormat?: 'float' | 'base64';
}

export interface CanonicalEmbeddingResponse {
  model: string;
  embeddings: number[][];
  usage?: { inputTokens: number };
}

/** The answer to a token-count request (Anthropic count_tokens, Gemini countTokens). */
export interface CanonicalTokenCount {
  inputTokens: number;
}

/** A model as listed by `GET /v1/models` (and Anthropic / Gemini equivalents). */
export interface CanonicalModel {
  id: string;
  /** Provider id from the config, shown as owner. */
  ownedBy: string;
  /** Unix seconds. */
  created: number;
  displayName?: string;
}
