#!/usr/bin/env python3
"""make-corpus.py - writes the seed inputs of fuzz/corpus/<target>/ (docs/fuzzing.md).

Every seed is made here from code: tiny GraphDefs encoded by hand, tiny images encoded by
Pillow (pinned in tools/requirements.txt), request bodies and label files as literals. Nothing
is copied from the shared test data. Seeds are named by what they exercise (seed-*).
Reproducers of fixed defects are named crash-<defect>: those the fuzzer found are stored as
it wrote them (minimised); those crafted by hand are written here (crafted_reproducers).

    python3 fuzz/make-corpus.py            # (re)writes the seed-* files
"""
import io
import os
import struct

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- protobuf wire format ---------------------------------------------------------------
def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def f_int(field, v):
    return key(field, 0) + varint(v)


def f_len(field, b):
    if isinstance(b, str):
        b = b.encode()
    return key(field, 2) + varint(len(b)) + b


def f_f32(field, v):
    return key(field, 5) + struct.pack("<f", v)


# ---- TensorFlow messages (graph.proto, node_def.proto, attr_value.proto, tensor.proto) ----
DT_FLOAT, DT_INT32 = 1, 3


def shape(dims):
    return b"".join(f_len(2, f_int(1, d)) for d in dims)


def tensor(dtype, dims, values, raw=False):
    t = f_int(1, dtype) + f_len(2, shape(dims))
    if dtype == DT_FLOAT:
        if raw:
            t += f_len(4, struct.pack("<%df" % len(values), *values))
        else:
            t += f_len(5, struct.pack("<%df" % len(values), *values))  # packed float_val
    else:
        t += f_len(7, b"".join(varint(v) for v in values))  # packed int_val
    return t


def attr(name, value):
    return f_len(5, f_len(1, name) + f_len(2, value))


def a_type(t):
    return f_int(6, t)


def a_s(s):
    return f_len(2, s)


def a_b(b):
    return f_int(5, 1 if b else 0)


def a_f(v):
    return f_f32(4, v)


def a_ints(vals):
    return f_len(1, f_len(3, b"".join(varint(v) for v in vals)))


def a_shape(dims):
    return f_len(7, shape(dims))


def a_tensor(t):
    return f_len(8, t)


def node(name, op, inputs=(), **attrs):
    n = f_len(1, name) + f_len(2, op)
    for i in inputs:
        n += f_len(3, i)
    for k, v in attrs.items():
        n += attr(k, v)
    return f_len(1, n)


def placeholder(name, dims):
    return node(name, "Placeholder", dtype=a_type(DT_FLOAT), shape=a_shape(dims))


def const(name, dims, values, raw=False):
    return node(name, "Const", dtype=a_type(DT_FLOAT), value=a_tensor(tensor(DT_FLOAT, dims, values, raw)))


def const_i32(name, dims, values):
    return node(name, "Const", dtype=a_type(DT_INT32), value=a_tensor(tensor(DT_INT32, dims, values)))


def ramp(n, scale=0.1):
    return [((i * 7) % 13 - 6) * scale for i in range(n)]


def conv_args(padding="SAME", stride=1):
    return dict(T=a_type(DT_FLOAT), padding=a_s(padding), strides=a_ints([1, stride, stride, 1]),
                data_format=a_s("NHWC"))


