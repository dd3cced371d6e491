"""Train the notebook's autoencoder, then its frozen-encoder scene and gas heads, with
DistributedDataParallel. Launch with torchrun (gloo on CPUs, NCCL on GPUs):

    torchrun --nproc_per_node 2 -m cinebreath_cluster.train --data project-dataset.tar --out models/

`--batch` is the global batch: each of N processes takes batch / N rows of it, and batch norm
uses the global batch's statistics, so N processes give the weights one process would.
"""
import argparse
import json
import os
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler

from .dataset import DatasetTar
from .models import Autoencoder, Head, binary_crossentropy, keras_adadelta, mean_absolute_error
from .tfjs_files import read_model, write_model

CHEMICALS = ['co2', 'methanol', 'ethanol', 'acetone', 'isoprene', 'siloxane']


def setup():
    """(rank, world, device) from torchrun's environment; a plain `python -m` run is world 1."""
    if 'RANK' not in os.environ:
        return 0, 1, torch.device('cpu')
    cuda = torch.cuda.is_available()
    dist.init_process_group('nccl' if cuda else 'gloo')
    rank, world = dist.get_rank(), dist.get_world_size()
    if cuda:
        torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
    return rank, world, torch.device('cuda') if cuda else torch.device('cpu')


def batches(rows, batch, world, rank, seed, epoch, shuffle):
    """This rank's share of each global batch of `rows`, as a list of row arrays."""
    if batch % world:
        raise SystemExit(f'--batch {batch} must be a multiple of the {world} processes')
    sampler = DistributedSampler(rows, num_replicas=world, rank=rank, shuffle=shuffle, seed=seed)
    sampler.set_epoch(epoch)
    mine = rows[list(sampler)]
    local = batch // world
    return [mine[i:i + local] for i in range(0, len(mine), local)]


def mean_over_ranks(total, count):
    t = torch.tensor([total, count], dtype=torch.float64)
    if dist.is_initialized():
        dist.all_reduce(t)
    return float(t[0] / max(t[1], 1))


