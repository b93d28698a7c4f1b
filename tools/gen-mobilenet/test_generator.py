"""Tests of the generator without TensorFlow:
    python -m unittest discover -s tools/gen-mobilenet   (numpy + onnx; run by scripts/bench.sh)
verify.py is the check against real runtimes."""
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forward  # noqa: E402
import graph as g  # noqa: E402
import spec  # noqa: E402
import weights as wt  # noqa: E402
import writers  # noqa: E402


class SpecTest(unittest.TestCase):
    def test_published_sizes(self):
        # The TF-slim model table: 1.0 -> 3.47 M / 300 M, 1.4 -> 6.06 M / 582 M.
        self.assertEqual(spec.count(spec.build_layers(1.0)), (3472041, 300775552))
        self.assertEqual(spec.count(spec.build_layers(1.4)), (6062633, 582197616))

    def test_widths_1_4(self):
        layers = spec.build_layers(1.4)
        self.assertEqual(layers[0].cout, 48)       # make_divisible(32 * 1.4) = 48
        self.assertEqual(layers[-2].cout, 1792)    # 1280 * 1.4
        self.assertEqual(layers[-1].cout, 1001)
        self.assertEqual(sum(1 for l in layers if l.residual_from is not None), 10)

    def test_make_divisible(self):
        self.assertEqual(spec.make_divisible(22.4), 24)
        self.assertEqual(spec.make_divisible(4), 8)   # min depth 8
        self.assertEqual(spec.make_divisible(100.8), 104)


class ForwardTest(unittest.TestCase):
    def test_same_pads(self):
        self.assertEqual(forward.same_pads(224, 3, 2), (0, 1))
        self.assertEqual(forward.same_pads(7, 3, 1), (1, 1))

    def test_conv_and_depthwise_against_loops(self):
        rng = np.random.default_rng(1)
        x = rng.standard_normal((1, 5, 5, 2)).astype(np.float32)
        w = rng.standard_normal((3, 3, 2, 3)).astype(np.float32)
        dw = rng.standard_normal((3, 3, 2, 1)).astype(np.float32)
        for stride in (1, 2):
            top, _ = forward.same_pads(5, 3, stride)
            xp = np.pad(x, ((0, 0), (top, 2), (top, 2), (0, 0)))
            out = forward.conv2d(x, w, stride)
            dout = forward.depthwise(x, dw, stride)
            for oy in range(out.shape[1]):
                for ox in range(out.shape[2]):
                    patch = xp[0, oy * stride:oy * stride + 3, ox * stride:ox * stride + 3, :]
                    np.testing.assert_allclose(out[0, oy, ox], np.einsum('hwc,hwco->o', patch, w), rtol=1e-5, atol=1e-5)
                    np.testing.assert_allclose(dout[0, oy, ox], np.einsum('hwc,hwc->c', patch, dw[..., 0]), rtol=1e-5, atol=1e-5)


class WeightsTest(unittest.TestCase):
    def test_deterministic_and_folding_exact(self):
        layers, p1 = wt.generate(1.0)
        _, p2 = wt.generate(1.0)
        np.testing.assert_array_equal(p1[5]['weights'], p2[5]['weights'])
        # Folding batch norm into the conv computes the same function.
        x = wt.image(3)
        layer = layers[0]
        w, b = wt.fold(layer, p1[0])
        unfolded = forward.batch_norm(forward.conv_of(layer, x, p1[0]['weights']), p1[0]['bn'])
        np.testing.assert_allclose(forward.conv_of(layer, x, w) + b, unfolded, rtol=1e-4, atol=1e-4)


class GraphDefTest(unittest.TestCase):
    def test_wire_format(self):
        self.assertEqual(g._varint(300), b'\xac\x02')
        self.assertEqual(len(g._varint(-1)), 10)
        graph = g.Graph()
        graph.add('x', 'Placeholder', dtype=('type', 'DT_FLOAT'))
        # GraphDef.node (1, bytes) { name=1 'x', op=2 'Placeholder', attr=5 {dtype: type 1} }
        data = g.to_graphdef_bytes(graph, producer=24)
        self.assertTrue(data.startswith(b'\x0a'))
        self.assertIn(b'\x0a\x01x\x12\x0bPlaceholder', data)
        self.assertTrue(data.endswith(b'\x22\x02\x08\x18'))  # versions { producer: 24 }

    def test_tf_graph_op_kinds(self):
        layers, params = wt.generate(1.0)
        ops = {n['op'] for n in writers.tf_slim_graph(layers, params).nodes}
        self.assertEqual(ops, {'Placeholder', 'Const', 'Identity', 'Conv2D', 'DepthwiseConv2dNative',
                               'FusedBatchNorm', 'Relu6', 'Add', 'AvgPool', 'BiasAdd', 'Squeeze',
                               'Reshape', 'Softmax', 'Shape'})

    def test_onnx_valid(self):
        import onnx
        layers, params = wt.generate(1.0)
        model = writers.onnx_model(layers, params)  # runs onnx.checker
        with tempfile.TemporaryDirectory() as d:
            onnx.save(model, f'{d}/m.onnx')
            self.assertGreater(os.path.getsize(f'{d}/m.onnx'), 13_000_000)


if __name__ == '__main__':
    unittest.main()
