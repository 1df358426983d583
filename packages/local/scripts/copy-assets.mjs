// Copies the files tsc does not emit (the Lambda worker, plain JavaScript run in its own thread) into dist/.
import { cpSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
for (const file of ['services/lambda/worker.mjs']) {
  cpSync(path.join(root, 'src', file), path.join(root, 'dist', file));
}
