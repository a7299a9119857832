"""PyTorch side of `make bench-torch` (issue 8): the four models of bench_train.sh with the same
layer sizes, threads, batch and dtype, timed the way bench_train.sh times gdl. Not a test.
Run by bench_torch.sh with Debian's python3-torch (/usr/bin/python3), the OpenMP OpenBLAS on
LD_LIBRARY_PATH and MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ set.

  bench_torch.py run MODEL PHASE          one measurement in this process (train | infer);
                                          prints "samples/s peak_rss_mb params"
  bench_torch.py table GDL_RESULTS.tsv    runs every model and phase in a fresh process each,
                                          checks parameter counts against gdl's, prints the table
Env: BENCH_THREADS (2), BENCH_STEPS (timed steps per repeat), BENCH_REPEATS (3)."""
import os
import resource
import statistics
import subprocess
import sys
import time

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))


def build(name):
    import torch
    from torch import nn

    class Flatten(nn.Module):
        def forward(self, x):
            return x.reshape(x.shape[0], -1)

    if name == "mlp":
        V = 75203

        class MLP(nn.Module):  # PyTorch's best first layer for sparse dosages: EmbeddingBag
            def __init__(self):
                super().__init__()
                self.emb = nn.EmbeddingBag(V, 512, mode="sum")
                self.bias = nn.Parameter(torch.zeros(512))
                self.rest = nn.Sequential(nn.ReLU(), nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 1))

            def forward(self, x):
                idx, offs, w = x
                return self.rest(self.emb(idx, offs, per_sample_weights=w) + self.bias)

        m = MLP()
        g = torch.Generator().manual_seed(1)
        p = 0.002 + 0.016 * torch.rand(V, generator=g)  # as gen_vcf.c: ~2% non-zero calls

        def batch(n):
            d = torch.binomial(torch.full((n, V), 2.0), p.expand(n, V), generator=g)
            nz = d.nonzero()
            offs = torch.searchsorted(nz[:, 0].contiguous(), torch.arange(n))
            return (nz[:, 1].contiguous(), offs, d[nz[:, 0], nz[:, 1]].contiguous()), torch.randint(0, 2, (n, 1)).float()

        opt = lambda ps: torch.optim.Adam(ps, lr=1e-3)
        return m, batch, nn.BCEWithLogitsLoss(), opt, 64, 0
    if name in ("deepsea", "danq"):
        T = 64

        def batch(n):
            x = torch.zeros(n, 4, 1000)
            x.scatter_(1, torch.randint(0, 4, (n, 1, 1000)), 1.0)
            return x, torch.randint(0, 2, (n, T)).float()

        if name == "deepsea":
            m = nn.Sequential(
                nn.Conv1d(4, 320, 8), nn.ReLU(), nn.MaxPool1d(4), nn.Dropout(0.2),
                nn.Conv1d(320, 480, 8), nn.ReLU(), nn.MaxPool1d(4), nn.Dropout(0.2),
                nn.Conv1d(480, 960, 8), nn.ReLU(), nn.Dropout(0.5), Flatten(),
                nn.Linear(960 * 53, 925), nn.ReLU(), nn.Linear(925, T))
            opt = lambda ps: torch.optim.Adam(ps, lr=5e-4, weight_decay=1e-6)
            return m, batch, nn.BCEWithLogitsLoss(), opt, 64, 5.0

        class DanQ(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Sequential(nn.Conv1d(4, 320, 26), nn.ReLU(), nn.MaxPool1d(13), nn.Dropout(0.2))
                self.lstm = nn.LSTM(320, 320, batch_first=True, bidirectional=True)
                self.head = nn.Sequential(nn.Dropout(0.5), Flatten(), nn.Linear(75 * 640, 925), nn.ReLU(), nn.Linear(925, T))

            def forward(self, x):
                h, _ = self.lstm(self.conv(x).transpose(1, 2))
                return self.head(h)

        opt = lambda ps: torch.optim.RMSprop(ps, lr=1e-3, alpha=0.99, eps=1e-8)
        return DanQ(), batch, nn.BCEWithLogitsLoss(), opt, 64, 5.0
    if name == "twobranch":
        class TwoBranch(nn.Module):  # the expression study's, as tests/bench/two-branch.json
            def __init__(self):
                super().__init__()
                lk = lambda: nn.LeakyReLU(0.05)
                self.hm = nn.Sequential(nn.Conv1d(5, 50, 10), lk(), nn.MaxPool1d(5), nn.Conv1d(50, 50, 5), lk(),
                                        nn.MaxPool1d(3), Flatten(), nn.Dropout(0.5), nn.Linear(50 * 4, 82), lk())
                self.dna = nn.Sequential(nn.Conv1d(4, 132, 6), nn.ReLU(), nn.MaxPool1d(32), Flatten(),
                                         nn.Dropout(0.5), nn.Linear(132 * 312, 82), lk())
                self.head = nn.Sequential(nn.Linear(164, 100), lk(), nn.Dropout(0.2), nn.Linear(100, 1))

            def forward(self, x):
                hm, dna = x
                return self.head(torch.cat([self.hm(hm), self.dna(dna)], 1))

        def batch(n):
            dna = torch.zeros(n, 4, 10000)
            dna.scatter_(1, torch.randint(0, 4, (n, 1, 10000)), 1.0)
            return (torch.rand(n, 5, 100) * 2, dna), torch.randn(n, 1)

        return TwoBranch(), batch, nn.MSELoss(), lambda ps: torch.optim.Adam(ps, lr=5e-4), 100, 0
    raise SystemExit("unknown model " + name)


def run(name, phase):
    import torch
    torch.set_num_threads(THREADS)
    torch.manual_seed(1)
    m, batch, loss_fn, make_opt, B, clip = build(name)
    params = sum(p.numel() for p in m.parameters())
    if phase == "train":
        opt = make_opt(m.parameters())
        m.train()
        steps = int(os.environ.get("BENCH_STEPS", "20" if name == "mlp" else "4"))
        data = [batch(B) for _ in range(steps)]

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(m(x), y)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(m.parameters(), clip)
            opt.step()

        for x, y in data[:2]:  # warm-up
            step(x, y)
        rates = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            for x, y in data:
                step(x, y)
            rates.append(steps * B / (time.perf_counter() - t0))
    else:
        # 256: PyTorch's MLP is no faster at gdl predict's 2,048 (measured 5,432 vs 4,836 smp/s)
        B, n = 256, {"mlp": 4608, "deepsea": 1024, "danq": 1024}.get(name, 256)
        m.eval()
        data = [batch(B) for _ in range(n // B)]
        rates = []
        with torch.no_grad():
            for x, _ in data[:1]:
                m(x)
            for _ in range(REPEATS):
                t0 = time.perf_counter()
                for x, _ in data:
                    m(x)
                rates.append(n / (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("%.1f %.0f %d" % (statistics.median(rates), rss, params))


def table(results):
    import torch
    rows = [line.rstrip("\n").split("\t") for line in open(results)]
    head, rows = rows[0], rows[1:]
    col = {k: i for i, k in enumerate(head)}
    print("PyTorch %s, %d threads, OpenBLAS from %s (OPENBLAS_CORETYPE=%s), MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s"
          % (torch.__version__, THREADS, os.environ.get("LD_LIBRARY_PATH", "(default)"),
             os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
             os.environ.get("MALLOC_MMAP_THRESHOLD_"), os.environ.get("MALLOC_TRIM_THRESHOLD_")))
    fmt = "%-10s %-6s %11s %11s %7s %8s %8s"
    print(fmt % ("model", "phase", "gdl smp/s", "torch smp/s", "ratio", "gdl MB", "torch MB"))
    bad = 0
    for r in rows:
        name = r[col["model"]]
        for phase in ("train", "infer"):
            out = subprocess.run([sys.executable, __file__, "run", name, phase], capture_output=True, text=True)
            if out.returncode != 0:
                sys.stderr.write(out.stderr)
                raise SystemExit("torch %s %s failed" % (name, phase))
            sps, rss, params = out.stdout.split()[-3:]
            if int(params) != int(r[col["params"]]):
                print("%s: parameter counts differ: gdl %s, PyTorch %s" % (name, r[col["params"]], params))
                bad = 1
            g = float(r[col[phase + "_sps"]])
            print(fmt % (name, phase, "%.1f" % g, sps, "%.2f" % (g / float(sps)), r[col[phase + "_rss_mb"]], rss))
        print("%-10s params: gdl %s, PyTorch %s" % (name, r[col["params"]], params))
    sys.exit(bad)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        raise SystemExit(__doc__)
