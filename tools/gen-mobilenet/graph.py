"""A TensorFlow GraphDef held as plain Python, written either as the binary protobuf of a
frozen .pb or as the JSON 'modelTopology' of a TensorFlow.js graph model.

An attribute value is a tuple (kind, value), kind one of: 'type' (dtype name such as
'DT_FLOAT'), 's' (str), 'i', 'f', 'b', 'ilist', 'slist', 'shape' (list of dims) and 'tensor'
(a numpy array). The protobuf encoder is written out by hand (a few wire-format rules) so
that generating models needs numpy only, not TensorFlow.
"""
import base64
import struct

import numpy as np

DTYPES = {'DT_FLOAT': 1, 'DT_INT32': 3}
NUMPY_DTYPES = {np.dtype(np.float32): 'DT_FLOAT', np.dtype(np.int32): 'DT_INT32'}


class Graph:
    def __init__(self):
        self.nodes = []  # dicts: name, op, inputs, attrs

    def add(self, name, op, inputs=(), **attrs):
        self.nodes.append({'name': name, 'op': op, 'inputs': list(inputs), 'attrs': attrs})
        return name

    def const(self, name, array):
        array = np.ascontiguousarray(array)
        return self.add(name, 'Const', dtype=('type', NUMPY_DTYPES[array.dtype]),
                        value=('tensor', array))

    def consts(self):
        """(name, array) of every Const node, in graph order."""
        return [(n['name'], n['attrs']['value'][1]) for n in self.nodes if n['op'] == 'Const']


# ---- protobuf wire format ----

def _varint(value):
    if value < 0:
        value += 1 << 64  # int64 fields encode negatives as 10-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field, wire_type):
    return _varint((field << 3) | wire_type)


def _bytes_field(field, payload):
    return _key(field, 2) + _varint(len(payload)) + payload


def _varint_field(field, value):
    return _key(field, 0) + _varint(value)


def _shape_proto(dims):
    return b''.join(_bytes_field(2, _varint_field(1, d)) for d in dims)  # TensorShapeProto.dim


def _tensor_proto(array):
    out = _varint_field(1, DTYPES[NUMPY_DTYPES[array.dtype]])
    out += _bytes_field(2, _shape_proto(array.shape))
    if array.size:
        out += _bytes_field(4, array.astype(array.dtype.newbyteorder('<')).tobytes())
    return out


def _attr_value(kind, value):
    """AttrValue: list=1 s=2 i=3 f=4 b=5 type=6 shape=7 tensor=8."""
    if kind == 'type':
        return _varint_field(6, DTYPES[value])
    if kind == 's':
        return _bytes_field(2, value.encode())
    if kind == 'i':
        return _varint_field(3, value)
    if kind == 'f':
        return _key(4, 5) + struct.pack('<f', value)
    if kind == 'b':
        return _varint_field(5, 1 if value else 0)
    if kind == 'shape':
        return _bytes_field(7, _shape_proto(value))
    if kind == 'tensor':
        return _bytes_field(8, _tensor_proto(value))
    if kind == 'ilist':  # ListValue.i = 3, packed
        packed = b''.join(_varint(v) for v in value)
        return _bytes_field(1, _bytes_field(3, packed))
    if kind == 'slist':  # ListValue.s = 2
        return _bytes_field(1, b''.join(_bytes_field(2, v.encode()) for v in value))
    raise ValueError(f'unknown attr kind {kind}')


def to_graphdef_bytes(graph, producer=24):
    """GraphDef: node=1 (NodeDef: name=1 op=2 input=3 attr=5), versions=4 (producer=1)."""
    out = bytearray()
    for node in graph.nodes:
        body = _bytes_field(1, node['name'].encode()) + _bytes_field(2, node['op'].encode())
        for inp in node['inputs']:
            body += _bytes_field(3, inp.encode())
        for key in sorted(node['attrs']):
            kind, value = node['attrs'][key]
            entry = _bytes_field(1, key.encode()) + _bytes_field(2, _attr_value(kind, value))
            body += _bytes_field(5, entry)
        out += _bytes_field(1, body)
    out += _bytes_field(4, _varint_field(1, producer))
    return bytes(out)


# ---- TensorFlow.js JSON (protobuf JSON mapping: int64 as strings, bytes as base64) ----

def _b64(text):
    return base64.b64encode(text.encode()).decode()


def _attr_json(kind, value):
    if kind == 'type':
        return {'type': value}
    if kind == 's':
        return {'s': _b64(value)}
    if kind == 'i':
        return {'i': str(value)}
    if kind == 'f':
        return {'f': value}
    if kind == 'b':
        return {'b': value}
    if kind == 'shape':
        return {'shape': {'dim': [{'size': str(d)} for d in value]}}
    if kind == 'tensor':  # values live in the weight shards, only dtype and shape here
        return {'tensor': {'dtype': NUMPY_DTYPES[value.dtype],
                           'tensorShape': {'dim': [{'size': str(d)} for d in value.shape]}
                           if value.ndim else {}}}
    if kind == 'ilist':
        return {'list': {'i': [str(v) for v in value]}}
    if kind == 'slist':
        return {'list': {'s': [_b64(v) for v in value]}}
    raise ValueError(f'unknown attr kind {kind}')


def to_tfjs_topology(graph):
    nodes = []
    for node in graph.nodes:
        entry = {'name': node['name'], 'op': node['op'],
                 'attr': {k: _attr_json(*v) for k, v in node['attrs'].items()}}
        if node['inputs']:
            entry['input'] = node['inputs']
        nodes.append(entry)
    return {'node': nodes, 'library': {}, 'versions': {'producer': 1482}}
