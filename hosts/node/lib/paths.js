// Where the .wasm files are: $WASINFER_WASM_DIR, then the package's own wasm/ (a packed npm
// package), then the repository's build/wasm/ (a checkout after `make`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { relaxedSimdSupported, simdSupported } from './simd.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function wasmSearchDirs() {
  const dirs = [];
  if (process.env.WASINFER_WASM_DIR) dirs.push(path.resolve(process.env.WASINFER_WASM_DIR));
  dirs.push(path.resolve(here, '..', 'wasm'));
  dirs.push(path.resolve(here, '..', '..', '..', 'build', 'wasm'));
  return dirs;
}

function lookup(file) {
  for (const dir of wasmSearchDirs()) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function variantFile(name, simd, relaxed) {
  if (!simd) return `${name}-scalar.wasm`;
  return relaxed ? `${name}-relaxed.wasm` : `${name}.wasm`;
}

// findWasm('wasinfer', true) -> '/.../wasinfer.wasm'; the other variants are
// '<name>-relaxed.wasm' (simd and relaxed) and '<name>-scalar.wasm' (no simd).
export function findWasm(name, simd, relaxed = false) {
  const file = variantFile(name, simd, relaxed);
  const found = lookup(file);
  if (found) return found;
  throw new Error(`wasinfer: ${file} not found in ${wasmSearchDirs().join(', ')} (run \`make wasm\` or set WASINFER_WASM_DIR)`);
}

// The module a host loads: options.simd and options.relaxed are 'auto' (what this engine
// validates), true or false. Relaxed SIMD is used only with SIMD; 'auto' falls back to the
// SIMD128 module when the relaxed one is not there (an older build or package).
export function chooseWasm(name, { simd = 'auto', relaxed = 'auto' } = {}) {
  const useSimd = simd === 'auto' ? simdSupported() : Boolean(simd);
  let useRelaxed = useSimd && (relaxed === 'auto' ? relaxedSimdSupported() : Boolean(relaxed));
  if (useRelaxed && relaxed === 'auto' && !lookup(variantFile(name, true, true))) useRelaxed = false;
  if (useRelaxed && !relaxedSimdSupported()) {
    throw new Error('wasinfer: this engine does not validate relaxed SIMD (Node 22+, or Node 20 '
      + 'with --experimental-wasm-relaxed-simd); leave options.relaxed at \'auto\'');
  }
  return { file: findWasm(name, useSimd, useRelaxed), simd: useSimd, relaxed: useRelaxed };
}
