import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderConfigDocs, renderJsonSchema } from './docs.ts';
import { configJsonSchema, isNode, itemsOf, propertyNames, propertyOf } from './json-schema.ts';
import type { JsonSchemaNode } from './json-schema.ts';
import { parseConfig } from './load.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Every property of the schema as [dotted path, node], arrays written `[]`. */
function fields(node: JsonSchemaNode, prefix = ''): [string, JsonSchemaNode][] {
  const target = node.type === 'array' ? itemsOf(node) : node;
  if (!target || target.type !== 'object') return [];
  const base = node.type === 'array' ? `${prefix}[]` : prefix;
  return propertyNames(target).flatMap((key) => {
    const child = propertyOf(target, key);
    const at = base === '' ? key : `${base}.${key}`;
    return child ? [[at, child] as [string, JsonSchemaNode], ...fields(child, at)] : [];
  });
}

describe('generated files', () => {
  // A failure here means the schema changed without regenerating: run `npm run gen`.
  it('docs/config.md is up to date', async () => {
    expect(await readFile(path.join(root, 'docs/config.md'), 'utf8')).toBe(renderConfigDocs());
  });

  it('rampart.schema.json is up to date', async () => {
    expect(await readFile(path.join(root, 'rampart.schema.json'), 'utf8')).toBe(renderJsonSchema());
  });

  it('gen:check passes on the committed files', async () => {
    const run = promisify(execFile);
    const { stderr } = await run(process.execPath, [path.join(root, 'scripts/gen-config-docs.ts'), '--check']);
    expect(stderr).toBe('');
  });
});

describe('renderConfigDocs', () => {
  const docs = renderConfigDocs();

  it('is deterministic', () => {
    expect(renderConfigDocs()).toBe(docs);
    expect(renderJsonSchema()).toBe(renderJsonSchema());
  });

  it('has a row with a description for every field of the schema', () => {
    const all = fields(configJsonSchema());
    expect(all.length).toBeGreaterThan(20);
    for (const [at, node] of all) {
      expect(node.description, at).toEqual(expect.any(String));
      expect(docs, at).toContain(`| \`${at}\` |`);
    }
  });

  it('shows defaults and required fields', () => {
    expect(docs).toContain('| `server.proxy.port` | integer (0..65535) | `8317` |');
    expect(docs).toContain('| `limits.maxBodyBytes` | integer (1024..104857600) | `4194304` |');
    expect(docs).toMatch(/\| `providers\[\]\.id` \| string .*\| \*\*required\*\* \|/);
    // baseUrl's default depends on the type, so it is neither required nor given one default.
    expect(docs).toMatch(/\| `providers\[\]\.baseUrl` \| string \| {2}\|/);
  });

  it('documents the ${VAR} rules', () => {
    expect(docs).toContain('## Environment variables');
    expect(docs).toContain('`$${` stands for a literal `${`');
  });

  it('contains an example that parses', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toBeDefined();
    const loaded = parseConfig(example ?? '', { env: { UPSTREAM_KEY: 'sk-doc', ANTHROPIC_KEY_1: 'a1', ANTHROPIC_KEY_2: 'a2' } });
    expect(loaded.config.providers[0]?.credentials[0]?.apiKey).toBe('sk-doc');
  });
});

describe('renderJsonSchema', () => {
  const schema: unknown = JSON.parse(renderJsonSchema());

  it('identifies itself and forbids unknown keys at every level', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:rampart:config',
      title: expect.any(String) as string,
      type: 'object',
      additionalProperties: false,
    });
    const objects = fields(schema as JsonSchemaNode)
      .map(([, node]) => (node.type === 'array' ? itemsOf(node) : node))
      .filter((node): node is JsonSchemaNode => isNode(node) && node.type === 'object');
    expect(objects.length).toBeGreaterThan(5);
    // Records are maps with open keys by design (routing.fallbacks, validation.modelMaxTokens,
    // waf.builtin.ruleModes, waf.perKeyMode, oauth.{claude,codex,gemini}.extraAuthorizeParams); every other object is closed.
    const records = objects.filter((node) => node.properties === undefined && isNode(node.additionalProperties));
    expect(records).toHaveLength(7);
    for (const node of objects.filter((n) => !records.includes(n))) expect(node.additionalProperties).toBe(false);
  });

  it('describes what users write: defaulted fields are optional, the others required', () => {
    const provider = itemsOf(propertyOf(schema as JsonSchemaNode, 'providers') ?? {});
    // credentials default to [] (the vault may supply them), so only these are required.
    expect(provider?.required).toEqual(['id', 'type', 'models']);
    expect((schema as JsonSchemaNode).required).toBeUndefined();
    expect(propertyOf(schema as JsonSchemaNode, 'providers')?.default).toEqual([]);
  });
});
