/**
 * Wire checks for the OpenAI Chat translators: the shared ones (params are OpenAI paths, e.g. `messages[2].content`)
 * plus what only this format needs.
 */
export {
  expectArray,
  expectBoolean,
  expectCount,
  expectInteger,
  expectJsonObject,
  expectNonEmptyString,
  expectNumber,
  expectRecord,
  expectString,
  fail,
  isRecord,
  isUnsafeKey,
  typeName,
  wireName,
} from '../canonical/wire-checks.ts';
