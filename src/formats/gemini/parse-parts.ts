/**
 * Gemini `Part` objects → canonical content parts, for client requests (strict: unknown fields are refused) and
 * upstream answers (tolerant: fields and part kinds Google adds later are skipped). Wire shape: `Part`, `Blob`,
 * `FileData`, `FunctionCall`, `FunctionResponse` in ai.google.dev/api/caching#Part.
 *
 * Thought signatures (ai.google.dev/gemini-api/docs/thought-signatures) may sit on ANY part: on a thought summary,
 * but also on a functionCall or a text part, and Gemini 3 rejects a conversation whose function calls lost theirs.
 * The canonical model carries signatures on ThinkingPart only, so a signature on a non-thought part becomes an
 * empty ThinkingPart carrying it, placed right before that part; the renderers fold it back onto the next part.
 */
import type { ContentPart, ImagePart, TextPart, ToolCallPart, ToolResultPart } from '../canonical/types.ts';
import {
  expectArray,
  expectBoolean,
  expectJsonObject,
  expectNonEmptyString,
  expectRecord,
  expectString,
  fail,
  isAbsent,
  join,
  mimeName,
  readFields,
} from './wire-checks.ts';

const PART_FIELDS = new Set([
  'text',
  'inlineData',
  'fileData',
  'functionCall',
  'functionResponse',
  'thought',
  'thoughtSignature',
  'executableCode',
  'codeExecutionResult',
  'videoMetadata',
  'toolCall',
  'toolResponse',
]);
const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'] as const;
const UNSUPPORTED_KINDS = ['executableCode', 'codeExecutionResult', 'videoMetadata', 'toolCall', 'toolResponse'] as const;
const BLOB_FIELDS = new Set(['mimeType', 'data', 'displayName']);
const FILE_FIELDS = new Set(['mimeType', 'fileUri', 'displayName']);
const CALL_FIELDS = new Set(['name', 'args', 'id']);
const RESPONSE_FIELDS = new Set(['name', 'response', 'id', 'parts']);
const RESPONSE_PART_FIELDS = new Set(['inlineData', 'fileData']);

/** One part, read strictly (client) or tolerantly (upstream). */
export interface PartReader {
  strict: boolean;
  /** The id of the next function call: the one Gemini gave, or one synthesised from its position. */
  callId(given: string | undefined): string;
}

/** A functionResponse whose id may still have to be paired with its call. */
export interface PendingResult {
  name: string;
  id: string | undefined;
  part: Omit<ToolResultPart, 'toolCallId'>;
}

function fields(value: unknown, param: string, known: ReadonlySet<string>, strict: boolean): Record<string, unknown> {
  return strict ? readFields(value, param, known) : expectRecord(value, param);
}

/** The single data field a part carries, refusing parts with several (Part.data is a oneof). */
function dataField(part: Record<string, unknown>, param: string): (typeof DATA_FIELDS)[number] | undefined {
  let found: (typeof DATA_FIELDS)[number] | undefined;
  for (const key of DATA_FIELDS) {
    if (isAbsent(part[key])) continue;
    if (found !== undefined) fail(`A part holds exactly one of ${DATA_FIELDS.join(', ')}; got ${found} and ${key}`, param);
    found = key;
  }
  return found;
}

/**
 * Parse a part of a `model` turn (or of an upstream candidate) into `out`: text, thoughts, function calls, images.
 * Upstream parts of kinds the canonical model has no place for (code execution results, …) are skipped.
 */
export function parseModelPart(value: unknown, param: string, reader: PartReader, out: ContentPart[]): void {
  const part = fields(value, param, PART_FIELDS, reader.strict);
  if (reader.strict) refuseUnsupported(part, param);
  const kind = dataField(part, param);
  const thought = isAbsent(part.thought) ? false : expectBoolean(part.thought, join(param, 'thought'));
  const signature = isAbsent(part.thoughtSignature) ? undefined : expectString(part.thoughtSignature, join(param, 'thoughtSignature'));
  if (thought) {
    if (kind !== 'text' && kind !== undefined) fail('A thought part carries text only', join(param, 'thought'));
    const text = kind === 'text' ? expectString(part.text, join(param, 'text')) : '';
    out.push(signature === undefined ? { type: 'thinking', text } : { type: 'thinking', text, signature });
    return;
  }
  if (signature !== undefined) out.push({ type: 'thinking', text: '', signature });
  switch (kind) {
    case 'text': {
      const text = expectString(part.text, join(param, 'text'));
      // Gemini ends streams with empty text parts; they say nothing.
      if (text.length > 0) out.push({ type: 'text', text });
      return;
    }
    case 'functionCall':
      out.push(parseFunctionCall(part.functionCall, join(param, 'functionCall'), reader));
      return;
    case 'inlineData':
    case 'fileData':
      if (reader.strict) out.push(parseMedia(part, kind, param));
      // An upstream's generated images have no place in the canonical response (text, thinking, tool calls).
      return;
    case 'functionResponse':
      if (reader.strict) fail('functionResponse parts belong in user turns', join(param, 'functionResponse'));
      return;
    case undefined:
      if (reader.strict && signature === undefined) fail('A part must carry text, inlineData, fileData, functionCall or functionResponse', param);
      return;
  }
}

