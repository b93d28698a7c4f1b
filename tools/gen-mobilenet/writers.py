"""The three files written from one set of weights.

- tf_slim_graph: the frozen GraphDef as TF-slim freezes it: Const + Identity('/read') for every
  variable, Conv2D / DepthwiseConv2dNative, FusedBatchNorm (not folded), Relu6, Add, AvgPool,
  the logits Conv2D + BiasAdd, Squeeze, Reshape, Softmax, Shape, Reshape_1.
- tfjs_graph: what tensorflowjs_converter makes of that graph (batch norm folded, _FusedConv2D
  and FusedDepthwiseConv2dNative with BiasAdd [+ Relu6] fused), so TF.js runs its fast path.
- onnx_model: NCHW, batch norm folded into Conv, Clip(0, 6), Add, GlobalAveragePool, Softmax;
  what tf2onnx or a PyTorch export would give, so ONNX Runtime runs its usual fusions.
"""
import json

import numpy as np

import graph as g
from forward import same_pads
import spec
import weights as wt

INPUT = 'input'
OUTPUT = 'MobilenetV2/Predictions/Reshape_1'


def _conv_attrs(layer, depthwise):
    attrs = {'T': ('type', 'DT_FLOAT'), 'strides': ('ilist', [1, layer.stride, layer.stride, 1]),
             'padding': ('s', 'SAME'), 'data_format': ('s', 'NHWC'),
             'dilations': ('ilist', [1, 1, 1, 1])}
    if not depthwise:
        attrs['use_cudnn_on_gpu'] = ('b', True)
    return attrs


def _variable(graph, name, array):
    graph.const(name, array)
    return graph.add(name + '/read', 'Identity', [name], T=('type', 'DT_FLOAT'))


def _head(graph, logits):
    """AvgPool is emitted by the caller; this is Squeeze -> Reshape -> Softmax -> Reshape_1."""
    squeeze = graph.add('MobilenetV2/Logits/Squeeze', 'Squeeze', [logits],
                        T=('type', 'DT_FLOAT'), squeeze_dims=('ilist', [1, 2]))
    shape = graph.const('MobilenetV2/Predictions/Reshape/shape',
                        np.array([-1, spec.NUM_CLASSES], np.int32))
    reshaped = graph.add('MobilenetV2/Predictions/Reshape', 'Reshape', [squeeze, shape],
                         T=('type', 'DT_FLOAT'), Tshape=('type', 'DT_INT32'))
    softmax = graph.add('MobilenetV2/Predictions/Softmax', 'Softmax', [reshaped],
                        T=('type', 'DT_FLOAT'))
    return softmax, squeeze


def _placeholder(graph):
    return graph.add(INPUT, 'Placeholder', dtype=('type', 'DT_FLOAT'),
                     shape=('shape', [1, spec.IMAGE_SIZE, spec.IMAGE_SIZE, 3]))


def _avgpool(graph, x, size):
    return graph.add('MobilenetV2/Logits/AvgPool', 'AvgPool', [x], T=('type', 'DT_FLOAT'),
                     ksize=('ilist', [1, size, size, 1]), strides=('ilist', [1, 1, 1, 1]),
                     padding=('s', 'VALID'), data_format=('s', 'NHWC'))


def tf_slim_graph(layers, params):
    graph = g.Graph()
    outs = [_placeholder(graph)]  # outs[i + 1] is the output of layers[i]
    for layer, p in zip(layers, params):
        x = outs[layer.block_input + 1]
        s = layer.scope
        if layer.kind == 'logits':
            x = _avgpool(graph, x, layers[-2].out_size)
            w = _variable(graph, s + '/weights', p['weights'])
            conv = graph.add(s + '/Conv2D', 'Conv2D', [x, w], **_conv_attrs(layer, False))
            b = _variable(graph, s + '/biases', p['bias'])
            logits = graph.add(s + '/BiasAdd', 'BiasAdd', [conv, b], T=('type', 'DT_FLOAT'),
                               data_format=('s', 'NHWC'))
            softmax, squeeze = _head(graph, logits)
            shape = graph.add('MobilenetV2/Predictions/Shape', 'Shape', [squeeze],
                              T=('type', 'DT_FLOAT'), out_type=('type', 'DT_INT32'))
            graph.add(OUTPUT, 'Reshape', [softmax, shape], T=('type', 'DT_FLOAT'),
                      Tshape=('type', 'DT_INT32'))
            break
        if layer.kind == 'depthwise':
            w = _variable(graph, s + '/depthwise_weights', p['weights'])
            y = graph.add(s + '/depthwise', 'DepthwiseConv2dNative', [x, w],
                          **_conv_attrs(layer, True))
        else:
            w = _variable(graph, s + '/weights', p['weights'])
            y = graph.add(s + '/Conv2D', 'Conv2D', [x, w], **_conv_attrs(layer, False))
        bn = p['bn']
        bn_inputs = [y] + [_variable(graph, f'{s}/BatchNorm/{key}', bn[field])
                           for key, field in (('gamma', 'gamma'), ('beta', 'beta'),
                                              ('moving_mean', 'mean'),
                                              ('moving_variance', 'variance'))]
        y = graph.add(s + '/BatchNorm/FusedBatchNorm', 'FusedBatchNorm', bn_inputs,
                      T=('type', 'DT_FLOAT'), epsilon=('f', bn['epsilon']),
                      data_format=('s', 'NHWC'), is_training=('b', False))
        if layer.relu6:
            y = graph.add(s + '/Relu6', 'Relu6', [y], T=('type', 'DT_FLOAT'))
        if layer.residual_from is not None:
            block = s.rsplit('/', 1)[0]
            y = graph.add(block + '/add', 'Add', [y, outs[layer.residual_from + 1]],
                          T=('type', 'DT_FLOAT'))
        outs.append(y)
    return graph


