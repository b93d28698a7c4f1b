// Where the .wasm files are: $WASINFER_WASM_DIR, then the package's own wasm/ (a packed npm
// package), then the repository's build/wasm/ (a checkout after `make`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export function wasmSearchDirs() {
  const dirs = [];
  if (process.env.WASINFER_WASM_DIR) dirs.push(path.resolve(process.env.WASINFER_WASM_DIR));
  dirs.push(path.resolve(here, '..', 'wasm'));
  dirs.push(path.resolve(here, '..', '..', '..', 'build', 'wasm'));
  return dirs;
}

// findWasm('wasinfer', true) -> '/.../wasinfer.wasm'; the scalar variant is '<name>-scalar.wasm'.
export function findWasm(name, simd) {
  const file = simd ? `${name}.wasm` : `${name}-scalar.wasm`;
  const dirs = wasmSearchDirs();
  for (const dir of dirs) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`wasinfer: ${file} not found in ${dirs.join(', ')} (run \`make wasm\` or set WASINFER_WASM_DIR)`);
}
