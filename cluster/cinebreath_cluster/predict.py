"""Run a notebook model file (written here or exported by the notebook) on dataset rows:

    python3 -m cinebreath_cluster.predict --model ae.json --data dataset.tar --rows 0,1 --out y.npy
    python3 -m cinebreath_cluster.predict --model head.json --encoder ae.json --data … --rows … --out …
"""
import argparse

import numpy as np
import torch

from .dataset import DatasetTar
from .tfjs_files import read_model


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', required=True)
    p.add_argument('--encoder', help='the autoencoder whose encoder feeds a head')
    p.add_argument('--data', help="the notebook's dataset .tar")
    p.add_argument('--frames', help='a .npy of uint8 sequences instead of --data rows')
    p.add_argument('--rows', default='0')
    p.add_argument('--out', required=True)
    p.add_argument('--save-inputs', help='also write the uint8 frames that went in, as .npy')
    args = p.parse_args(argv)
    model, _ = read_model(args.model)
    if args.frames:
        frames = np.load(args.frames)
    else:
        rows = np.array([int(r) for r in args.rows.split(',')])
        frames = DatasetTar(args.data).frames(rows)
    if args.save_inputs:
        np.save(args.save_inputs, frames)
    x = torch.from_numpy(frames).float().div(255)
    with torch.no_grad():
        if args.encoder:
            encoder, _ = read_model(args.encoder)
            x = encoder.encode(x).reshape(len(x), -1)
        y = model(x)
    np.save(args.out, y.numpy().astype(np.float32))


if __name__ == '__main__':
    main()
