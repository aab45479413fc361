// Validation of a GenerateContentRequest (Gemini API reference, "models.generateContent"), with the
// INVALID_ARGUMENT messages the real API gives. Unmodelled fields are accepted and ignored.
import type { GoogleError } from './gemini-errors.ts';
import { invalidArgument, isGoogleError } from './gemini-errors.ts';
import { isInteger, isRecord, show } from './json.ts';

/** A function declaration offered by the request. */
export interface GeminiFunction {
  name: string;
  parameters: unknown;
}

/** What the fake needs from a valid request. */
export interface GeminiRequest {
  /** Text of the system instruction and of every content, in order (prompt tokens are counted over these). */
  promptTexts: string[];
  lastUserText: string | undefined;
  functions: GeminiFunction[];
  /** functionCallingConfig.mode (AUTO when absent). */
  mode: string;
  /** allowedFunctionNames, when given. */
  allowed: string[] | undefined;
  maxOutputTokens: number | undefined;
  /** thinkingConfig.includeThoughts (and a budget other than 0). */
  includeThoughts: boolean;
  stopSequences: string[];
}

/** Text of a Content's parts (text parts only) joined by newlines. */
export function partsText(content: unknown): string {
  if (!isRecord(content) || !Array.isArray(content['parts'])) return '';
  const texts: string[] = [];
  for (const part of content['parts'] as unknown[]) {
    if (isRecord(part) && typeof part['text'] === 'string' && part['thought'] !== true) texts.push(part['text']);
  }
  return texts.join('\n');
}

/** Text of the last user content of an unvalidated body (for fault directives); a missing role means user. */
export function lastGeminiUserText(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body['contents'])) return undefined;
  const contents = body['contents'] as unknown[];
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i];
    if (isRecord(content) && (content['role'] === undefined || content['role'] === 'user')) return partsText(content);
  }
  return undefined;
}

/** Validates `contents` (also used by countTokens); returns each content's text and the last user text. */
export function parseContents(value: unknown, prefix = 'GenerateContentRequest'): { texts: string[]; lastUser: string | undefined } | GoogleError {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return invalidArgument(`* ${prefix}.contents: contents is not specified\n`);
  }
  if (!Array.isArray(value)) return invalidArgument(`Invalid value at 'contents' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${show(value)}`);
  const texts: string[] = [];
  let lastUser: string | undefined;
  for (const [i, content] of (value as unknown[]).entries()) {
    if (!isRecord(content)) return invalidArgument(`Invalid value at 'contents[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${show(content)}`);
    const role = content['role'] ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function') return invalidArgument('Please use a valid role: user, model.');
    if (!Array.isArray(content['parts']) || content['parts'].length === 0) {
      return invalidArgument(`* ${prefix}.contents[${i}].parts: contents.parts must not be empty.\n`);
    }
    const text = partsText(content);
    texts.push(text);
    if (role === 'user') lastUser = text;
  }
  return { texts, lastUser };
}

function parseFunctions(value: unknown): GeminiFunction[] | GoogleError {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return invalidArgument(`Invalid value at 'tools' (type.googleapis.com/google.ai.generativelanguage.v1beta.Tool), ${show(value)}`);
  const functions: GeminiFunction[] = [];
  for (const [i, tool] of (value as unknown[]).entries()) {
    if (!isRecord(tool) || tool['functionDeclarations'] === undefined) continue; // googleSearch, codeExecution, …
    const declarations = tool['functionDeclarations'];
    if (!Array.isArray(declarations)) return invalidArgument(`Invalid value at 'tools[${i}].function_declarations', ${show(declarations)}`);
    for (const [j, declaration] of (declarations as unknown[]).entries()) {
      const name = isRecord(declaration) ? declaration['name'] : undefined;
      if (typeof name !== 'string' || name === '') {
        return invalidArgument(`* GenerateContentRequest.tools[${i}].function_declarations[${j}].name: Name cannot be empty.\n`);
      }
      const record = declaration as Record<string, unknown>;
      functions.push({ name, parameters: record['parameters'] ?? record['parametersJsonSchema'] });
    }
  }
  return functions;
}

function parseGenerationConfig(value: unknown): Pick<GeminiRequest, 'maxOutputTokens' | 'includeThoughts' | 'stopSequences'> | GoogleError {
  const config = isRecord(value) ? value : {};
  const max = config['maxOutputTokens'];
  if (max !== undefined && max !== null && !isInteger(max)) {
    return invalidArgument(`Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32), ${show(max)}`);
  }
  if (isInteger(max) && max < 0) return invalidArgument('* GenerateContentRequest.generation_config.max_output_tokens: max_output_tokens must be positive.\n');
  const count = config['candidateCount'];
  if (isInteger(count) && count > 1) return invalidArgument(`mock-upstream supports only candidateCount=1 (got ${count}).`);
  const stops = config['stopSequences'] ?? [];
  if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === 'string')) {
    return invalidArgument(`Invalid value at 'generation_config.stop_sequences' (TYPE_STRING), ${show(stops)}`);
  }
  const thinking = isRecord(config['thinkingConfig']) ? config['thinkingConfig'] : {};
  return {
    // Protobuf has no "unset" for a plain int32: 0 means the model's default.
    maxOutputTokens: isInteger(max) && max > 0 ? max : undefined,
    includeThoughts: thinking['includeThoughts'] === true && thinking['thinkingBudget'] !== 0,
    stopSequences: stops,
  };
}

/** Validates a GenerateContentRequest body; returns the request or the 400 to send. */
export function parseGeminiRequest(body: unknown): GeminiRequest | GoogleError {
  if (!isRecord(body)) return invalidArgument(`Invalid JSON payload received. Expected an object, got ${show(body)}.`);
  const contents = parseContents(body['contents']);
  if (isGoogleError(contents)) return contents;
  const functions = parseFunctions(body['tools']);
  if (isGoogleError(functions)) return functions;
  const toolConfig = isRecord(body['toolConfig']) ? body['toolConfig'] : {};
  const calling = isRecord(toolConfig['functionCallingConfig']) ? toolConfig['functionCallingConfig'] : {};
  const mode = calling['mode'] ?? 'AUTO';
  if (mode !== 'AUTO' && mode !== 'ANY' && mode !== 'NONE' && mode !== 'VALIDATED' && mode !== 'MODE_UNSPECIFIED') {
    return invalidArgument(`Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${show(mode)}`);
  }
  if (mode === 'ANY' && functions.length === 0) return invalidArgument('Function calling config is set without function_declarations.');
  const allowed = calling['allowedFunctionNames'];
  const config = parseGenerationConfig(body['generationConfig']);
  if (isGoogleError(config)) return config;
  const system = body['systemInstruction'];
  const systemText = system === undefined || system === null ? undefined : partsText(system);
  return {
    promptTexts: systemText === undefined ? contents.texts : [systemText, ...contents.texts],
    lastUserText: contents.lastUser,
    functions,
    mode: mode === 'MODE_UNSPECIFIED' ? 'AUTO' : mode,
    allowed: Array.isArray(allowed) ? allowed.filter((name): name is string => typeof name === 'string') : undefined,
    ...config,
  };
}
