// Regenerates the files derived from src/config/schema.ts (and docs/metrics.md from src/metrics/names.ts). `--check` writes nothing and fails when a committed file
// is stale, so CI catches a schema change whose docs were not regenerated.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderConfigDocs, renderJsonSchema } from '../src/config/docs.ts';
import { renderMetricsDoc } from '../src/metrics/metrics-doc.ts';

const root = path.resolve(import.meta.dirname, '..');
const outputs: { file: string; render: () => string }[] = [
  { file: 'docs/config.md', render: renderConfigDocs },
  { file: 'rampart.schema.json', render: renderJsonSchema },
  { file: 'docs/metrics.md', render: renderMetricsDoc },
];

async function current(file: string): Promise<string | null> {
  try {
    return await readFile(path.join(root, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const { file, render } of outputs) {
  const wanted = render();
  if ((await current(file)) === wanted) continue;
  stale.push(file);
  if (!check) await writeFile(path.join(root, file), wanted);
}

if (check && stale.length > 0) {
  console.error(`stale generated file(s): ${stale.join(', ')}\nrun \`npm run gen\` and commit the result`);
  process.exitCode = 1;
} else if (!check) {
  console.log(stale.length > 0 ? `wrote ${stale.join(', ')}` : 'generated files already up to date');
}
