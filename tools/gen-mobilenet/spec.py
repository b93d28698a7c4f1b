"""The TF-slim MobileNet V2 architecture at a given width multiplier, as a flat layer list.

Follows tensorflow/models research/slim/nets/mobilenet/mobilenet_v2.py (V2_DEF):
channels = make_divisible(c * width, 8) with a minimum depth of 8, the expansion of each
bottleneck is make_divisible(input_channels * 6, 8) (1 for the first block, no expand conv),
the last 1x1 conv has 1280 * max(1, width) channels, and every conv uses SAME padding.
Every other module of the generator walks this list, so the three formats cannot disagree
about the architecture.
"""
from dataclasses import dataclass, field

IMAGE_SIZE = 224
NUM_CLASSES = 1001
BN_EPSILON = 0.001

# (expansion factor, output channels, repeats, first stride) of the inverted residual blocks.
BOTTLENECKS = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
]


def make_divisible(value, divisor=8, min_value=None):
    """TF-slim's _make_divisible: round to the nearest multiple, never more than 10% down."""
    min_value = min_value or divisor
    new_value = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new_value < 0.9 * value:
        new_value += divisor
    return new_value


@dataclass
class Layer:
    """One convolution and what follows it.

    kind: 'conv' (full conv, weights [kh, kw, cin, cout]), 'depthwise' ([kh, kw, c, 1]) or
    'logits' (1x1 conv with bias, no batch norm). scope is the TF-slim name scope.
    relu6: whether a Relu6 follows the batch norm. residual_from: index of the layer whose
    output is added to this layer's output (the block input), or None.
    """
    kind: str
    scope: str
    kernel: int
    stride: int
    cin: int
    cout: int
    in_size: int
    relu6: bool
    residual_from: int = None
    block_input: int = None  # index of the layer producing this layer's input (-1: image)
    extra: dict = field(default_factory=dict)

    @property
    def out_size(self):
        return -(-self.in_size // self.stride)  # SAME padding: ceil(in / stride)

    def weight_shape(self):
        if self.kind == 'depthwise':
            return (self.kernel, self.kernel, self.cin, 1)
        return (self.kernel, self.kernel, self.cin, self.cout)

    def macs(self):
        per_pixel = self.kernel * self.kernel * (self.cin if self.kind != 'depthwise' else 1)
        return per_pixel * self.cout * self.out_size * self.out_size


def build_layers(width):
    """The layer list of MobileNet V2 at `width` (1.0, 1.4, ...), input 224x224x3."""
    layers = []
    size = IMAGE_SIZE

    def add(layer):
        layer.block_input = len(layers) - 1
        layers.append(layer)
        return len(layers) - 1

    channels = make_divisible(32 * width)
    add(Layer('conv', 'MobilenetV2/Conv', 3, 2, 3, channels, size, True))
    size = layers[-1].out_size

    block = 0
    for expansion, c, repeats, first_stride in BOTTLENECKS:
        out_channels = make_divisible(c * width)
        for r in range(repeats):
            stride = first_stride if r == 0 else 1
            scope = 'MobilenetV2/expanded_conv' + (f'_{block}' if block else '')
            block_in_index = len(layers) - 1
            inner = channels if expansion == 1 else make_divisible(channels * expansion)
            if inner > channels:
                add(Layer('conv', scope + '/expand', 1, 1, channels, inner, size, True))
            add(Layer('depthwise', scope + '/depthwise', 3, stride, inner, inner, size, True))
            size = layers[-1].out_size
            residual = block_in_index if (stride == 1 and channels == out_channels) else None
            add(Layer('conv', scope + '/project', 1, 1, inner, out_channels, size, False,
                      residual_from=residual))
            channels = out_channels
            block += 1

    last = make_divisible(1280 * max(1.0, width))
    add(Layer('conv', 'MobilenetV2/Conv_1', 1, 1, channels, last, size, True))
    add(Layer('logits', 'MobilenetV2/Logits/Conv2d_1c_1x1', 1, 1, last, NUM_CLASSES, 1, False))
    return layers


def count(layers):
    """(parameters, multiply-accumulates) the way the TF-slim model table counts them
    (3.47 M / 300 M at width 1.0, 6.06 M / 582 M at 1.4): conv weights and the logits
    biases; batch-norm parameters fold into the convs and are not counted."""
    params = 0
    macs = 0
    for layer in layers:
        w = 1
        for d in layer.weight_shape():
            w *= d
        params += w + (layer.cout if layer.kind == 'logits' else 0)
        macs += layer.macs()
    return params, macs
