#!/usr/bin/env node
// wasinfer under node:wasi: the same subcommands, flags and output as the native CLI
// (classify, inspect, bench), running build/wasm/wasinfer-cli.wasm. The exit code is passed
// through. WASINFER_SIMD=0 forces the scalar build.
import { runCli } from '../lib/cli.js';

const simd = process.env.WASINFER_SIMD === '0' ? false : 'auto';
try {
  process.exitCode = await runCli(process.argv.slice(2), { simd });
} catch (e) {
  // A trap or a missing .wasm: the CLI itself never got to report it.
  process.stderr.write(`wasinfer (node): ${e.message.replace(/^wasinfer: /, '')}\n`);
  process.exitCode = 70;
}
