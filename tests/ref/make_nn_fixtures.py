#!/usr/bin/python3
"""Writes the PyTorch parity fixtures of the nn engine into tests/data/nn/ (committed; CI does
not need torch). Run by hand with Debian's python3-torch:

    /usr/bin/python3 tests/ref/make_nn_fixtures.py [OUTDIR]

Each fixture is a .gdl file (the safetensors layout, written here with NumPy) that
tests/unit/test_nn_parity.c reads. References are computed in float64 and stored as float32.

Metadata (all strings):
  kind     "op" | "loss" | "train"
  graph    one node per line, "name|op|inputs|attrs", built with gdl_nn_add
  inputs   "name:d0,d1;name2:..." per-sample shapes, declared with gdl_nn_input
  output   the node compared ("out") and fed the upstream gradient ("dout")
  N, train batch size, mode
Tensors:
  input.NAME             the batch in gdl's layout (sequences (N, C, L))
  <gdl param name>       parameters and batch-norm state, e.g. "y.weight_ih_reverse"
  dout, out              upstream gradient and expected output; L = sum(out * dout)
  grad.input.NAME, grad.<param>   expected gradients
  after.<state>          expected batch-norm running statistics after the forward pass
Layout mapping from PyTorch (documented once, here and in nn.h):
  Linear, Conv1d, BatchNorm1d: identical (weight (out, in), (F, C, W)).
  LSTM/GRU (batch_first): input (N, L, C) is gdl's (N, C, L) transposed; output (N, L, D H) is
  (N, D H, L) transposed; the final state h_n (D, N, H) is gdl's (N, D H) as [forward, reverse].
  weight_ih_l0[_reverse] -> weight_ih[_reverse], likewise weight_hh, bias_ih, bias_hh. Gate
  order i,f,g,o (LSTM) and r,z,n (GRU) is PyTorch's.
  LayerNorm over the last axis of (N, L, C) is gdl's layernorm over C of (N, C, L).
  MultiheadAttention(batch_first): (N, L, E) <-> (N, E, L); in_proj_weight, in_proj_bias,
  out_proj.weight -> out_proj_weight, out_proj.bias -> out_proj_bias.
  gene_dense is a masked x @ W_m + b, W_m (M, G U) zero outside each gene's variants; gdl keeps
  only the rows of the links, weight (E, U) with link e at W_m[variant[e], group[e] U : +U], and
  the map as the state tensors group_start (G + 1) and link_variant (E).
"""
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "nn")


def write_gdl(path, tensors, meta):
    """safetensors: u64 header length, JSON header (space-padded to 8), raw little-endian data."""
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        a = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def np64(t):
    return t.detach().numpy()


def op_fixture(name, graph, inputs, xs, params, run, N, train=1, states_after=None):
    """xs: {input name: torch tensor in gdl layout}; params: {gdl name: torch leaf};
    run(xs) -> output in gdl layout."""
    xs = {k: v.clone().requires_grad_(True) for k, v in xs.items()}
    out = run(xs)
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    dout = torch.rand(out.shape, generator=g) * 2 - 1
    (out * dout).sum().backward()
    t = {}
    for k, v in xs.items():
        t["input." + k] = np64(v)
    for k, p in params.items():
        t[k] = np64(p) if not isinstance(p, tuple) else p[0]
    t["dout"] = np64(dout)
    t["out"] = np64(out)
    for k, v in xs.items():
        t["grad.input." + k] = np64(v.grad)
    for k, p in params.items():
        if isinstance(p, torch.Tensor) and p.requires_grad:
            t["grad." + k] = np64(p.grad)
    for k, v in (states_after or {}).items():
        t["after." + k] = np64(v)
    meta = {"kind": "op", "graph": "\n".join(graph), "inputs": inputs, "output": graph[-1].split("|")[0],
            "N": N, "train": train}
    write_gdl(os.path.join(OUT, name + ".gdl"), t, meta)


