"""Deterministic MobileNet V2 weights with the activation statistics of a trained network.

Random weights alone make a network whose activations either vanish or saturate after a few
layers, which flatters some kernels (ReLU6 always 0 or always 6) and hides numerical error.
So, like a trained network: convolutions are He-initialised, and each batch norm's moving
mean and variance are the per-channel statistics that the convolution actually produces on a
calibration image (as if measured during training), with gamma and beta drawn so that the
normalised pre-activations sit around N(0.5, 1.4^2): ReLU6 is active on most channels,
clamps at 0 on about a third and at 6 rarely. Logits are scaled to a standard deviation of
about 3, so the softmax is neither flat nor one-hot.

Everything comes from numpy's PCG64 generator with a fixed seed: the same width gives the
same bytes on every machine.
"""
import numpy as np

import forward
import spec

SEED = 20200714  # any fixed number; changing it changes every generated file
LOGITS_STD = 3.0


def image(seed, size=spec.IMAGE_SIZE):
    """A deterministic image-like input in [-1, 1], [1, size, size, 3]: smooth gradients and
    blobs plus a little noise, so that early layers see spatial structure, not white noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.linspace(0, 1, size), np.linspace(0, 1, size), indexing='ij')
    planes = []
    for _ in range(3):
        plane = np.zeros((size, size))
        for _ in range(6):
            fy, fx = rng.uniform(0.5, 6.0, 2)
            phase = rng.uniform(0, 2 * np.pi)
            plane += rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * (fy * yy + fx * xx) + phase)
        planes.append(plane / np.abs(plane).max())
    img = np.stack(planes, axis=-1) * 0.85 + rng.normal(0, 0.08, (size, size, 3))
    return np.clip(img, -1, 1).astype(np.float32)[None]


def generate(width, log=None):
    """Returns a list, parallel to spec.build_layers(width), of dicts with 'weights'
    (TF layout, float32) and either 'bn' (gamma, beta, mean, variance, epsilon) or 'bias'."""
    layers = spec.build_layers(width)
    rng = np.random.default_rng([SEED, int(round(width * 100))])
    x = image(SEED + 1)
    outputs = []  # activations after each layer, for residuals and the next layer
    params = []
    for i, layer in enumerate(layers):
        inp = x if layer.block_input < 0 else outputs[layer.block_input]
        shape = layer.weight_shape()
        fan_in = shape[0] * shape[1] * (1 if layer.kind == 'depthwise' else shape[2])
        # He init for ReLU layers; unit gain for the linear projections and the logits.
        gain = 2.0 if layer.relu6 else 1.0
        w = (rng.standard_normal(shape) * np.sqrt(gain / fan_in)).astype(np.float32)

        if layer.kind == 'logits':
            pooled = inp.mean(axis=(1, 2), keepdims=True)
            raw = forward.conv2d(pooled, w, 1)
            w = (w * (LOGITS_STD / raw.std())).astype(np.float32)
            bias = rng.normal(0, 0.1, layer.cout).astype(np.float32)
            params.append({'weights': w, 'bias': bias})
            outputs.append(forward.conv2d(pooled, w, 1) + bias)
            break

        raw = forward.conv_of(layer, inp, w)
        mean = raw.mean(axis=(0, 1, 2))
        variance = raw.var(axis=(0, 1, 2))
        if layer.relu6:
            gamma = rng.uniform(0.9, 1.9, layer.cout)
            beta = rng.uniform(-0.2, 1.2, layer.cout)
        else:
            gamma = rng.uniform(0.6, 1.2, layer.cout)
            beta = rng.uniform(-0.3, 0.3, layer.cout)
        bn = {'gamma': gamma.astype(np.float32), 'beta': beta.astype(np.float32),
              'mean': mean.astype(np.float32), 'variance': variance.astype(np.float32),
              'epsilon': spec.BN_EPSILON}
        y = forward.batch_norm(raw, bn)
        if layer.relu6:
            if log:
                log(f'{layer.scope:40s} {str(y.shape[1:]):18s} zero {np.mean(y <= 0):.2f} '
                    f'six {np.mean(y >= 6):.3f}')
            y = np.clip(y, 0, 6)
        if layer.residual_from is not None:
            y = y + outputs[layer.residual_from]
        params.append({'weights': w, 'bn': bn})
        outputs.append(y)
    return layers, params


def fold(layer, p):
    """The batch norm folded into the conv: (weights in TF layout, bias), as ONNX and the
    TF.js converter hold them."""
    if 'bias' in p:
        return p['weights'], p['bias']
    bn = p['bn']
    scale = bn['gamma'] / np.sqrt(bn['variance'] + bn['epsilon'])
    w = p['weights'].astype(np.float64)
    if layer.kind == 'depthwise':
        w = w * scale[None, None, :, None]
    else:
        w = w * scale[None, None, None, :]
    bias = bn['beta'] - bn['mean'] * scale
    return w.astype(np.float32), bias.astype(np.float32)