def graphdefs():
    g = {}
    # A MobileNet-like block: Conv2D + FusedBatchNorm + Relu6, depthwise, 1x1 conv, residual Add,
    # global Mean, Reshape, MatMul + BiasAdd, Softmax.
    g["mobilenet-block"] = b"".join([
        placeholder("input", [1, 6, 6, 3]),
        const("w0", [3, 3, 3, 4], ramp(108), raw=True),
        node("conv0", "Conv2D", ["input", "w0"], **conv_args("SAME", 2)),
        const("gamma", [4], [1, 0.5, 2, 1]), const("beta", [4], [0, 0.1, -0.1, 0]),
        const("mean", [4], [0, 0, 0.1, 0]), const("var", [4], [1, 1, 2, 0.5]),
        node("bn0", "FusedBatchNormV3", ["conv0", "gamma", "beta", "mean", "var"],
             T=a_type(DT_FLOAT), epsilon=a_f(0.001), is_training=a_b(False)),
        node("relu0", "Relu6", ["bn0"], T=a_type(DT_FLOAT)),
        const("dw", [3, 3, 4, 1], ramp(36)),
        node("dw0", "DepthwiseConv2dNative", ["relu0", "dw"], **conv_args("SAME", 1)),
        node("relu1", "Relu", ["dw0"], T=a_type(DT_FLOAT)),
        const("pw", [1, 1, 4, 4], ramp(16)),
        node("pw0", "Conv2D", ["relu1", "pw"], **conv_args("VALID", 1)),
        node("res", "AddV2", ["pw0", "relu0"], T=a_type(DT_FLOAT)),
        const_i32("axes", [2], [1, 2]),
        node("gap", "Mean", ["res", "axes"], T=a_type(DT_FLOAT), keep_dims=a_b(False)),
        const_i32("shape", [2], [1, 4]),
        node("flat", "Reshape", ["gap", "shape"], T=a_type(DT_FLOAT)),
        const("fc", [4, 3], ramp(12)),
        node("logits0", "MatMul", ["flat", "fc"], T=a_type(DT_FLOAT), transpose_a=a_b(False),
             transpose_b=a_b(False)),
        const("bias", [3], [0.1, -0.2, 0.3]),
        node("logits", "BiasAdd", ["logits0", "bias"], T=a_type(DT_FLOAT)),
        node("prob", "Softmax", ["logits"], T=a_type(DT_FLOAT)),
    ])
    # Pooling, padding, concatenation, squeeze, Identity, Mul/Sub with broadcasting.
    g["pool-pad-concat"] = b"".join([
        placeholder("x", [1, 5, 5, 2]),
        const_i32("pads", [4, 2], [0, 0, 1, 1, 1, 1, 0, 0]),
        node("pad", "Pad", ["x", "pads"], T=a_type(DT_FLOAT)),
        node("maxp", "MaxPool", ["pad"], T=a_type(DT_FLOAT), ksize=a_ints([1, 3, 3, 1]),
             strides=a_ints([1, 2, 2, 1]), padding=a_s("VALID")),
        node("avgp", "AvgPool", ["pad"], T=a_type(DT_FLOAT), ksize=a_ints([1, 3, 3, 1]),
             strides=a_ints([1, 2, 2, 1]), padding=a_s("VALID")),
        const_i32("axis", [], [3]),
        node("cat", "ConcatV2", ["maxp", "avgp", "axis"], T=a_type(DT_FLOAT)),
        const("scale", [4], [1, 2, 3, 4]),
        node("mul", "Mul", ["cat", "scale"], T=a_type(DT_FLOAT)),
        node("sub", "Sub", ["mul", "scale"], T=a_type(DT_FLOAT)),
        node("id", "Identity", ["sub"], T=a_type(DT_FLOAT)),
        const_i32("axes", [2], [1, 2]),
        node("m", "Mean", ["id", "axes"], T=a_type(DT_FLOAT), keep_dims=a_b(True)),
        node("sq", "Squeeze", ["m"], T=a_type(DT_FLOAT), squeeze_dims=a_ints([1, 2])),
    ])
    # Shape feeding Reshape, and the smallest graph: a Placeholder read by Relu.
    g["shape-reshape"] = b"".join([
        placeholder("x", [1, 2, 3]),
        node("s", "Shape", ["x"], T=a_type(DT_FLOAT), out_type=a_type(DT_INT32)),
        node("r", "Reshape", ["x", "s"], T=a_type(DT_FLOAT)),
        node("out", "Relu", ["r"], T=a_type(DT_FLOAT)),
    ])
    g["two-nodes"] = placeholder("x", [1, 3]) + node("y", "Relu", ["x"], T=a_type(DT_FLOAT))
    # Versions field (4) first, control inputs, a NoOp, a library field (2) that is skipped.
    g["versions-control-noop"] = b"".join([
        f_len(4, f_int(1, 27)),
        placeholder("x", [1, 2, 2, 1]),
        node("init", "NoOp"),
        node("y", "Relu6", ["x", "^init"], T=a_type(DT_FLOAT)),
        f_len(2, b""),
    ])
    return g


def models():
    for name, data in graphdefs().items():
        write("model-load", "tf-" + name + ".pb", data)
    # Truncated or empty models of the other formats (their full seeds: tfjs_models below and
    # fuzz/make-model-seeds.c for TFLite and ONNX).
    write("model-load", "tflite-magic-only.tflite", b"\x18\x00\x00\x00TFL3" + b"\x00" * 16)
    write("model-load", "tfjs-model.json",
          '{"format":"graph-model","modelTopology":{"node":[]},"weightsManifest":[]}')
    write("model-load", "onnx-empty-graph.onnx", f_int(1, 7) + f_len(7, f_len(2, "g")))
    for name, data in tfjs_models().items():
        write("tfjs", name, data)
        write("model-load", "tfjs-" + name, data)