def rnd(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=g) * 2 - 1) * scale


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)

    # dense
    lin = torch.nn.Linear(7, 5)
    op_fixture("dense", ["y|dense|x|units=5"], "x:7", {"x": rnd(3, 7, seed=1)},
               {"y.weight": lin.weight, "y.bias": lin.bias}, lambda x: lin(x["x"]), 3)

    # conv1d with dilation and same / valid padding, stride
    for nm, attrs, kw in [("conv1d_same_dil", "filters=5 width=3 dilation=2 padding=same", dict(dilation=2, padding="same")),
                          ("conv1d_valid_stride", "filters=4 width=4 stride=2", dict(stride=2))]:
        conv = torch.nn.Conv1d(3, int(attrs.split()[0].split("=")[1]), int(attrs.split()[1].split("=")[1]), **kw)
        op_fixture(nm, ["y|conv1d|x|" + attrs], "x:3,17", {"x": rnd(2, 3, 17, seed=2)},
                   {"y.weight": conv.weight, "y.bias": conv.bias}, lambda x, conv=conv: conv(x["x"]), 2)

    # pooling
    op_fixture("maxpool1d", ["y|maxpool1d|x|size=3 stride=2"], "x:3,11", {"x": rnd(2, 3, 11, seed=3)}, {},
               lambda x: torch.nn.functional.max_pool1d(x["x"], 3, 2), 2)
    op_fixture("avgpool1d", ["y|avgpool1d|x|size=2"], "x:3,11", {"x": rnd(2, 3, 11, seed=4)}, {},
               lambda x: torch.nn.functional.avg_pool1d(x["x"], 2), 2)
    op_fixture("global_maxpool", ["y|global_maxpool|x|"], "x:3,9", {"x": rnd(2, 3, 9, seed=5)}, {},
               lambda x: x["x"].amax(dim=2), 2)
    op_fixture("global_avgpool", ["y|global_avgpool|x|"], "x:3,9", {"x": rnd(2, 3, 9, seed=6)}, {},
               lambda x: x["x"].mean(dim=2), 2)

    # recurrent: LSTM, GRU, BiLSTM (sequence), BiGRU (final state)
    def rec(nm, cls, attrs, bi, seq, seed):
        m = cls(3, 4, batch_first=True, bidirectional=bi)
        params = {}
        for pn, p in m.named_parameters():
            params["y." + pn.replace("_l0", "")] = p

        def run(x):
            o, h = m(x["x"].transpose(1, 2))
            if cls is torch.nn.LSTM:
                h = h[0]
            return o.transpose(1, 2) if seq else h.permute(1, 0, 2).reshape(x["x"].shape[0], -1)
        op_fixture(nm, ["y|%s|x|%s" % ("lstm" if cls is torch.nn.LSTM else "gru", attrs)], "x:3,6",
                   {"x": rnd(2, 3, 6, seed=seed)}, params, run, 2)
    rec("lstm", torch.nn.LSTM, "units=4 return_sequences=1", False, True, 7)
    rec("gru", torch.nn.GRU, "units=4 return_sequences=1", False, True, 8)
    rec("bilstm", torch.nn.LSTM, "units=4 bidirectional=1 return_sequences=1", True, True, 9)
    rec("bilstm_last", torch.nn.LSTM, "units=4 bidirectional=1", True, False, 10)
    rec("bigru_last", torch.nn.GRU, "units=4 bidirectional=1", True, False, 11)

    # batch norm: train (batch statistics, running stats updated) and eval (running stats)
    for train in (1, 0):
        bn = torch.nn.BatchNorm1d(3, momentum=0.1)
        with torch.no_grad():
            bn.weight.copy_(rnd(3, seed=12) + 1)
            bn.bias.copy_(rnd(3, seed=13))
            bn.running_mean.copy_(rnd(3, seed=14) * 0.5)
            bn.running_var.copy_(rnd(3, seed=15) * 0.5 + 1)
        before = {"y.running_mean": (np64(bn.running_mean.clone()),), "y.running_var": (np64(bn.running_var.clone()),)}
        bn.train(bool(train))
        params = {"y.weight": bn.weight, "y.bias": bn.bias, **before}
        op_fixture("batchnorm_" + ("train" if train else "eval"), ["y|batchnorm|x|"], "x:3,5",
                   {"x": rnd(4, 3, 5, seed=16)}, params, lambda x: bn(x["x"]), 4, train,
                   {"y.running_mean": bn.running_mean, "y.running_var": bn.running_var})

    # layer norm over channels at each position
    ln = torch.nn.LayerNorm(6)
    with torch.no_grad():
        ln.weight.copy_(rnd(6, seed=17) + 1)
        ln.bias.copy_(rnd(6, seed=18))
    op_fixture("layernorm", ["y|layernorm|x|"], "x:6,5", {"x": rnd(2, 6, 5, seed=19)},
               {"y.weight": ln.weight, "y.bias": ln.bias}, lambda x: ln(x["x"].transpose(1, 2)).transpose(1, 2), 2)

    # multi-head self-attention
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        mha.in_proj_bias.copy_(rnd(24, seed=20) * 0.1)
        mha.out_proj.bias.copy_(rnd(8, seed=21) * 0.1)

    def attn(x):
        s = x["x"].transpose(1, 2)
        return mha(s, s, s, need_weights=False)[0].transpose(1, 2)
    op_fixture("attention", ["y|attention|x|heads=2"], "x:8,5", {"x": rnd(2, 8, 5, seed=22)},
               {"y.in_proj_weight": mha.in_proj_weight, "y.in_proj_bias": mha.in_proj_bias,
                "y.out_proj_weight": mha.out_proj.weight, "y.out_proj_bias": mha.out_proj.bias}, attn, 2)

    # gene layer: a masked dense layer, W scattered into a (M, G, U) matrix zero outside each
    # gene's variants; variant 2 in two genes, 1 and 4 in none; map state "y.group_start",
    # "y.link_variant" (integers as floats)
    groups = [[0, 2, 5], [2, 3], [6, 7, 8]]
    var = torch.tensor([j for g in groups for j in g])
    grp = torch.tensor([k for k, g in enumerate(groups) for _ in g])
    start = np.cumsum([0] + [len(g) for g in groups]).astype(np.float64)
    gw = rnd(len(var), 2, seed=30).requires_grad_(True)
    gb = rnd(len(groups), 2, seed=31).requires_grad_(True)

    def gene(x):
        wm = torch.zeros(9, len(groups), 2).index_put((var, grp), gw)
        return x["x"] @ wm.reshape(9, -1) + gb.reshape(-1)
    op_fixture("gene_dense", ["y|gene_dense|x|groups=3 links=8 units_per_gene=2"], "x:9",
               {"x": torch.round(rnd(3, 9, seed=32) * 2 + 0.4) + rnd(3, 9, seed=33) * 0.1},
               {"y.weight": gw, "y.bias": gb, "y.group_start": (start,), "y.link_variant": (np64(var.double()),)},
               gene, 3)

    # losses (NaN labels masked, means over the labels present)
    N, T = 4, 3
    pred = (rnd(N, T, seed=23) * 4).requires_grad_(True)
    y = (rnd(N, T, seed=24) > 0).double()
    y[1, 2] = float("nan")
    pw = torch.tensor([2.0, 0.5, 1.0])
    mask = ~torch.isnan(y)
    l = torch.nn.functional.binary_cross_entropy_with_logits(pred, torch.nan_to_num(y), pos_weight=pw,
                                                           reduction="none")
    loss = (l * mask).sum() / mask.sum()
    loss.backward()
    write_gdl(os.path.join(OUT, "loss_bce.gdl"),
              {"pred": np64(pred), "labels": np64(y), "pos_weight": np64(pw), "loss": [loss.item()],
               "dpred": np64(pred.grad)}, {"kind": "loss", "loss": "bce", "N": N, "T": T})
    pred = (rnd(N, T, seed=25) * 4).requires_grad_(True)
    cls = torch.tensor([2.0, 0.0, float("nan"), 1.0])
    cw = torch.tensor([1.0, 2.0, 0.5])
    tgt = torch.nan_to_num(cls, nan=-100).long()
    loss = torch.nn.functional.cross_entropy(pred, tgt, weight=cw, ignore_index=-100)
    loss.backward()
    write_gdl(os.path.join(OUT, "loss_softmax_ce.gdl"),
              {"pred": np64(pred), "labels": np64(cls), "class_weight": np64(cw), "loss": [loss.item()],
               "dpred": np64(pred.grad)}, {"kind": "loss", "loss": "softmax_ce", "N": N, "T": T})
    pred = rnd(N, T, seed=26).requires_grad_(True)
    yr = rnd(N, T, seed=27)
    yr[0, 1] = float("nan")
    mask = ~torch.isnan(yr)
    loss = ((pred - torch.nan_to_num(yr)) ** 2 * mask).sum() / mask.sum()
    loss.backward()
    write_gdl(os.path.join(OUT, "loss_mse.gdl"),
              {"pred": np64(pred), "labels": np64(yr), "loss": [loss.item()], "dpred": np64(pred.grad)},
              {"kind": "loss", "loss": "mse", "N": N, "T": T})

    # 5 optimizer steps on CNN + BiLSTM + dense over one-hot DNA, multi-label BCE: Adam (the
    # acceptance case), and SGD with Nesterov momentum, AdamW and RMSprop with weight decay
    train_fixture("train_adam", "adam", lambda ps: torch.optim.Adam(ps, lr=0.01), {"lr": 0.01})
    train_fixture("train_sgd_nesterov", "sgd",
                  lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
                  {"lr": 0.1, "momentum": 0.9, "nesterov": 1, "weight_decay": 1e-3})
    train_fixture("train_adamw", "adamw", lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.05),
                  {"lr": 0.01, "weight_decay": 0.05})
    train_fixture("train_rmsprop", "rmsprop",
                  lambda ps: torch.optim.RMSprop(ps, lr=0.005, alpha=0.9, eps=1e-6, weight_decay=1e-3),
                  {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "weight_decay": 1e-3})


