# The autoencoder training step of bench/ae-workload.ts in PyTorch, as the reference the tfjs
# kernels are measured against: on CUDA where PyTorch sees a GPU (scripts/gpu-bench.ts's
# reference), else on the CPU with one thread (bench/conv3d.bench.ts's). `--bn` adds the paper's
# batch norm after each hidden activation (Keras's epsilon and momentum).
#   python3 bench/pytorch-ae.py BATCH FRAMES HEIGHT WIDTH REPEATS [--bn]
# Prints one JSON line: {"stepMs": …, "epochS_2301": …, …}.
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

cuda = torch.cuda.is_available()
dev = "cuda" if cuda else "cpu"
if not cuda:
    torch.set_num_threads(1)
batch, frames, height, width, repeats = (int(a) for a in sys.argv[1:6])
batch_norm = "--bn" in sys.argv[6:]


def sync():
    if cuda:
        torch.cuda.synchronize()


class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv3d(3, 32, 3, padding=1)
        self.c2 = nn.Conv3d(32, 64, 3, padding=1)
        self.c3 = nn.Conv3d(64, 64, 3, padding=1)
        self.c4 = nn.Conv3d(64, 32, 3, padding=1)
        self.c5 = nn.Conv3d(32, 3, 3, padding=1)
        norm = (lambda c: nn.BatchNorm3d(c, eps=1e-3, momentum=0.01)) if batch_norm else (lambda c: nn.Identity())
        self.n1, self.n2, self.n3, self.n4 = norm(32), norm(64), norm(64), norm(32)

    def forward(self, x):
        h = F.max_pool3d(self.n1(F.relu(self.c1(x))), 2)
        h = F.max_pool3d(self.n2(F.relu(self.c2(h))), 2)
        h = F.interpolate(self.n3(F.relu(self.c3(h))), scale_factor=2, mode="nearest")
        h = F.interpolate(self.n4(F.relu(self.c4(h))), scale_factor=2, mode="nearest")
        total = frames - h.shape[2]
        h = F.pad(h, (0, 0, 0, 0, total // 2, total - total // 2))
        return torch.sigmoid(self.c5(h))


torch.manual_seed(0)
model = AE().to(dev)
opt = torch.optim.Adadelta(model.parameters(), lr=1.0, rho=0.95, eps=1e-7)
x = torch.rand(batch, 3, frames, height, width, device=dev)


def step():
    opt.zero_grad()
    loss = F.binary_cross_entropy(model(x), x)
    loss.backward()
    opt.step()


for _ in range(3 if cuda else 1):
    step()
sync()
times = []
for _ in range(repeats):
    t0 = time.perf_counter()
    step()
    sync()
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
ms = times[len(times) // 2]
print(json.dumps({
    "device": torch.cuda.get_device_name(0) if cuda else "cpu, 1 thread",
    "batch": batch,
    "batchNorm": batch_norm,
    "stepMs": ms,
    "epochS_2301": ms * -(-2301 // batch) / 1000,
    "torch": torch.__version__,
}))
