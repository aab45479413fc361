/**
 * Writes docs/errors.md from src/errors/catalogue.ts (`npm run gen`); with --check, exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderErrorsDoc } from '../src/errors/errors-doc.ts';

const file = path.resolve(import.meta.dirname, '../docs/errors.md');
const wanted = renderErrorsDoc();
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== wanted) {
    console.error('stale generated file: docs/errors.md\nrun `npm run gen` and commit the result');
    process.exit(1);
  }
} else {
  writeFileSync(file, wanted);
  console.log('wrote docs/errors.md');
}