def train_fixture(name, optim, make_opt, opts):
    torch.manual_seed(1)
    N, L = 8, 24
    g = torch.Generator().manual_seed(28)
    bases = torch.randint(0, 4, (N, L), generator=g)
    x = torch.nn.functional.one_hot(bases, 4).double().transpose(1, 2).contiguous()  # (N, 4, L)
    labels = (torch.rand(N, 3, generator=g) > 0.5).double()
    conv = torch.nn.Conv1d(4, 6, 5)
    lstm = torch.nn.LSTM(6, 4, batch_first=True, bidirectional=True)
    dense = torch.nn.Linear(8, 3)
    named = {"conv.weight": conv.weight, "conv.bias": conv.bias, "out.weight": dense.weight, "out.bias": dense.bias}
    for pn, p in lstm.named_parameters():
        named["rnn." + pn.replace("_l0", "")] = p
    init = {k: np64(v).copy() for k, v in named.items()}
    opt = make_opt(list(named.values()))
    losses = []
    for _ in range(5):
        opt.zero_grad()
        h = torch.nn.functional.max_pool1d(torch.relu(conv(x)), 2)
        _, (hn, _) = lstm(h.transpose(1, 2))
        logits = dense(hn.permute(1, 0, 2).reshape(N, -1))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    t = {"input.x": np64(x), "labels": np64(labels), "losses": losses, **init}
    graph = ["conv|conv1d|x|filters=6 width=5", "act|relu|conv|", "pool|maxpool1d|act|size=2",
             "rnn|lstm|pool|units=4 bidirectional=1", "out|dense|rnn|units=3"]
    meta = {"kind": "train", "graph": "\n".join(graph), "inputs": "x:4,%d" % L, "output": "out",
            "N": N, "train": 1, "loss": "bce", "optim": optim, "steps": 5}
    meta.update(opts)
    write_gdl(os.path.join(OUT, name + ".gdl"), t, meta)


if __name__ == "__main__":
    main()
