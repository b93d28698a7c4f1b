// Runs wasinfer-cli.wasm (the native CLI's sources built as a WASI command) under node:wasi.
//
// A WASI program sees only preopened directories. We preopen the current directory as "." and,
// for every argument naming an existing file or directory outside it, that path's directory
// under the same name the argument uses, so the program opens the argument as given and prints
// it exactly as the native CLI would. wasi-libc matches preopens by path prefix: "../data/x.jpg"
// resolves through a preopen named "../data". Only arguments that need it are rewritten
// ("./../x" -> "../x": a WASI path may not climb out of its preopen).
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chooseWasm } from './paths.js';
import { loadWasi, wasiImports } from './wasi.js';

function isDirectory(p) {
  try { return statSync(p).isDirectory(); } catch { return false; }
}

// Maps one path argument; returns the (possibly rewritten) argument and adds its preopen.
function mapPath(arg, preopens) {
  const resolved = path.resolve(arg);
  const dir = isDirectory(resolved) ? resolved : path.dirname(resolved);
  if (path.isAbsolute(arg)) {
    preopens[dir] = dir;
    return arg;
  }
  const normal = path.normalize(arg);
  if (normal === '..' || normal.startsWith(`..${path.sep}`)) {
    const guestDir = isDirectory(resolved) ? normal : path.dirname(normal);
    preopens[guestDir] = dir;
    return normal;
  }
  return arg; // inside the current directory: served by the "." preopen
}

// For `--flag=value` the value is mapped; a bare argument is mapped when it names an existing path.
export function mapArguments(args, cwd = process.cwd()) {
  const preopens = { '.': cwd };
  const mapped = args.map((arg) => {
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      const value = arg.slice(eq + 1);
      return existsSync(value) ? `${arg.slice(0, eq + 1)}${mapPath(value, preopens)}` : arg;
    }
    return !arg.startsWith('-') && existsSync(arg) ? mapPath(arg, preopens) : arg;
  });
  return { args: mapped, preopens };
}

// Runs the CLI with `args` (without the program name); resolves to its exit code.
// options.simd / options.relaxed choose the module as in createWasinfer.
export async function runCli(args, { wasmPath, simd = 'auto', relaxed = 'auto', env = process.env } = {}) {
  const file = wasmPath ?? chooseWasm('wasinfer-cli', { simd, relaxed }).file;
  const { WASI } = await loadWasi();
  const mapped = mapArguments(args);
  const wasi = new WASI({
    version: 'preview1',
    args: ['wasinfer', ...mapped.args],
    env: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('WASINFER_'))),
    preopens: mapped.preopens,
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(await readFile(file));
  const instance = await WebAssembly.instantiate(module, wasiImports(wasi));
  return wasi.start(instance);
}
