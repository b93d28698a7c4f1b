#!/usr/bin/env node
// wasinfer under node:wasi: the same subcommands, flags and output as the native CLI
// (classify, inspect, bench), running build/wasm/wasinfer-cli.wasm. The exit code is passed
// through. The module is the relaxed-SIMD build where this Node validates relaxed SIMD (Node 22+,
// or Node 20 run as `node --experimental-wasm-relaxed-simd`), else the SIMD128 build;
// WASINFER_RELAXED=0 keeps the SIMD128 build, WASINFER_SIMD=0 forces the scalar build.
import { runCli } from '../lib/cli.js';

const simd = process.env.WASINFER_SIMD === '0' ? false : 'auto';
const relaxed = process.env.WASINFER_RELAXED === '0' ? false : 'auto';
try {
  process.exitCode = await runCli(process.argv.slice(2), { simd, relaxed });
} catch (e) {
  // A trap or a missing .wasm: the CLI itself never got to report it.
  process.stderr.write(`wasinfer (node): ${e.message.replace(/^wasinfer: /, '')}\n`);
  process.exitCode = 70;
}
