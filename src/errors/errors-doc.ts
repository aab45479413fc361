import { catalogue } from './catalogue.ts';

/** docs/errors.md, generated from the catalogue so the two cannot drift. */
export function renderErrorsDoc(): string {
  let doc = `# Error codes

<!-- Generated from src/errors/catalogue.ts by \`npm run gen\`; do not edit by hand. -->

Every error Rampart answers with carries one of these stable codes and the request id, in the caller's wire format:
OpenAI \`{error:{code, request_id, …}}\`, Anthropic \`{type:"error", error:{code, …}, request_id}\`, Gemini
\`{error:{details:[{reason: <code>, metadata:{request_id}}]}}\`; the request id is also the \`x-request-id\` header.
Messages never include an upstream body, a stack trace or a secret. Retryable means trying again later, or on another
credential, may succeed.

| code | HTTP status | kind | retryable | message |
|---|---|---|---|---|
`;
  for (const [code, entry] of Object.entries(catalogue)) {
    doc += `| \`${code}\` | ${entry.status} | ${entry.kind} | ${entry.retryable ? 'yes' : 'no'} | ${entry.message.replace(/\|/g, '\\|')} |\n`;
  }
  return doc;
}
