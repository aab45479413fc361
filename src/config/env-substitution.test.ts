import { describe, expect, it } from 'vitest';
import { substituteEnv, substituteString } from './env-substitution.ts';
import { ConfigError, parseConfig } from './load.ts';

describe('substituteString', () => {
  const env = { A: 'alpha', B: 'beta', EMPTY: '', REF: '${A}', DOLLAR: '$$' };

  it.each([
    ['${A}', 'alpha'],
    ['Bearer ${A}', 'Bearer alpha'],
    ['${A}-${B}/${A}', 'alpha-beta/alpha'],
    ['x${EMPTY}y', 'xy'],
    ['$${A}', '${A}'],
    ['a $${A} and ${B}', 'a ${A} and beta'],
    ['cost: $5 and $', 'cost: $5 and $'],
    ['$$', '$$'],
    ['no references', 'no references'],
    ['${REF}', '${A}'],
    ['${DOLLAR}{B}', '$${B}'],
    ['', ''],
  ])('%j becomes %j', (input, expected) => {
    expect(substituteString(input, env)).toEqual({ text: expected, problems: [] });
  });

  it('reports every unset variable of a string', () => {
    expect(substituteString('${MISSING}:${A}:${OTHER}', env).problems).toEqual([
      'environment variable MISSING is not set',
      'environment variable OTHER is not set',
    ]);
  });

  it('treats a variable whose value is undefined as unset', () => {
    expect(substituteString('${U}', { U: undefined }).problems).toEqual(['environment variable U is not set']);
  });

  it('does not read inherited properties of the env object as variables', () => {
    const env = Object.create({ INHERITED: 'from the prototype' }) as Record<string, string>;
    expect(substituteString('${constructor}${toString}${INHERITED}', env).problems).toEqual([
      'environment variable constructor is not set',
      'environment variable toString is not set',
      'environment variable INHERITED is not set',
    ]);
  });

  it.each([
    ['${1X}', /^malformed \$\{\.\.\.\} at character 1: .*\$\$\{/],
    ['abc ${A-B}', /^malformed \$\{\.\.\.\} at character 5/],
    ['${}', /^malformed/],
    ['${ A }', /^malformed/],
    ['x ${A', /^unterminated \$\{ at character 3/],
    ['${', /^unterminated/],
  ])('rejects the malformed reference %j', (input, pattern) => {
    const { problems } = substituteString(input, env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });
});

describe('substituteEnv', () => {
  it('substitutes string values at any depth, in arrays too, and leaves keys and other scalars alone', () => {
    const tree = { '${A}': 'x${A}', list: ['${B}', 1, true, null, { deep: ['${A}'] }], n: 5 };
    const { value, issues } = substituteEnv(tree, { A: 'alpha', B: 'beta' });
    expect(issues).toEqual([]);
    expect(value).toEqual({ '${A}': 'xalpha', list: ['beta', 1, true, null, { deep: ['alpha'] }], n: 5 });
  });

  it('names the path of every problem', () => {
    const tree = { a: { b: ['ok', '${X}'] }, c: '${Y} ${1}' };
    expect(substituteEnv(tree, {}).issues).toEqual([
      { path: 'a.b[1]', message: 'environment variable X is not set' },
      { path: 'c', message: 'environment variable Y is not set' },
      { path: 'c', message: expect.stringMatching(/^malformed/) as string },
    ]);
  });

  it('does not modify its input', () => {
    const tree = { a: ['${A}'] };
    substituteEnv(tree, { A: 'x' });
    expect(tree).toEqual({ a: ['${A}'] });
  });
});

describe('substitution through parseConfig', () => {
  const providerYaml = (apiKey: string, baseUrl = 'http://127.0.0.1:9999/v1'): string =>
    `providers:\n  - id: p\n    type: openai-compatible\n    allowPrivateNetwork: true\n    baseUrl: "${baseUrl}"\n    credentials:\n      - apiKey: k\n      - apiKey: "${apiKey}"\n    models: [m]\n`;

  it('substitutes a value nested in arrays of mappings', () => {
    const loaded = parseConfig(providerYaml('${KEY}'), { env: { KEY: 'sk-1' } });
    expect(loaded.config.providers[0]?.credentials).toEqual([{ apiKey: 'k', weight: 1 }, { apiKey: 'sk-1', weight: 1 }]);
  });

  it('substitutes inside a larger string', () => {
    const loaded = parseConfig(providerYaml('k', 'http://${HOST}:${PORT}/v1'), { env: { HOST: '127.0.0.1', PORT: '1234' } });
    expect(loaded.config.providers[0]?.baseUrl).toBe('http://127.0.0.1:1234/v1');
  });

  it('names the variable and the field path of each unset variable, all at once', () => {
    let error: unknown;
    try {
      parseConfig(`dataDir: \${DATA}\n${providerYaml('${UPSTREAM_KEY}')}`, { env: {}, source: '/x/r.yaml' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'invalid config /x/r.yaml:\n' +
        '  dataDir: environment variable DATA is not set\n' +
        '  providers[0].credentials[1].apiKey: environment variable UPSTREAM_KEY is not set',
    );
  });

  it('cannot change the document structure through a variable value', () => {
    const injected = 'x\nserver:\n  allowInsecureBind: true\n  proxy: { host: 0.0.0.0 }';
    const loaded = parseConfig('logging: { level: info }\ndataDir: "${D}"\n', { env: { D: injected } });
    expect(loaded.config.dataDir).toBe(injected);
    expect(loaded.config.server.allowInsecureBind).toBe(false);
    expect(loaded.config.server.proxy.host).toBe('127.0.0.1');
  });

  it('keeps a $${...} escape literal', () => {
    expect(parseConfig('dataDir: "/srv/$${HOME}"\n', { env: {} }).config.dataDir).toBe('/srv/${HOME}');
  });

  it('substitutes an empty value as empty, which then fails a non-empty field without leaking anything', () => {
    expect(() => parseConfig(providerYaml('${KEY}'), { env: { KEY: '' } })).toThrow(
      'providers[0].credentials[1].apiKey: must not be empty',
    );
  });
});
