"""The notebook's networks in PyTorch, layer for layer (src/lib/models/autoencoder.ts, heads.ts).

Tensors are channels-last like the notebook's ([batch, frames, height, width, channels]) at the
module boundary, so flattening the encoding gives the same 64,512 values in the same order.
Batch norm is Keras's: biased batch variance, moving = moving·momentum + batch·(1 − momentum),
ε 1e-3; across DDP ranks its batch statistics are those of the global batch (synchronised), so
N processes train exactly as one process on the same global batch.
"""
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

BN_EPSILON = 1e-3
BN_MOMENTUM = 0.99
HEAD_UNITS = {'scenes': 1024, 'gases': 512}


def _world():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def _all_reduce(t):
    if _world() > 1:
        dist.all_reduce(t)
    return t


class _SyncNormalise(torch.autograd.Function):
    """y = γ·x̂ + β over the rows of x [n, c], with the global batch's statistics."""

    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        count = _all_reduce(torch.tensor([float(x.shape[0])], dtype=x.dtype))
        mean = _all_reduce(x.sum(0)) / count
        # Two passes (mean, then centred squares): one pass loses precision in float32.
        var = _all_reduce(((x - mean) ** 2).sum(0)) / count
        rstd = torch.rsqrt(var + eps)
        xhat = (x - mean) * rstd
        ctx.save_for_backward(xhat, rstd, gamma, count)
        return gamma * xhat + beta, mean, var

    @staticmethod
    def backward(ctx, dy, _dmean, _dvar):
        xhat, rstd, gamma, count = ctx.saved_tensors
        sums = torch.stack([dy.sum(0), (dy * xhat).sum(0)])
        dbeta, dgamma = sums[0].clone(), sums[1].clone()
        _all_reduce(sums)
        dx = gamma * rstd * (dy - sums[0] / count - xhat * sums[1] / count)
        return dx, dgamma, dbeta, None


class KerasBatchNorm(nn.Module):
    """Keras/notebook batch normalisation over the last axis of a channels-last tensor."""

    def __init__(self, channels, momentum=BN_MOMENTUM, eps=BN_EPSILON):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer('moving_mean', torch.zeros(channels))
        self.register_buffer('moving_variance', torch.ones(channels))

    def forward(self, x):
        rows = x.reshape(-1, x.shape[-1])
        if self.training:
            y, mean, var = _SyncNormalise.apply(rows, self.gamma, self.beta, self.eps)
            with torch.no_grad():
                m = self.momentum
                self.moving_mean.mul_(m).add_(mean.detach() * (1 - m))
                self.moving_variance.mul_(m).add_(var.detach() * (1 - m))
        else:
            rstd = torch.rsqrt(self.moving_variance + self.eps)
            y = (rows - self.moving_mean) * rstd * self.gamma + self.beta
        return y.reshape(x.shape)


def _glorot(layer):
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Conv(nn.Module):
    """Conv3D, kernel 3, 'same' padding, on channels-last tensors."""

    def __init__(self, cin, cout, activation):
        super().__init__()
        self.conv = _glorot(nn.Conv3d(cin, cout, 3, padding=1))
        self.activation = activation

    def forward(self, x):
        y = self.conv(x.permute(0, 4, 1, 2, 3)).permute(0, 2, 3, 4, 1)
        return torch.relu(y) if self.activation == 'relu' else torch.sigmoid(y)


class Pool(nn.Module):
    """MaxPooling3D(2), 'valid': odd sizes floor, as Keras does."""

    def forward(self, x):
        return F.max_pool3d(x.permute(0, 4, 1, 2, 3), 2).permute(0, 2, 3, 4, 1)


class UpSample(nn.Module):
    """UpSampling3D(2): each value repeated along frames, height and width."""

    def forward(self, x):
        for axis in (1, 2, 3):
            x = x.repeat_interleave(2, dim=axis)
        return x


class ZeroPad(nn.Module):
    def __init__(self, padding):
        super().__init__()
        self.padding = padding

    def forward(self, x):
        (f0, f1), (h0, h1), (w0, w1) = self.padding
        return F.pad(x, (0, 0, w0, w1, h0, h1, f0, f1))


def encoded_shape(shape):
    pool = lambda n: (n // 2) // 2  # noqa: E731
    return [pool(shape[0]), pool(shape[1]), pool(shape[2]), 64]


def zero_padding(shape):
    enc = encoded_shape(shape)
    out = []
    for i in range(3):
        missing = shape[i] - enc[i] * 4
        out.append([missing // 2, missing - missing // 2])
    return out


class Autoencoder(nn.Module):
    """Conv3D(32) → BN → MaxPool → Conv3D(64) → BN → MaxPool [encoding] → Conv3D(64) → BN →
    UpSampling → Conv3D(32) → BN → UpSampling → ZeroPadding → Conv3D(3, sigmoid)."""

    def __init__(self, input_shape=(30, 36, 64, 3), batch_norm=True):
        super().__init__()
        self.input_shape, self.batch_norm = list(input_shape), batch_norm
        layers = []

        def add(layer, channels=None):
            layers.append(layer)
            if channels and batch_norm:
                layers.append(KerasBatchNorm(channels))

        add(Conv(3, 32, 'relu'), 32)
        add(Pool())
        add(Conv(32, 64, 'relu'), 64)
        add(Pool())
        add(Conv(64, 64, 'relu'), 64)
        add(UpSample())
        add(Conv(64, 32, 'relu'), 32)
        add(UpSample())
        add(ZeroPad(zero_padding(self.input_shape)))
        add(Conv(32, 3, 'sigmoid'))
        self.layers = nn.ModuleList(layers)
        self.encoder_depth = 6 if batch_norm else 4

    def encode(self, x):
        for layer in self.layers[: self.encoder_depth]:
            x = layer(x)
        return x

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Head(nn.Module):
    """Dense(units, relu) → BN → Dense(outputs, sigmoid for scenes / linear for gases)."""

    def __init__(self, kind, input_dim, outputs, units=None, bn_momentum=BN_MOMENTUM):
        super().__init__()
        self.kind = kind
        self.units = units or HEAD_UNITS[kind]
        self.hidden = _glorot(nn.Linear(input_dim, self.units))
        self.norm = KerasBatchNorm(self.units, momentum=bn_momentum)
        self.out = _glorot(nn.Linear(self.units, outputs))

    def forward(self, x):
        y = self.out(self.norm(torch.relu(self.hidden(x))))
        return torch.sigmoid(y) if self.kind == 'scenes' else y


def binary_crossentropy(truth, predicted, eps=1e-7):
    """Keras's: predictions clipped to [ε, 1 − ε], mean over every value."""
    p = predicted.clamp(eps, 1 - eps)
    return -(truth * torch.log(p) + (1 - truth) * torch.log(1 - p)).mean()


def mean_absolute_error(truth, predicted):
    return (truth - predicted).abs().mean()


def keras_adadelta(params):
    """Keras 2.1's Adadelta (lr 1.0, ρ 0.95, ε 1e-7): torch's update rule is the same."""
    return torch.optim.Adadelta(params, lr=1.0, rho=0.95, eps=1e-7)
