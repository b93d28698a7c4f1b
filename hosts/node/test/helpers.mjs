// Shared by the node --test files: where the test data, the .wasm files and the native CLI are.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// $WASINFER_DATA, else ../shared/data from the repository root; a plain error when missing.
export const dataDir = path.resolve(repoRoot, process.env.WASINFER_DATA ?? path.join('..', 'shared', 'data'));
if (!existsSync(path.join(dataDir, 'expected.tsv'))) {
  throw new Error(`test data not found at ${dataDir} (set WASINFER_DATA to the shared data directory)`);
}

export const v2Model = 'models/tf/mobilenet_v2_1.0_224_frozen.pb';
export const tfhubModel = 'models/tf/mobilenet_v1_0.25_224_tfhub_frozen.pb';
export const labelsFile = 'labels/imagenet_1001.txt';

export function data(relative) {
  return readFileSync(path.join(dataDir, relative));
}

// The range a model was trained with (../shared/data/README.md): the TF-Hub model takes [0,1].
export function rangeFor(model) {
  return model.includes('tfhub') ? '[0,1]' : '[-1,1]';
}

// Rows of expected.tsv: {model, image, accepted: [0-based rows], label}.
export function expectedRows() {
  return readFileSync(path.join(dataDir, 'expected.tsv'), 'utf8').split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [model, image, accepted, label] = line.split('\t');
      return { model, image, accepted: accepted.split(',').map(Number), label };
    });
}

// The native CLI: $WASINFER_NATIVE_CLI (set by CTest), else build/wasinfer.
export function nativeCli() {
  const cli = process.env.WASINFER_NATIVE_CLI ?? path.join(repoRoot, 'build', 'wasinfer');
  if (!existsSync(cli)) throw new Error(`native CLI not found at ${cli} (build it with \`make native\`)`);
  return cli;
}
