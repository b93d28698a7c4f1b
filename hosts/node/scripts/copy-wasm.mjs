// npm prepack: copies the four .wasm files from the checkout's build/wasm/ (after `make wasm`)
// into the package's wasm/ folder, where lib/paths.js finds them in an installed package.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const from = path.resolve(pkg, '..', '..', 'build', 'wasm');
const names = ['wasinfer', 'wasinfer-scalar', 'wasinfer-cli', 'wasinfer-cli-scalar'].map((n) => `${n}.wasm`);
const missing = names.filter((n) => !existsSync(path.join(from, n)));
if (missing.length) {
  console.error(`copy-wasm: ${missing.join(', ')} missing in ${from}: run \`make wasm\` first`);
  process.exit(1);
}
mkdirSync(path.join(pkg, 'wasm'), { recursive: true });
for (const n of names) copyFileSync(path.join(from, n), path.join(pkg, 'wasm', n));
console.error(`copy-wasm: ${names.length} modules copied to wasm/`);
