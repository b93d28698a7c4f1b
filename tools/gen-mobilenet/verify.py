"""Checks the generated files against real runtimes: the frozen .pb in TensorFlow, the ONNX
model in onnxruntime, on the fixed input; prints max |delta| of the probabilities and the
op kinds of the .pb. Exits non-zero when they disagree by more than --tolerance.

    python tools/gen-mobilenet/verify.py --models bench/models [--reference REF.pb]

Needs tensorflow-cpu and onnxruntime (tools/gen-mobilenet/requirements-verify.txt).
"""
import argparse
import json
import os
import sys

import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')


def graphdef(path):
    from tensorflow.core.framework import graph_pb2
    gd = graph_pb2.GraphDef()
    with open(path, 'rb') as f:
        gd.ParseFromString(f.read())
    return gd


def run_tf(path, image):
    import tensorflow as tf
    gd = graphdef(path)
    with tf.Graph().as_default() as graph:
        tf.compat.v1.import_graph_def(gd, name='')
        with tf.compat.v1.Session(graph=graph) as sess:
            return sess.run('MobilenetV2/Predictions/Reshape_1:0', {'input:0': image})


def run_onnx(path, image):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
    return sess.run(None, {'input': np.ascontiguousarray(image.transpose(0, 3, 1, 2))})[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--models', required=True)
    parser.add_argument('--reference', help='a real TF-slim frozen .pb whose op kinds to match')
    parser.add_argument('--tolerance', type=float, default=1e-5)
    args = parser.parse_args()
    with open(f'{args.models}/manifest.json') as f:
        manifest = json.load(f)
    image = np.fromfile(f"{args.models}/{manifest['input']['file']}", '<f4')
    image = image.reshape(manifest['input']['shape'])
    ok = True
    ref_ops = None
    if args.reference:
        ref_ops = sorted({n.op for n in graphdef(args.reference).node})
        print('reference op kinds:', ' '.join(ref_ops))
    for tag, entry in manifest['models'].items():
        pb = f"{args.models}/{entry['files']['tf']}"
        ops = sorted({n.op for n in graphdef(pb).node})
        print(f'{tag}: .pb op kinds: {" ".join(ops)}')
        if ref_ops is not None and ops != ref_ops:
            print(f'{tag}: op kinds differ from the reference')
            ok = False
        p_tf = run_tf(pb, image)
        p_onnx = run_onnx(f"{args.models}/{entry['files']['onnx']}", image)
        delta = float(np.abs(p_tf - p_onnx).max())
        top_tf = np.argsort(-p_tf[0])[:5]
        top_onnx = np.argsort(-p_onnx[0])[:5]
        print(f'{tag}: TensorFlow vs onnxruntime max |delta| = {delta:.3g}; '
              f'top-5 TF {top_tf.tolist()} p={p_tf[0, top_tf[0]]:.4f}, '
              f'ONNX {top_onnx.tolist()}; sum(p) = {p_tf.sum():.6f}')
        if delta > args.tolerance or top_tf[0] != top_onnx[0]:
            ok = False
    print('verify:', 'OK' if ok else 'FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
