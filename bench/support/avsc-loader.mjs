// Loads app/schemas/*.avsc as JSON modules, as esbuild bundles them for Lambda (for tools run with tsx).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.avsc')) return nextLoad(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  return { format: 'module', source: `export default ${source};`, shortCircuit: true };
}
