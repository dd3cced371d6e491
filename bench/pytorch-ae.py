# The autoencoder training step of bench/ae-workload.ts in PyTorch (CPU, one thread), as the
# reference the tfjs kernels are measured against. Prints one JSON line: {"stepMs": …}.
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
batch, frames, height, width, repeats = (int(a) for a in sys.argv[1:6])


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv3d(3, 32, 3, padding=1)
        self.c2 = nn.Conv3d(32, 64, 3, padding=1)
        self.c3 = nn.Conv3d(64, 64, 3, padding=1)
        self.c4 = nn.Conv3d(64, 32, 3, padding=1)
        self.c5 = nn.Conv3d(32, 3, 3, padding=1)

    def forward(self, x):
        h = F.max_pool3d(F.relu(self.c1(x)), 2)
        h = F.max_pool3d(F.relu(self.c2(h)), 2)
        h = F.interpolate(F.relu(self.c3(h)), scale_factor=2, mode="nearest")
        h = F.interpolate(F.relu(self.c4(h)), scale_factor=2, mode="nearest")
        total = frames - h.shape[2]
        h = F.pad(h, (0, 0, 0, 0, total // 2, total - total // 2))
        return torch.sigmoid(self.c5(h))


torch.manual_seed(0)
model = AE()
opt = torch.optim.Adadelta(model.parameters(), lr=1.0, rho=0.95, eps=1e-7)
x = torch.rand(batch, 3, frames, height, width)


def step():
    opt.zero_grad()
    loss = F.binary_cross_entropy(model(x), x)
    loss.backward()
    opt.step()


step()
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"stepMs": times[len(times) // 2], "torch": torch.__version__}))
