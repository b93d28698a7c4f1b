"""Writes ONNX Runtime's output for each generated ONNX model on the fixed input, as an
independent reference for the loader tests (tests/tfjs, tests/onnx):

    python tools/gen-mobilenet/reference_outputs.py --models bench/models

    outputs/onnxruntime_W.f32   float32 [1001] little-endian, W = 1.0, 1.4
"""
import argparse
import json
import os

import numpy as np
import onnxruntime as ort


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--models', required=True)
    args = ap.parse_args()
    with open(os.path.join(args.models, 'manifest.json')) as f:
        manifest = json.load(f)
    nhwc = np.fromfile(os.path.join(args.models, manifest['input']['file']), dtype='<f4')
    nhwc = nhwc.reshape(manifest['input']['shape'])
    nchw = np.ascontiguousarray(nhwc.transpose(0, 3, 1, 2))
    os.makedirs(os.path.join(args.models, 'outputs'), exist_ok=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    for tag, model in manifest['models'].items():
        sess = ort.InferenceSession(os.path.join(args.models, model['files']['onnx']), opts,
                                    providers=['CPUExecutionProvider'])
        (out,) = sess.run(None, {sess.get_inputs()[0].name: nchw})
        out.astype('<f4').reshape(-1).tofile(
            os.path.join(args.models, 'outputs', f'onnxruntime_{tag}.f32'))


if __name__ == '__main__':
    main()