def tfjs_graph(layers, params):
    graph = g.Graph()
    outs = [_placeholder(graph)]
    for layer, p in zip(layers, params):
        x = outs[layer.block_input + 1]
        s = layer.scope
        if layer.kind == 'logits':
            x = _avgpool(graph, x, layers[-2].out_size)
        w, bias = wt.fold(layer, p)
        wname = graph.const(s + ('/depthwise_weights' if layer.kind == 'depthwise'
                                 else '/weights'), w)
        bname = graph.const(s + '/biases', bias)
        fused = ['BiasAdd', 'Relu6'] if layer.relu6 else ['BiasAdd']
        op = 'FusedDepthwiseConv2dNative' if layer.kind == 'depthwise' else '_FusedConv2D'
        attrs = _conv_attrs(layer, layer.kind == 'depthwise')
        y = graph.add(s + ('/Relu6' if layer.relu6 else '/BiasAdd'), op, [x, wname, bname],
                      num_args=('i', 1), fused_ops=('slist', fused), epsilon=('f', 0.0),
                      **attrs)
        if layer.kind == 'logits':
            softmax, _ = _head(graph, y)
            graph.add(OUTPUT, 'Identity', [softmax], T=('type', 'DT_FLOAT'))
            break
        if layer.residual_from is not None:
            y = graph.add(s.rsplit('/', 1)[0] + '/add', 'AddV2',
                          [y, outs[layer.residual_from + 1]], T=('type', 'DT_FLOAT'))
        outs.append(y)
    return graph


def write_tfjs(graph, directory, width):
    """model.json + one weight shard, in the layout tensorflowjs_converter writes."""
    shard = 'group1-shard1of1.bin'
    manifest = []
    with open(f'{directory}/{shard}', 'wb') as f:
        for name, array in graph.consts():
            f.write(array.astype(array.dtype.newbyteorder('<')).tobytes())
            manifest.append({'name': name, 'shape': list(array.shape),
                             'dtype': 'float32' if array.dtype == np.float32 else 'int32'})
    model = {'format': 'graph-model', 'generatedBy': f'wasinfer gen-mobilenet (width {width})',
             'convertedBy': 'wasinfer gen-mobilenet (converter-style fused graph)',
             'modelTopology': g.to_tfjs_topology(graph),
             'weightsManifest': [{'paths': [shard], 'weights': manifest}],
             'signature': {'inputs': {INPUT: {'name': INPUT + ':0', 'dtype': 'DT_FLOAT'}},
                           'outputs': {OUTPUT: {'name': OUTPUT + ':0', 'dtype': 'DT_FLOAT'}}}}
    with open(f'{directory}/model.json', 'w') as f:
        json.dump(model, f)


def onnx_model(layers, params, opset=13):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    size = spec.IMAGE_SIZE
    outs = ['input']  # NCHW [1, 3, 224, 224]
    for i, layer in enumerate(layers):
        x = outs[layer.block_input + 1]
        s = layer.scope.replace('MobilenetV2/', '')
        w, bias = wt.fold(layer, params[i])
        if layer.kind == 'logits':
            nodes.append(helper.make_node('GlobalAveragePool', [x], ['pool'], name='AvgPool'))
            x = 'pool'
        if layer.kind == 'depthwise':
            w_onnx = np.transpose(w, (2, 3, 0, 1))  # [KH,KW,C,1] -> [C,1,KH,KW]
            group = layer.cin
        else:
            w_onnx = np.transpose(w, (3, 2, 0, 1))  # [KH,KW,Cin,Cout] -> [Cout,Cin,KH,KW]
            group = 1
        inits.append(numpy_helper.from_array(np.ascontiguousarray(w_onnx), s + '/W'))
        inits.append(numpy_helper.from_array(bias, s + '/B'))
        top, bottom = same_pads(layer.in_size, layer.kernel, layer.stride)
        y = s + '/conv'
        nodes.append(helper.make_node('Conv', [x, s + '/W', s + '/B'], [y], name=s + '/Conv',
                                      kernel_shape=[layer.kernel] * 2,
                                      strides=[layer.stride] * 2, group=group,
                                      pads=[top, top, bottom, bottom]))
        if layer.kind == 'logits':
            nodes.append(helper.make_node('Flatten', [y], ['logits'], axis=1, name='Flatten'))
            nodes.append(helper.make_node('Softmax', ['logits'], ['probabilities'], axis=1,
                                          name='Softmax'))
            break
        if layer.relu6:
            nodes.append(helper.make_node('Clip', [y, 'zero', 'six'], [s + '/relu6'],
                                          name=s + '/Relu6'))
            y = s + '/relu6'
        if layer.residual_from is not None:
            nodes.append(helper.make_node('Add', [y, outs[layer.residual_from + 1]],
                                          [s + '/add'], name=s + '/add'))
            y = s + '/add'
        outs.append(y)
    inits.append(numpy_helper.from_array(np.array(0, np.float32), 'zero'))
    inits.append(numpy_helper.from_array(np.array(6, np.float32), 'six'))
    graph = helper.make_graph(
        nodes, 'mobilenet_v2', [helper.make_tensor_value_info('input', TensorProto.FLOAT,
                                                              [1, 3, size, size])],
        [helper.make_tensor_value_info('probabilities', TensorProto.FLOAT,
                                       [1, spec.NUM_CLASSES])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)],
                              producer_name='wasinfer gen-mobilenet')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