# ---- TF.js graph models: model.json, a NUL byte, the weight shard (the single-buffer form) --
def tfjs_models():
    import base64
    import json

    def b64(s):
        return base64.b64encode(s.encode()).decode()

    def tnode(name, op, inputs=(), **attr):
        return {"name": name, "op": op, "input": list(inputs), "attr": attr}

    f32 = {"type": "DT_FLOAT"}
    conv = {"T": f32, "strides": {"list": {"i": ["1", "1", "1", "1"]}}, "padding": {"s": b64("SAME")},
            "data_format": {"s": b64("NHWC")}, "dilations": {"list": {"i": ["1", "1", "1", "1"]}}}
    nodes = [
        tnode("x", "Placeholder", dtype=f32, shape={"shape": {"dim": [{"size": "-1"}, {"size": "4"},
                                                                      {"size": "4"}, {"size": "3"}]}}),
        tnode("w", "Const", dtype=f32, value={"tensor": {"dtype": "DT_FLOAT"}}),
        tnode("b", "Const", dtype=f32, value={"tensor": {"dtype": "DT_FLOAT"}}),
        tnode("conv", "_FusedConv2D", ["x", "w", "b"], **conv,
              fused_ops={"list": {"s": [b64("BiasAdd"), b64("Relu6")]}}, num_args={"i": "1"},
              epsilon={"f": 0.001}),
        tnode("prob", "Softmax", ["conv"], T=f32),
    ]
    weights = [{"name": "w", "shape": [3, 3, 3, 2], "dtype": "float32"},
               {"name": "b", "shape": [2], "dtype": "float32"}]
    shard = struct.pack("<56f", *ramp(54), 0.5, -0.5)
    model = {"format": "graph-model", "modelTopology": {"node": nodes, "library": {}, "versions": {}},
             "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": weights}]}
    # The same weights quantized to uint8 (min/scale dequantization).
    qweights = [dict(weights[0], quantization={"dtype": "uint8", "min": -1.0, "scale": 0.01}),
                dict(weights[1], quantization={"dtype": "uint8", "min": -1.0, "scale": 0.01})]
    qmodel = dict(model, weightsManifest=[{"paths": ["group1-shard1of1.bin"], "weights": qweights}])
    qshard = bytes((i * 37) % 256 for i in range(56))
    return {
        "fused-conv-softmax.json": json.dumps(model).encode() + b"\0" + shard,
        "uint8-weights.json": json.dumps(qmodel).encode() + b"\0" + qshard,
    }


# ---- images -------------------------------------------------------------------------------
def picture(w, h, mode="RGB"):
    im = Image.new("RGB", (w, h))
    im.putdata([((x * 37) % 256, (y * 59) % 256, ((x + y) * 23) % 256)
                for y in range(h) for x in range(w)])
    return im.convert(mode)


def encode(im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, fmt, **kw)
    return b.getvalue()


def images():
    out = {
        "rgb.png": encode(picture(7, 5), "PNG"),
        "rgba.png": encode(picture(5, 4, "RGBA"), "PNG"),
        "grey.png": encode(picture(6, 3, "L"), "PNG"),
        "grey-alpha.png": encode(picture(3, 3, "LA"), "PNG"),
        "palette.png": encode(picture(8, 6, "P"), "PNG"),
        "bilevel.png": encode(picture(9, 4, "1"), "PNG"),
        "grey16.png": encode(picture(4, 4, "L").convert("I;16"), "PNG"),
        "baseline.jpg": encode(picture(16, 8), "JPEG", quality=80),
        "baseline-odd-size.jpg": encode(picture(13, 11), "JPEG", quality=50, subsampling=2),
        "progressive.jpg": encode(picture(16, 16), "JPEG", quality=75, progressive=True),
        "grey.jpg": encode(picture(8, 8, "L"), "JPEG"),
        "restart.jpg": None,
        "rgb24.bmp": encode(picture(5, 3), "BMP"),
        "palette8.bmp": encode(picture(6, 4, "P"), "BMP"),
        "bilevel.bmp": encode(picture(10, 3, "1"), "BMP"),
        "one-frame.gif": encode(picture(7, 6, "P"), "GIF"),
        "two-frames.gif": None,
    }
    frames = [picture(6, 5, "P"), picture(6, 5, "P").rotate(90)]
    b = io.BytesIO()
    frames[0].save(b, "GIF", save_all=True, append_images=frames[1:], duration=10, loop=0)
    out["two-frames.gif"] = b.getvalue()
    # Restart markers: Pillow passes restart_marker_rows through to libjpeg.
    try:
        out["restart.jpg"] = encode(picture(16, 16), "JPEG", restart_marker_blocks=1)
    except TypeError:
        pass
    return {k: v for k, v in out.items() if v}