def fit(model, load, loss_fn, train_rows, val_rows, args, world, rank, device, name):
    """Epochs of Keras-Adadelta steps; returns the per-epoch history (loss, valLoss)."""
    ddp = DistributedDataParallel(model, broadcast_buffers=False) if world > 1 else model
    optimizer = keras_adadelta(model.parameters())
    history = []
    for epoch in range(args.epochs if name == 'autoencoder' else args.head_epochs):
        model.train()
        total, count, t0 = 0.0, 0, time.time()
        for rows in batches(train_rows, args.batch, world, rank, args.seed, epoch, args.shuffle):
            x, y = load(rows)
            optimizer.zero_grad()
            loss = loss_fn(y.to(device), ddp(x.to(device)))
            loss.backward()
            optimizer.step()
            total, count = total + float(loss) * len(rows), count + len(rows)
        record = {'epoch': epoch + 1, 'loss': mean_over_ranks(total, count)}
        model.eval()
        total, count = 0.0, 0
        with torch.no_grad():
            for rows in np.array_split(val_rows[rank::world], max(1, len(val_rows) // args.batch)):
                if len(rows):
                    x, y = load(rows)
                    total += float(loss_fn(y.to(device), model(x.to(device)))) * len(rows)
                    count += len(rows)
        if len(val_rows):
            record['valLoss'] = mean_over_ranks(total, count)
        record['seconds'] = time.time() - t0
        history.append(record)
        if rank == 0:
            print(f'{name} epoch {epoch + 1}: ' + ', '.join(f'{k} {v:.6f}' for k, v in record.items()
                                                          if k != 'epoch'), flush=True)
    return history


def encode_all(encoder, data, rows, world, rank, device, batch):
    """Encodings (len(rows), 64512-ish) of the frozen encoder, computed in shards, gathered."""
    mine = rows[rank::world]
    out = []
    with torch.no_grad():
        for i in range(0, len(mine), batch):
            x = torch.from_numpy(data.frames(mine[i:i + batch])).to(torch.get_default_dtype()).div(255).to(device)
            out.append(encoder.encode(x).reshape(len(x), -1).cpu())
    local = torch.cat(out) if out else torch.zeros(0)
    if world == 1:
        return dict(zip(rows.tolist(), local))
    width = torch.tensor([local.shape[1] if len(local) else 0])
    dist.all_reduce(width, op=dist.ReduceOp.MAX)
    size = (len(rows) + world - 1) // world
    padded = torch.zeros(size, int(width))
    padded[: len(local)] = local
    gathered = [torch.zeros_like(padded) for _ in range(world)]
    dist.all_gather(gathered, padded)
    result = {}
    for r in range(world):
        for j, row in enumerate(rows[r::world].tolist()):
            result[row] = gathered[r][j]
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', required=True, help="the notebook's dataset .tar (exported with frames)")
    p.add_argument('--out', required=True, help='folder for the model files')
    p.add_argument('--epochs', type=int, default=50, help='autoencoder epochs (paper: 50)')
    p.add_argument('--head-epochs', type=int, default=100, help='epochs of each head (paper: 100)')
    p.add_argument('--batch', type=int, default=16, help='global batch')
    p.add_argument('--no-batch-norm', dest='batch_norm', action='store_false')
    p.add_argument('--head-units', type=int, default=None, help='hidden units of the heads (paper: 1024 / 512)')
    p.add_argument('--head-bn-momentum', type=float, default=0.99)
    p.add_argument('--min-label-count', type=int, default=None, help="default: the project's setting")
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--no-shuffle', dest='shuffle', action='store_false')
    p.add_argument('--autoencoder', help='start from this autoencoder model file instead of training one')
    p.add_argument('--only', choices=['autoencoder', 'heads'], help='train only this part')
    p.add_argument('--name', default=None, help='model name prefix (default: the project name)')
    p.add_argument('--float64', action='store_true',
                   help='compute in float64 (to check that N processes equal one; files stay float32)')
    args = p.parse_args(argv)
    if args.float64:
        torch.set_default_dtype(torch.float64)

    rank, world, device = setup()
    torch.manual_seed(args.seed)
    data = DatasetTar(args.data)
    shape = data.sequence_shape
    split = data.split
    order = data.channel_order()
    prefix = args.name or data.manifest.get('project', 'cluster')
    common = {'appVersion': data.manifest.get('appVersion', '0.1.0'), 'channelOrder': order,
              'split': data.manifest.get('split')}
    written = []

    def frames(rows):
        x = torch.from_numpy(data.frames(rows)).to(torch.get_default_dtype()).div(255)
        return x, x

    if args.autoencoder:
        autoencoder, _ = read_model(args.autoencoder)
    else:
        autoencoder = Autoencoder(shape, batch_norm=args.batch_norm).to(device)
    if args.only != 'heads' and not args.autoencoder:
        rows = data.frame_rows()
        history = fit(autoencoder, frames, binary_crossentropy, rows[~split[rows]], rows[split[rows]],
                      args, world, rank, device, 'autoencoder')
        name = f"{prefix} autoencoder{' (batch norm)' if args.batch_norm else ''} · cluster"
        if rank == 0:
            written.append(write_model(autoencoder.cpu(), args.out, name, {
                **common, 'kind': 'autoencoder', 'epoch': len(history), 'history': history,
                'meta': {'kind': 'autoencoder', 'batchNorm': args.batch_norm, 'inputShape': shape,
                         'trainedWith': f'PyTorch DDP, {world} processes'}}))
        autoencoder.to(device)

    if args.only != 'autoencoder':
        autoencoder.eval()
        stored = set(data.frame_rows().tolist())
        scene_rows, scene_y, names = data.scene_targets(args.min_label_count)
        gas_rows, gas_y, gas_val = data.gas_targets()
        keep_s = np.array([r in stored for r in scene_rows], dtype=bool)
        keep_g = np.array([r in stored for r in gas_rows], dtype=bool)
        needed = np.unique(np.concatenate([scene_rows[keep_s], gas_rows[keep_g]])).astype(np.int64)
        codes = encode_all(autoencoder, data, needed, world, rank, device, args.batch)
        width = len(next(iter(codes.values()))) if codes else 0
        heads = [('scenes', scene_rows[keep_s], scene_y[keep_s], split[scene_rows[keep_s]],
                  binary_crossentropy, {'labelNames': names}),
                 ('gases', gas_rows[keep_g], gas_y[keep_g], gas_val[keep_g],
                  mean_absolute_error, {'chemicals': CHEMICALS})]
        for kind, rows, y, val, loss_fn, extra in heads:
            if not len(rows) or not y.shape[1]:
                if rank == 0:
                    print(f'{kind}: no rows with frames and targets, skipped', flush=True)
                continue
            torch.manual_seed(args.seed)
            head = Head(kind, width, y.shape[1], args.head_units, args.head_bn_momentum).to(device)
            index = np.arange(len(rows))

            def load(ix, rows=rows, y=y):
                return torch.stack([codes[int(rows[i])] for i in ix]), torch.from_numpy(y[ix]).to(torch.get_default_dtype())

            history = fit(head, load, loss_fn, index[~val], index[val], args, world, rank, device, kind)
            if rank == 0:
                written.append(write_model(head.cpu(), args.out, f'{prefix} {kind} head · cluster', {
                    **common, **extra, 'kind': kind, 'epoch': len(history), 'history': history,
                    'meta': {'kind': kind, 'inputDim': width, 'outputs': int(y.shape[1]),
                             'units': head.units, **extra,
                             'trainedWith': f'PyTorch DDP, {world} processes'}}))
    if rank == 0:
        print(json.dumps({'written': written}), flush=True)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
