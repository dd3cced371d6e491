"""The notebook's model files: TensorFlow.js layers `<name>.json` + `<name>.weights.bin`, with
Cinebreath's metadata under userDefinedMetadata.cinebreath (src/lib/interop/model-files.ts).

Writing gives files the notebook imports like its own (Share → drop both files); reading turns
a notebook export into the PyTorch modules of models.py. Layouts: Conv3D kernels are
(kd, kh, kw, in, out) in tfjs and (out, in, kd, kh, kw) in PyTorch; Dense kernels (in, out)
and (out, in).
"""
import datetime
import json
import os
import re

import numpy as np
import torch

from .models import BN_EPSILON, Autoencoder, Conv, Head, KerasBatchNorm, Pool, UpSample, ZeroPad

META_VERSION = 1


# What Keras/tfjs write for a Glorot-uniform kernel, zero bias, and no regularisers or constraints.
_WEIGHTED = {
    'kernel_initializer': {'class_name': 'VarianceScaling',
                           'config': {'scale': 1, 'mode': 'fan_avg', 'distribution': 'uniform', 'seed': None}},
    'bias_initializer': {'class_name': 'Zeros', 'config': {}},
    'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
    'kernel_constraint': None, 'bias_constraint': None,
}


def _with_input(config, shape):
    """The first layer's config also names the model's input shape."""
    return {**config, 'batch_input_shape': [None, *shape], 'dtype': 'float32'} if shape else config


def _conv_config(name, filters, activation, input_shape=None):
    config = {
        'name': name, 'trainable': True, 'filters': filters, 'kernel_size': [3, 3, 3],
        'strides': [1, 1, 1], 'padding': 'same', 'data_format': 'channels_last',
        'dilation_rate': [1, 1, 1], 'activation': activation, 'use_bias': True,
        **_WEIGHTED,
    }
    return {'class_name': 'Conv3D', 'config': _with_input(config, input_shape)}


def _dense_config(name, units, activation, input_dim=None):
    config = {
        'name': name, 'trainable': True, 'units': units, 'activation': activation, 'use_bias': True,
        **_WEIGHTED,
    }
    return {'class_name': 'Dense', 'config': _with_input(config, [input_dim] if input_dim else None)}


def _bn_config(name, momentum):
    return {'class_name': 'BatchNormalization', 'config': {
        'name': name, 'trainable': True, 'axis': -1, 'momentum': momentum, 'epsilon': BN_EPSILON,
        'center': True, 'scale': True}}


def _t(x):
    return x.detach().cpu().numpy().astype(np.float32)


def _layers_of(model):
    """(topology layer configs, [(weight name, array)] trainable first) of a module."""
    configs, trainable, moving = [], [], []
    counts = {}

    def name(kind):
        counts[kind] = counts.get(kind, 0) + 1
        return f'{kind}_{counts[kind]}'

    def bn(layer):
        n = name('batch_normalization')
        configs.append(_bn_config(n, layer.momentum))
        trainable.extend([(f'{n}/gamma', _t(layer.gamma)), (f'{n}/beta', _t(layer.beta))])
        moving.extend([(f'{n}/moving_mean', _t(layer.moving_mean)),
                       (f'{n}/moving_variance', _t(layer.moving_variance))])

    if isinstance(model, Autoencoder):
        first = True
        for layer in model.layers:
            if isinstance(layer, Conv):
                n = name('conv3d')
                configs.append(_conv_config(n, layer.conv.out_channels, layer.activation,
                                            model.input_shape if first else None))
                first = False
                trainable.append((f'{n}/kernel', _t(layer.conv.weight.permute(2, 3, 4, 1, 0))))
                trainable.append((f'{n}/bias', _t(layer.conv.bias)))
            elif isinstance(layer, KerasBatchNorm):
                bn(layer)
            elif isinstance(layer, Pool):
                configs.append({'class_name': 'MaxPooling3D', 'config': {
                    'name': name('max_pooling3d'), 'trainable': True, 'pool_size': [2, 2, 2],
                    'padding': 'valid', 'strides': [2, 2, 2], 'data_format': 'channels_last'}})
            elif isinstance(layer, UpSample):
                configs.append({'class_name': 'UpSampling3D', 'config': {
                    'name': name('up_sampling3d'), 'trainable': True, 'size': [2, 2, 2],
                    'data_format': 'channels_last'}})
            elif isinstance(layer, ZeroPad):
                configs.append({'class_name': 'ZeroPadding3D', 'config': {
                    'name': name('zero_padding3d'), 'trainable': True,
                    'padding': layer.padding, 'data_format': 'channels_last'}})
        return configs, trainable + moving
    if isinstance(model, Head):
        n = name('dense')
        configs.append(_dense_config(n, model.units, 'relu', model.hidden.in_features))
        trainable.extend([(f'{n}/kernel', _t(model.hidden.weight.t())), (f'{n}/bias', _t(model.hidden.bias))])
        bn(model.norm)
        n = name('dense')
        configs.append(_dense_config(n, model.out.out_features,
                                     'sigmoid' if model.kind == 'scenes' else 'linear'))
        trainable.extend([(f'{n}/kernel', _t(model.out.weight.t())), (f'{n}/bias', _t(model.out.bias))])
        return configs, trainable + moving
    raise TypeError(f'not a Cinebreath model: {type(model).__name__}')


