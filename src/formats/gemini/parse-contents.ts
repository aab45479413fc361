/**
 * A client's `contents` and `systemInstruction` (Content objects: `{role, parts}`) → canonical system + messages.
 * Wire shape: `Content` in ai.google.dev/api/caching#Content; roles are `user` and `model`.
 *
 * Gemini function calls and responses may omit `id` (older models never send one) and are then matched by name and
 * order. Every canonical tool call needs an id, so a missing one is synthesised from its position as
 * `call_<content index>_<call index within that content>`, and a functionResponse without an id gets the id of the
 * first not-yet-answered call of the same name in the nearest preceding model turn — the same pairing Gemini does.
 */
import type { CanonicalMessage, ContentPart, ImagePart, TextPart, ToolResultPart } from '../canonical/types.ts';
import { parseModelPart, parseUserPart, type PartReader } from './parse-parts.ts';
import { expectArray, expectString, fail, isAbsent, join, readFields, wireName } from './wire-checks.ts';

const CONTENT_FIELDS = new Set(['role', 'parts']);

interface OpenCall {
  id: string;
  name: string;
  answered: boolean;
}

/** Parse `systemInstruction`: a Content whose parts are text (its role, if any, is ignored as Gemini does). */
export function parseSystemInstruction(value: unknown, param: string): TextPart[] {
  const content = readFields(value, param, CONTENT_FIELDS);
  if (!isAbsent(content.role)) expectString(content.role, join(param, 'role'));
  const parts = expectArray(content.parts, join(param, 'parts'));
  return parts.map((item, j) => {
    const partParam = `${join(param, 'parts')}[${j}]`;
    const part = readFields(item, partParam, new Set(['text']));
    return { type: 'text', text: expectString(part.text, join(partParam, 'text')) };
  });
}

/** Parse `contents` into canonical messages (tool results first, as role `tool`, then the turn's other parts). */
export function parseContents(value: unknown, param: string): CanonicalMessage[] {
  const list = expectArray(value, param);
  if (list.length === 0) fail(`${param} must contain at least one content`, param);
  const messages: CanonicalMessage[] = [];
  let openCalls: OpenCall[] = [];
  for (let i = 0; i < list.length; i++) {
    const contentParam = `${param}[${i}]`;
    const content = readFields(list[i], contentParam, CONTENT_FIELDS);
    // "For single-turn queries … role is optional" and defaults to user. `function` is the role early v1beta
    // samples used for function responses.
    const role = isAbsent(content.role) ? 'user' : content.role;
    const parts = expectArray(content.parts, join(contentParam, 'parts'));
    if (parts.length === 0) fail('parts must not be empty', join(contentParam, 'parts'));
    if (role === 'model') {
      const turn = parseModelTurn(parts, join(contentParam, 'parts'), i);
      openCalls = turn.calls;
      if (turn.content.length > 0) messages.push({ role: 'assistant', content: turn.content });
    } else if (role === 'user' || role === 'function') {
      parseUserTurn(parts, join(contentParam, 'parts'), openCalls, messages);
    } else {
      fail(`Invalid role ${wireName(role)}; expected user or model`, join(contentParam, 'role'));
    }
  }
  return messages;
}

function parseModelTurn(parts: unknown[], param: string, turn: number): { content: ContentPart[]; calls: OpenCall[] } {
  let index = 0;
  const reader: PartReader = {
    strict: true,
    // Numbered by position among the turn's calls, whether or not the others carry ids.
    callId(given) {
      const id = given ?? `call_${turn}_${index}`;
      index++;
      return id;
    },
  };
  const content: ContentPart[] = [];
  for (let j = 0; j < parts.length; j++) parseModelPart(parts[j], `${param}[${j}]`, reader, content);
  const calls: OpenCall[] = [];
  for (const part of content) if (part.type === 'tool_call') calls.push({ id: part.id, name: part.name, answered: false });
  return { content, calls };
}

function parseUserTurn(parts: unknown[], param: string, openCalls: OpenCall[], messages: CanonicalMessage[]): void {
  const results: ToolResultPart[] = [];
  const rest: (TextPart | ImagePart)[] = [];
  for (let j = 0; j < parts.length; j++) {
    const partParam = `${param}[${j}]`;
    const parsed = parseUserPart(parts[j], partParam);
    if ('content' in parsed) {
      rest.push(parsed.content);
      continue;
    }
    const { name, id, part } = parsed.result;
    results.push({ ...part, toolCallId: id === undefined ? pairByName(openCalls, name, partParam) : markAnswered(openCalls, id) });
  }
  // Every other format wants tool results right after the call that asked for them, ahead of any new user text.
  if (results.length > 0) messages.push({ role: 'tool', content: results });
  if (rest.length > 0) messages.push({ role: 'user', content: rest });
}

function pairByName(openCalls: OpenCall[], name: string, param: string): string {
  const call = openCalls.find((candidate) => !candidate.answered && candidate.name === name);
  if (call === undefined) fail(`functionResponse ${wireName(name)} does not answer a functionCall of the preceding model turn`, join(param, 'functionResponse.name'));
  call.answered = true;
  return call.id;
}

function markAnswered(openCalls: OpenCall[], id: string): string {
  const call = openCalls.find((candidate) => candidate.id === id);
  if (call !== undefined) call.answered = true;
  return id;
}
