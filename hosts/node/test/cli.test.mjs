// The CLI under node:wasi (bin/wasinfer.js running wasinfer-cli.wasm) prints what the native CLI
// prints, with the same exit codes. Timings are the only thing allowed to differ.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dataDir, labelsFile, nativeCli, repoRoot, tfhubModel, v2Model } from './helpers.mjs';

const cli = nativeCli();
const nodeCli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'wasinfer.js');
// Relative paths from the repository root climb out of it ("../shared/data/..."): the host must
// preopen those directories under the same names.
const rel = (p) => path.relative(repoRoot, path.join(dataDir, p));
// CTest's node_cli-relaxed run (WASINFER_TEST_RELAXED=1) starts the CLI with the flag that makes
// Node 20 validate relaxed SIMD, so the CLI picks wasinfer-cli-relaxed.wasm by itself.
const relaxedRun = process.env.WASINFER_TEST_RELAXED === '1';
const nodeArgv = [process.execPath, ...(relaxedRun ? ['--experimental-wasm-relaxed-simd'] : []), nodeCli];
const expectedIsa = relaxedRun ? 'wasm-relaxed-simd' : 'wasm-simd128';

function run(argv0, args, simd = true) {
  const r = spawnSync(argv0[0], [...argv0.slice(1), ...args], {
    cwd: repoRoot, encoding: 'utf8', env: { ...process.env, WASINFER_SIMD: simd ? '1' : '0' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Output without what may differ: timings; the bytes of packed weights (the kernels pack for
// their ISA: x86 panels natively, SIMD128 in wasm); and the last printed digit of probabilities
// (wasm and native agree within 1e-5, which can round a printed digit the other way). Decimal
// numbers are pulled out and compared within 1e-5 plus one unit of their printed precision.
function normalize(text) {
  const numbers = [];
  const skeleton = text
    .replace(/"timing_ms": \{[^}]*\}/g, '"timing_ms": {}')
    .replace(/-?\d+(\.\d+)? ms\b/g, '<t> ms')
    .replace(/^weights .*$/m, 'weights <packed for the ISA>')
    .replace(/\d+\.(\d+)/g, (m, decimals) => {
      numbers.push({ value: Number(m), tolerance: 1e-5 + 10 ** -decimals.length });
      return '<x>';
    });
  return { skeleton, numbers };
}

function assertSameOutput(wasmText, nativeText, what) {
  const w = normalize(wasmText);
  const n = normalize(nativeText);
  assert.equal(w.skeleton, n.skeleton, what);
  w.numbers.forEach((x, i) => assert.ok(Math.abs(x.value - n.numbers[i].value) <= x.tolerance,
    `${what}: number #${i}: wasm ${x.value} vs native ${n.numbers[i].value}`));
}

function assertSame(args, { simd = true } = {}) {
  const native = run([cli], args);
  const wasm = run(nodeArgv, args, simd);
  assert.equal(wasm.status, native.status, `exit codes differ; wasm stderr: ${wasm.stderr}`);
  assertSameOutput(wasm.stdout, native.stdout, 'stdout');
  assertSameOutput(wasm.stderr, native.stderr, 'stderr');
  return native;
}

test('classify: text output, relative paths outside the current directory', () => {
  const native = assertSame(['classify', '--model', rel(v2Model), '--labels', rel(labelsFile), '--top', '3',
    rel('images/grace_hopper.jpg'), rel('images/golden-retriever.jpeg')]);
  assert.equal(native.status, 0);
  assert.match(native.stdout, /military uniform/);
});

test('classify: --json, absolute paths, TF-Hub model with range 0,1, scalar build too', () => {
  for (const simd of [true, false]) {
    const native = assertSame(['classify', '--model', path.join(dataDir, tfhubModel), '--range', '0,1', '--json',
      path.join(dataDir, 'images/burger.jpg')], { simd });
    assert.equal(JSON.parse(native.stdout.trim()).top[0].index, 934);
  }
});

test('inspect', () => {
  const native = assertSame(['inspect', rel(v2Model)]);
  assert.equal(native.status, 0);
});

test('errors: same message and exit code', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wasinfer-cli-'));
  try {
    const garbage = path.join(dir, 'garbage.jpg');
    writeFileSync(garbage, Buffer.alloc(3000, 0x55));
    const bad = assertSame(['classify', '--model', rel(v2Model), garbage, rel('images/parrot.jpg')]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /garbage\.jpg/);
    assertSame(['classify', '--model', rel(v2Model), path.join(dir, 'missing.jpg')]);
    assertSame(['classify', '--frobnicate']);
    assertSame(['no-such-command']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bench --json runs in wasm, in the module this engine validates', () => {
  const wasm = run(nodeArgv, ['bench', '--model', rel(v2Model), '--runs', '2', '--warmup', '1', '--json']);
  assert.equal(wasm.status, 0, wasm.stderr);
  const result = JSON.parse(wasm.stdout.trim().split('\n').at(-1));
  assert.equal(result.runs, 2);
  assert.ok(result.median_ms > 0);
  assert.equal(result.isa, expectedIsa, 'the module the CLI chose for this engine');
});
