"""The notebook's dataset .tar (see src/lib/interop/dataset-export.ts) read without unpacking.

Frames are read row by row straight from the archive (an uncompressed tar member is a byte
range), so a film archive larger than memory streams; the small arrays are loaded whole.
"""
import io
import json
import tarfile

import numpy as np

CHEMICALS = 6


class DatasetTar:
    def __init__(self, path):
        self.path = path
        self.tar = tarfile.open(path, 'r:')
        self.members = {m.name.split('/', 1)[-1]: m for m in self.tar.getmembers() if m.isfile()}
        self.manifest = json.loads(self._bytes('manifest.json'))
        if self.manifest.get('format') != 'cinebreath-dataset':
            raise ValueError(f'{path} is not a Cinebreath dataset export')
        self.split = self.array('split.npy').astype(bool)
        self._frames = self._frames_layout() if 'frames.npy' in self.members else None

    def _bytes(self, name):
        if name not in self.members:
            raise KeyError(f'{self.path} has no {name}')
        return self.tar.extractfile(self.members[name]).read()

    def array(self, name):
        return np.load(io.BytesIO(self._bytes(name)), allow_pickle=False)

    def _frames_layout(self):
        f = self.tar.extractfile(self.members['frames.npy'])
        version = np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format._read_array_header(f, version)
        if fortran or dtype != np.uint8:
            raise ValueError('frames.npy must be C-ordered uint8')
        return {'offset': self.members['frames.npy'].offset_data + f.tell(), 'shape': shape}

    @property
    def sequence_shape(self):
        """[frames, height, width, channels] of one sequence."""
        if self._frames is None:
            raise ValueError(f'{self.path} was exported without frames')
        return list(self._frames['shape'][1:])

    @property
    def rows(self):
        return int(self.manifest['rows'])

    def frames(self, rows):
        """uint8 frames of the given rows, (len(rows), 30, H, W, 3), in the movies' channel order."""
        shape = self.sequence_shape
        size = int(np.prod(shape))
        out = np.empty((len(rows), *shape), dtype=np.uint8)
        with open(self.path, 'rb') as f:
            for i, r in enumerate(rows):
                f.seek(self._frames['offset'] + int(r) * size)
                out[i] = np.frombuffer(f.read(size), dtype=np.uint8).reshape(shape)
        return out

    def frame_rows(self):
        """Rows whose frames were stored (missing sequences are zeros in the export)."""
        rows = []
        for m in self.manifest['movies']:
            start = m['rows'][0]
            rows.extend(range(start, start + min(m['framesStored'], m['rows'][1] - start)))
        return np.array(rows, dtype=np.int64)

    def channel_order(self):
        orders = {m['channelOrder'] for m in self.manifest['movies']}
        if len(orders) != 1:
            raise ValueError(f'movies have different channel orders: {sorted(orders)}')
        return orders.pop()

    def study(self):
        return self.manifest.get('study') or {}

    def scene_targets(self, min_count=None):
        """(rows, y, names): labelled rows and the labels used at least `min_count` times."""
        labels = self.array('labels.npy')
        names = list(self.manifest['labels'])
        if min_count is None:
            min_count = int(self.study().get('minLabelCount', 20))
        labelled = ~np.isnan(labels).any(axis=1)
        counts = np.nansum(labels[labelled], axis=0)
        keep = counts >= min_count
        rows = np.nonzero(labelled)[0]
        return rows, labels[rows][:, keep].astype(np.float32), [n for n, k in zip(names, keep) if k]

    def gas_targets(self, lag=None):
        """(rows, y, validation) with the notebook's defaults: per screening and chemical min-max,
        missing values 0.5, and sequence r paired with the screening's period r + lag."""
        study = self.study()
        if study.get('normalisation', 'per-chemical') != 'per-chemical' or study.get(
            'missing', 'constant'
        ) != 'constant':
            raise ValueError('only per-chemical min-max normalisation with 0.5 for missing values')
        lag = int(study.get('lag', 0)) if lag is None else lag
        gases = self.array('gases.npy')
        gas_rows = self.array('gas_rows.npy')
        gas_split = self.array('gas_split.npy').astype(bool)
        y = np.full_like(gases, 0.5, dtype=np.float32)
        for s in np.unique(gas_rows[:, 1]):
            mine = gas_rows[:, 1] == s
            v = gases[mine]
            lo, hi = np.nanmin(v, axis=0), np.nanmax(v, axis=0)
            span = np.where(hi > lo, hi - lo, 1)
            y[mine] = np.where(np.isnan(v) | (hi <= lo), 0.5, (v - lo) / span).astype(np.float32)
        rows, targets, validation = [], [], []
        for i, (row, s) in enumerate(gas_rows):
            j = i + lag
            if j < len(gas_rows) and gas_rows[j, 1] == s and gas_rows[j, 0] == row + lag:
                rows.append(row)
                targets.append(y[j])
                validation.append(gas_split[i])
        return np.array(rows, dtype=np.int64), np.array(targets, dtype=np.float32), np.array(validation)