def classify(imgs):
    # Byte 0: top_k (bits 0-2), filter (3-4), range (5-6), capacity (7); see fuzz-classify.c.
    opts = [0x06, 0x0E, 0x31, 0x55, 0xF3, 0x80]
    for i, (name, data) in enumerate(sorted(imgs.items())):
        write("classify", name, bytes([opts[i % len(opts)]]) + data)


# ---- text parsers -------------------------------------------------------------------------
def texts():
    write("labels", "imagenet-like.txt", "background\ntench\ngoldfish\ngreat white shark\n")
    write("labels", "crlf-no-final-newline.txt", "a\r\nb\r\n\r\nc")
    write("labels", "empty-lines.txt", "\n\n\n")
    write("labels", "utf8.txt", "caf\u00e9\n\u732b\n")

    write("json", "url.json", '{"url": "https://example.com/cat.jpg"}')
    write("json", "url-top-k.json", '{"top_k": 3, "url": "http://a.b/c?d=e&f=g"}')
    write("json", "escapes.json", r'{"url":"h\"t\\t\/p\b\f\n\r\t\u00e9\ud83d\ude00x"}')
    write("json", "extra-fields.json",
          '{"x":[1,-2.5e+3,true,false,null,{"y":{}},[]],"url":"u","top_k":1e0}')
    write("json", "empty-object.json", "{ }")
    write("json", "deep.json", '{"a":' + "[" * 30 + "]" * 30 + ',"url":"x"}')

    head = "multipart/form-data; boundary=XyZ\n"
    part = ('--XyZ\r\nContent-Disposition: form-data; name="top_k"\r\n\r\n3\r\n'
            '--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n'
            'Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0JFIF\r\n--XyZ--\r\n')
    write("multipart", "file-and-top-k", head + part)
    write("multipart", "default-boundary-body", part)
    write("multipart", "quoted-boundary",
          'multipart/form-data; charset=utf-8; boundary="a b:c"\n'
          '--a b:c\r\nContent-Disposition: form-data; name=file\r\n\r\nBMxx\r\n--a b:c--')
    write("multipart", "preamble-no-headers-part",
          head + "preamble\r\n--XyZ  \r\n\r\nno headers\r\n--XyZ\r\n"
          'content-disposition: form-data; filename="x"\r\n\r\nGIF89a\r\n--XyZ--')

    def addr(v6, claimed, raw):
        return bytes([v6, claimed]) + raw
    write("addr-guard", "ipv4-public", addr(0, 16, bytes([8, 8, 8, 8])))
    write("addr-guard", "ipv4-metadata", addr(0, 16, bytes([169, 254, 169, 254])))
    write("addr-guard", "ipv4-short-len", addr(0, 4, bytes([1, 1, 1, 1])))
    write("addr-guard", "ipv6-loopback", addr(1, 28, bytes(15) + b"\x01"))
    write("addr-guard", "ipv6-mapped-private", addr(1, 28, bytes(10) + b"\xff\xff" + bytes([10, 0, 0, 1])))
    write("addr-guard", "ipv6-nat64", addr(1, 28, bytes([0, 0x64, 0xff, 0x9b]) + bytes(8) + bytes([127, 0, 0, 1])))
    write("addr-guard", "ipv6-public", addr(1, 28, bytes([0x2a, 0x00, 0x14, 0x50]) + bytes(11) + b"\x0e"))


def crafted_reproducers():
    import zlib

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    # A 1x1 RGB PNG whose IDAT inflates to 8 MiB: stb grows its output for as long as the
    # deflate data goes on (src/image/decode.c caps every allocation by the picture's size).
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) +
           chunk(b"IDAT", zlib.compress(b"\0" * (8 << 20), 9)) + chunk(b"IEND", b""))
    d = os.path.join(CORPUS, "image-decode")
    with open(os.path.join(d, "crash-png-deflate-bomb"), "wb") as f:
        f.write(png)


def main():
    crafted_reproducers()
    models()
    imgs = images()
    for name, data in imgs.items():
        write("image-decode", name, data)
    classify(imgs)
    texts()


if __name__ == "__main__":
    main()
