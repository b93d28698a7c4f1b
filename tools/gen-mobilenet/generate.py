"""Writes TF-slim MobileNet V2 (224x224) at the given widths, with identical deterministic
weights, as a frozen TensorFlow GraphDef, an ONNX model and a TensorFlow.js graph model,
plus the fixed benchmark input and a manifest.

    python tools/gen-mobilenet/generate.py --out bench/models [--widths 1.0,1.4]

Files, for each width W (1.0, 1.4):
    mobilenet_v2_W_224_frozen.pb    input 'input' [1,224,224,3] NHWC in [-1,1],
                                    output 'MobilenetV2/Predictions/Reshape_1' [1,1001]
    mobilenet_v2_W_224.onnx         input 'input' [1,3,224,224] NCHW, output 'probabilities'
    mobilenet_v2_W_224_tfjs/        model.json + group1-shard1of1.bin, NHWC like the .pb
    input_224.f32                   the fixed input, float32 [1,224,224,3] NHWC, little-endian
    manifest.json                   per model: parameters, MACs, files and their SHA-256
"""
import argparse
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import graph as g  # noqa: E402
import spec  # noqa: E402
import weights as wt  # noqa: E402
import writers  # noqa: E402

INPUT_SEED = 7  # the benchmark input; the calibration image uses another seed


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def width_tag(width):
    return f'{width:.1f}'


def generate_width(width, out, verbose):
    tag = width_tag(width)
    layers, params = wt.generate(width, log=print if verbose else None)
    n_params, macs = spec.count(layers)
    files = {}

    pb = f'{out}/mobilenet_v2_{tag}_224_frozen.pb'
    with open(pb, 'wb') as f:
        f.write(g.to_graphdef_bytes(writers.tf_slim_graph(layers, params)))
    files['tf'] = pb

    onnx_path = f'{out}/mobilenet_v2_{tag}_224.onnx'
    import onnx
    onnx.save(writers.onnx_model(layers, params), onnx_path)
    files['onnx'] = onnx_path

    tfjs_dir = f'{out}/mobilenet_v2_{tag}_224_tfjs'
    os.makedirs(tfjs_dir, exist_ok=True)
    writers.write_tfjs(writers.tfjs_graph(layers, params), tfjs_dir, width)
    files['tfjs'] = tfjs_dir + '/model.json'

    entry = {'width': width, 'parameters': n_params, 'macs': macs,
             'files': {k: os.path.relpath(v, out) for k, v in files.items()},
             'sha256': {k: sha256(v) for k, v in files.items()}}
    print(f'mobilenet_v2_{tag}_224: {n_params / 1e6:.2f} M parameters, '
          f'{macs / 1e6:.0f} M MACs -> {pb}, {onnx_path}, {tfjs_dir}/')
    return tag, entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='output directory (created)')
    parser.add_argument('--widths', default='1.0,1.4', help='comma-separated width multipliers')
    parser.add_argument('--verbose', action='store_true',
                        help='print per-layer activation statistics of the calibration image')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    image = wt.image(INPUT_SEED)  # [1, 224, 224, 3]
    input_path = f'{args.out}/input_224.f32'
    image.astype('<f4').tofile(input_path)

    manifest = {'generator': 'tools/gen-mobilenet', 'seed': wt.SEED,
                'input': {'file': 'input_224.f32', 'shape': [1, 224, 224, 3], 'layout': 'NHWC',
                          'sha256': sha256(input_path)},
                'models': {}}
    for width in (float(w) for w in args.widths.split(',')):
        tag, entry = generate_width(width, args.out, args.verbose)
        manifest['models'][tag] = entry
    with open(f'{args.out}/manifest.json', 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    main()
