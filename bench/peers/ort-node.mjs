// ONNX Runtime native (MLAS) through onnxruntime-node: --threads sets intra-op threads.
import * as ort from 'onnxruntime-node';
import { main } from './common.mjs';
import { benchOrt } from './ort-common.mjs';

main((args) =>
  benchOrt(ort, 'onnxruntime-node', ort.env.versions?.node ?? '1.30.0', args, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  }));