/** A part of a client `user` turn: text or an image as content, or a function response to pair with its call. */
export function parseUserPart(value: unknown, param: string): { content: TextPart | ImagePart } | { result: PendingResult } {
  const part = readFields(value, param, PART_FIELDS);
  refuseUnsupported(part, param);
  if (!isAbsent(part.thought) || !isAbsent(part.thoughtSignature)) {
    fail('Thoughts and thought signatures belong in model turns', join(param, isAbsent(part.thought) ? 'thoughtSignature' : 'thought'));
  }
  const kind = dataField(part, param);
  switch (kind) {
    case 'text':
      return { content: { type: 'text', text: expectString(part.text, join(param, 'text')) } };
    case 'inlineData':
    case 'fileData':
      return { content: parseMedia(part, kind, param) };
    case 'functionResponse':
      return { result: parseFunctionResponse(part.functionResponse, join(param, 'functionResponse')) };
    case 'functionCall':
      return fail('functionCall parts belong in model turns', join(param, 'functionCall'));
    case undefined:
      return fail('A part must carry text, inlineData, fileData or functionResponse', param);
  }
}

function refuseUnsupported(part: Record<string, unknown>, param: string): void {
  for (const key of UNSUPPORTED_KINDS) {
    if (!isAbsent(part[key])) fail(`${key} parts are not supported by Rampart`, join(param, key));
  }
}

function parseFunctionCall(value: unknown, param: string, reader: PartReader): ToolCallPart {
  const call = fields(value, param, CALL_FIELDS, reader.strict);
  const name = expectNonEmptyString(call.name, join(param, 'name'));
  // A function without parameters is called with no `args` at all.
  const args = isAbsent(call.args) ? {} : expectJsonObject(call.args, join(param, 'args'));
  const given = isAbsent(call.id) ? undefined : expectNonEmptyString(call.id, join(param, 'id'));
  return { type: 'tool_call', id: reader.callId(given), name, arguments: JSON.stringify(args) };
}

/**
 * `FunctionResponse.response` is a JSON object; by Gemini's convention an `error` key (without `output`) reports a
 * failure ("Use "output" key to specify function output and "error" key to specify error details").
 * The object travels as its JSON text, which is what every other format's tool result holds.
 */
function parseFunctionResponse(value: unknown, param: string): PendingResult {
  const response = readFields(value, param, RESPONSE_FIELDS);
  const name = expectNonEmptyString(response.name, join(param, 'name'));
  const body = isAbsent(response.response) ? {} : expectJsonObject(response.response, join(param, 'response'));
  const content: ToolResultPart['content'] = [{ type: 'text', text: JSON.stringify(body) }];
  if (!isAbsent(response.parts)) {
    const list = expectArray(response.parts, join(param, 'parts'));
    for (let k = 0; k < list.length; k++) {
      const itemParam = `${join(param, 'parts')}[${k}]`;
      const item = readFields(list[k], itemParam, RESPONSE_PART_FIELDS);
      const kind = !isAbsent(item.inlineData) ? 'inlineData' : !isAbsent(item.fileData) ? 'fileData' : fail('Expected inlineData or fileData', itemParam);
      content.push(parseMedia(item, kind, itemParam));
    }
  }
  const part: PendingResult['part'] = { type: 'tool_result', content };
  if ('error' in body && !('output' in body)) part.isError = true;
  return { name, id: isAbsent(response.id) ? undefined : expectNonEmptyString(response.id, join(param, 'id')), part };
}

/**
 * inlineData → base64 image; fileData → URL image. Only images have a canonical form: audio, video and documents
 * are refused by name rather than dropped. A fileData without a MIME type cannot be known to be an image.
 */
function parseMedia(part: Record<string, unknown>, kind: 'inlineData' | 'fileData', param: string): ImagePart {
  const itemParam = join(param, kind);
  const media = readFields(part[kind], itemParam, kind === 'inlineData' ? BLOB_FIELDS : FILE_FIELDS);
  const mimeType = expectNonEmptyString(media.mimeType, join(itemParam, 'mimeType'));
  if (!mimeType.toLowerCase().startsWith('image/')) {
    fail(`Only image ${kind} is supported, got MIME type ${mimeName(mimeType)}`, join(itemParam, 'mimeType'));
  }
  if (kind === 'inlineData') {
    return { type: 'image', source: { kind: 'base64', mediaType: mimeType, data: expectNonEmptyString(media.data, join(itemParam, 'data')) } };
  }
  return { type: 'image', source: { kind: 'url', url: expectNonEmptyString(media.fileUri, join(itemParam, 'fileUri')) } };
}
