import { configJsonSchema, itemsOf, propertyNames, propertyOf } from './json-schema.ts';
import type { JsonSchemaNode } from './json-schema.ts';

// Both renderers read the JSON Schema derived from `configSchema`, so the docs cannot drift from the validator; a
// test compares their output with the committed files.

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/** Short example used in docs/config.md; a test parses it, so it stays valid. */
const EXAMPLE = `# yaml-language-server: $schema=./rampart.schema.json
server:
  proxy: { host: 127.0.0.1, port: 8317 }
dataDir: ./data
providers:
  - id: local
    type: openai-compatible
    baseUrl: http://127.0.0.1:9999/v1
    allowPrivateNetwork: true        # the upstream is on loopback (here: rampart mock-upstream)
    credentials:
      - apiKey: \${UPSTREAM_KEY}
    models: [gpt-4o-mini]
  - id: claude
    type: anthropic                  # baseUrl defaults to https://api.anthropic.com
    credentials:
      - { apiKey: "\${ANTHROPIC_KEY_1}" }
      - { apiKey: "\${ANTHROPIC_KEY_2}", weight: 2 }
    policy: weighted
    models: [claude-sonnet-4-5, { name: smart, upstream: claude-opus-4-1 }]
routing:
  fallbacks: { gpt-4o-mini: [claude/claude-sonnet-4-5] }
`;

const ENV_RULES = `## Environment variables (\`\${VAR}\`)

- \`\${NAME}\` anywhere in a string value is replaced by the environment variable \`NAME\`
  (\`NAME\` matches \`[A-Za-z_][A-Za-z0-9_]*\`): \`Bearer \${TOKEN}\` works, and one string may hold several references.
- Substitution runs on the parsed YAML values, never on the raw text, so a variable's value cannot change the
  document's structure. Keys are never substituted, and a substituted value is not scanned again.
- \`$\${\` stands for a literal \`\${\`: \`$\${HOME}\` yields the text \`\${HOME}\`. A \`$\` not followed by \`{\` is kept as is.
- An unset variable is an error naming the variable and the field; every unset variable is reported at once.
  A variable set to the empty string substitutes as empty (and then fails fields that must not be empty).
- A malformed reference (\`\${1X}\`, \`\${\` without \`}\`) is an error.
- Substituted values are always strings, so numbers and booleans (ports, flags) must be written literally.
- Error messages name fields and variables, never values: values may be secrets.
`;

/** Markdown reference of every config field (docs/config.md). */
export function renderConfigDocs(): string {
  const rows: string[] = [];
  collectRows(configJsonSchema(), '', true, rows);
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run gen`; do not edit by hand. -->',
    '',
    'Rampart reads `./rampart.yaml` (or the file given with `--config`). Without a file, the defaults below apply:',
    'every listener on loopback and no providers. Every mapping is strict: an unknown key is an error, so a typo',
    'cannot silently leave a protection at its default. Relative paths are resolved against the folder of the',
    'config file. Editors can complete and check the file with [`rampart.schema.json`](../rampart.schema.json).',
    '',
    '## Fields',
    '',
    'In paths, `[]` stands for every entry of a list.',
    '',
    '| Path | Type | Default | Description |',
    '|---|---|---|---|',
    ...rows,
    '',
    ENV_RULES,
    '## Example',
    '',
    'A complete, commented example is [`rampart.example.yaml`](../rampart.example.yaml). The shortest useful config:',
    '',
    '```yaml',
    EXAMPLE.trimEnd(),
    '```',
    '',
  ].join('\n');
}

/** The editor-facing JSON Schema of rampart.yaml (rampart.schema.json), pretty-printed, newline-terminated. */
export function renderJsonSchema(): string {
  const { $schema, ...rest } = configJsonSchema();
  const document = {
    $schema,
    $id: 'urn:rampart:config',
    title: 'Rampart configuration (rampart.yaml)',
    description: 'Generated from src/config/schema.ts by `npm run gen`; see docs/config.md.',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function collectRows(node: JsonSchemaNode, path: string, required: boolean, rows: string[]): void {
  if (path !== '') {
    const cells = [code(path), typeOf(node), defaultOf(node, required), escape(stringOr(node.description, ''))];
    rows.push(`| ${cells.join(' | ')} |`);
  }
  const target = node.type === 'array' ? itemsOf(node) : node;
  if (!target || target.type !== 'object') return;
  const prefix = node.type === 'array' ? `${path}[]` : path;
  const requiredKeys = Array.isArray(target.required) ? target.required : [];
  for (const key of propertyNames(target)) {
    const child = propertyOf(target, key);
    if (child) collectRows(child, prefix === '' ? key : `${prefix}.${key}`, requiredKeys.includes(key), rows);
  }
}

function typeOf(node: JsonSchemaNode): string {
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => code(String(v))).join(', ')}`;
  if (node.type === 'array') {
    const items = itemsOf(node);
    const min = typeof node.minItems === 'number' ? `, at least ${node.minItems}` : '';
    return `list of ${items ? typeOf(items) : 'values'}${min}`;
  }
  if (node.type === 'object') return 'mapping';
  const type = stringOr(node.type, 'value');
  const limits = [...numberRange(node), ...stringRules(node)];
  return limits.length === 0 ? type : `${type} (${limits.join(', ')})`;
}

function numberRange(node: JsonSchemaNode): string[] {
  const min = typeof node.minimum === 'number' && node.minimum > -SAFE_INT ? node.minimum : undefined;
  const max = typeof node.maximum === 'number' && node.maximum < SAFE_INT ? node.maximum : undefined;
  if (min !== undefined && max !== undefined) return [`${min}..${max}`];
  const out: string[] = [];
  if (min !== undefined) out.push(`>= ${min}`);
  if (typeof node.exclusiveMinimum === 'number') out.push(`> ${node.exclusiveMinimum}`);
  if (max !== undefined) out.push(`<= ${max}`);
  return out;
}

function stringRules(node: JsonSchemaNode): string[] {
  const out: string[] = [];
  if (node.minLength === 1) out.push('non-empty');
  if (typeof node.pattern === 'string') out.push(`matching ${code(node.pattern)}`);
  return out;
}

function defaultOf(node: JsonSchemaNode, required: boolean): string {
  // An object's default is the sum of its fields' defaults, which have rows of their own.
  if (node.type === 'object') return '';
  if ('default' in node) return code(JSON.stringify(node.default));
  return required ? '**required**' : '';
}

function code(text: string): string {
  return `\`${escape(text)}\``;
}

function escape(text: string): string {
  return text.replaceAll('|', '\\|');
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
