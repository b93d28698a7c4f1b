"""A small numpy evaluator of the layer list (NHWC, TensorFlow SAME padding).

Used to calibrate the batch norms while generating weights, so every layer's activations
have the statistics of a trained network; it is not the oracle of the equivalence check
(TensorFlow and onnxruntime are).
"""
import numpy as np


def same_pads(size, kernel, stride):
    """TensorFlow SAME padding: (before, after); the extra row goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _patches(x, kernel, stride):
    """Yields (dy, dx, view) of the padded input, one strided view per kernel tap."""
    n, h, w, c = x.shape
    top, bottom = same_pads(h, kernel, stride)
    left, right = same_pads(w, kernel, stride)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    oh, ow = -(-h // stride), -(-w // stride)
    for dy in range(kernel):
        for dx in range(kernel):
            yield dy, dx, xp[:, dy:dy + stride * oh:stride, dx:dx + stride * ow:stride, :]


def conv2d(x, w, stride):
    """x [N, H, W, Cin], w [KH, KW, Cin, Cout] -> [N, OH, OW, Cout]."""
    out = None
    for dy, dx, view in _patches(x, w.shape[0], stride):
        part = np.tensordot(view, w[dy, dx], axes=([3], [0]))
        out = part if out is None else out + part
    return out.astype(np.float32)


def depthwise(x, w, stride):
    """x [N, H, W, C], w [KH, KW, C, 1] -> [N, OH, OW, C]."""
    out = None
    for dy, dx, view in _patches(x, w.shape[0], stride):
        part = view * w[dy, dx, :, 0]
        out = part if out is None else out + part
    return out.astype(np.float32)


def batch_norm(x, bn):
    scale = bn['gamma'] / np.sqrt(bn['variance'] + bn['epsilon'])
    return ((x - bn['mean']) * scale + bn['beta']).astype(np.float32)


def conv_of(layer, x, weights):
    """The raw convolution (before batch norm) of one layer."""
    if layer.kind == 'depthwise':
        return depthwise(x, weights, layer.stride)
    return conv2d(x, weights, layer.stride)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