def slug(name):
    s = re.sub(r'[^\w\s-]', '', name).strip()
    return re.sub(r'[\s_]+', '-', s).lower() or 'model'


def write_model(model, directory, name, meta):
    """Writes `<slug>.json` and `<slug>.weights.bin`; `meta` fills the Cinebreath metadata
    (kind, epoch, channelOrder, labelNames, chemicals, split, history, meta, appVersion)."""
    configs, weights = _layers_of(model)
    base = slug(name)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f'{base}.weights.bin'), 'wb') as f:
        for _, array in weights:
            f.write(np.ascontiguousarray(array, dtype='<f4').tobytes())
    top_name = 'autoencoder_bn' if isinstance(model, Autoencoder) and model.batch_norm else (
        'autoencoder' if isinstance(model, Autoencoder) else f'{model.kind}_head')
    input_shape = model.input_shape if isinstance(model, Autoencoder) else [model.hidden.in_features]
    cinebreath = {
        'metaVersion': META_VERSION,
        'appVersion': meta.get('appVersion', '0.1.0'),
        'exportedAt': datetime.datetime.now(datetime.timezone.utc).isoformat(),
        'kind': meta['kind'],
        'name': name,
        'epoch': meta.get('epoch', 0),
        'inputShape': input_shape,
        'resolution': ({'width': input_shape[2], 'height': input_shape[1]}
                       if isinstance(model, Autoencoder) else meta.get('resolution')),
        'channelOrder': meta.get('channelOrder'),
        'labelNames': meta.get('labelNames'),
        'chemicals': meta.get('chemicals'),
        'normalisation': meta.get('normalisation'),
        'split': meta.get('split'),
        'history': meta.get('history', []),
        'meta': meta.get('meta', {}),
    }
    model_json = {
        'format': 'layers-model',
        'generatedBy': 'cinebreath_cluster (PyTorch)',
        'convertedBy': None,
        'modelTopology': {'class_name': 'Sequential', 'config': {'name': top_name, 'layers': configs},
                          'keras_version': 'tfjs-layers 4.22.0', 'backend': 'tensor_flow.js'},
        'weightsManifest': [{'paths': [f'{base}.weights.bin'],
                             'weights': [{'name': n, 'shape': list(a.shape), 'dtype': 'float32'}
                                         for n, a in weights]}],
        'userDefinedMetadata': {'cinebreath': cinebreath},
    }
    path = os.path.join(directory, f'{base}.json')
    with open(path, 'w') as f:
        json.dump(model_json, f)
    return path


def read_model(json_path):
    """A notebook model file (`<name>.json` beside its weights) as (PyTorch module, metadata)."""
    with open(json_path) as f:
        model_json = json.load(f)
    group = model_json['weightsManifest'][0]
    with open(os.path.join(os.path.dirname(json_path), os.path.basename(group['paths'][0])), 'rb') as f:
        data = f.read()
    arrays, offset = [], 0
    for spec in (w for g in model_json['weightsManifest'] for w in g['weights']):
        if spec.get('dtype', 'float32') != 'float32':
            raise ValueError(f"{spec['name']}: only float32 weights are supported")
        size = int(np.prod(spec['shape'])) * 4
        arrays.append((spec['name'], np.frombuffer(data[offset:offset + size], '<f4').reshape(spec['shape'])))
        offset += size
    by_layer = {}
    for n, a in arrays:
        layer, weight = n.rsplit('/', 1)
        by_layer.setdefault(layer, {})[weight] = torch.from_numpy(a.copy())
    layers = model_json['modelTopology']['config']['layers']
    meta = (model_json.get('userDefinedMetadata') or {}).get('cinebreath') or {}
    classes = [l['class_name'] for l in layers]
    if classes[0] == 'Conv3D':
        input_shape = layers[0]['config']['batch_input_shape'][1:]
        model = Autoencoder(input_shape, batch_norm='BatchNormalization' in classes)
        targets = [m for m in model.layers if isinstance(m, (Conv, KerasBatchNorm))]
    elif classes == ['Dense', 'BatchNormalization', 'Dense']:
        first, last = layers[0]['config'], layers[2]['config']
        kind = 'scenes' if last['activation'] == 'sigmoid' else 'gases'
        model = Head(kind, first['batch_input_shape'][1], last['units'], first['units'],
                     layers[1]['config'].get('momentum', 0.99))
        targets = [model.hidden, model.norm, model.out]
    else:
        raise ValueError(f'{json_path}: not a Cinebreath autoencoder or head ({classes})')
    sources = [l['config']['name'] for l in layers if l['class_name'] in ('Conv3D', 'Dense', 'BatchNormalization')]
    with torch.no_grad():
        for target, source in zip(targets, sources):
            w = by_layer[source]
            if isinstance(target, Conv):
                target.conv.weight.copy_(w['kernel'].permute(4, 3, 0, 1, 2))
                target.conv.bias.copy_(w['bias'])
            elif isinstance(target, torch.nn.Linear):
                target.weight.copy_(w['kernel'].t())
                target.bias.copy_(w['bias'])
            else:
                for key in ('gamma', 'beta', 'moving_mean', 'moving_variance'):
                    getattr(target, key).copy_(w[key])
    return model.eval(), meta
