#!/usr/bin/python3
"""train_torch.py: the PyTorch reference for bench-train.sh.

Trains, for one epoch, the model irmas-train exported with --export DIR:
the same initial weights, the same standardised frames (or a CNN's
images), the same batches in the same order, the same loss, clipping and
Adam settings. It prints
the training time and the epoch's mean loss and accuracy as
"torch seconds S loss L accuracy A" so that bench-train.sh can compare
them with irmas-train's.

The recurrent cell is PyTorch's nn.LSTM (or nn.GRU / nn.RNN). irmas-train
has one bias per gate where PyTorch has two that add up (b_ih + b_hh), so
b_ih takes ours and b_hh is held at zero: the two models compute and
learn exactly the same function. A CNN is layers_torch.py's twin of it
(torch.nn Conv2d, MaxPool2d and Linear layers), its softmax left to the
loss. Only dropout cannot match (the masks are drawn differently), which
is why the benchmark runs with --dropout 0.
"""
import sys
import time

import numpy as np
import torch
from torch import nn

from layers_torch import cnn_layers


def read_meta(folder):
    meta = {}
    with open(f"{folder}/meta.txt") as f:
        for line in f:
            key, value = line.split(None, 1)
            meta[key] = value.strip()
    return meta


class Model(nn.Module):
    """A recurrent layer whose final h feeds a linear layer (softmax in the
    loss), as irmas-train builds the study's models without --dense."""

    CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}

    def __init__(self, cell, features, hidden, classes, dropout):
        super().__init__()
        self.recurrent = self.CELLS[cell](features, hidden, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        _, state = self.recurrent(x)
        h = state[0] if isinstance(state, tuple) else state
        return self.head(self.dropout(h[-1]))

    def load(self, flat, gru_reset_after):
        """Copies irmas-train's weights (arena order: w_x, w_h, bias or
        b_x, b_h, then the dense weights and bias) into the modules."""
        r = self.recurrent
        if isinstance(r, nn.GRU) and not gru_reset_after:
            sys.exit("train_torch.py: PyTorch has only the reset_after GRU")
        tensors = [r.weight_ih_l0, r.weight_hh_l0, r.bias_ih_l0]
        if isinstance(r, nn.GRU):
            tensors.append(r.bias_hh_l0)
        else:
            r.bias_hh_l0.data.zero_()
            r.bias_hh_l0.requires_grad_(False)
        tensors += [self.head.weight, self.head.bias]
        at = 0
        for t in tensors:
            n = t.numel()
            t.data.copy_(torch.from_numpy(flat[at:at + n]).view_as(t))
            at += n
        if at != flat.size:
            sys.exit(f"train_torch.py: {flat.size} weights exported, the "
                     f"model takes {at}; only models without --dense")


def recurrent(folder, meta, weights):
    """The exported recurrent model, and its standardised frames."""
    n, frames, features = (int(meta[k]) for k in
                           ("examples", "frames", "features"))
    if int(meta["layers"]) != 2:
        sys.exit("train_torch.py: only models without --dense")
    x = torch.from_numpy(np.fromfile(f"{folder}/features.f32", "<f4")
                         .reshape(n, frames, features))
    model = Model(meta["cell"], features, int(meta["hidden"]),
                  int(meta["classes"]), float(meta["dropout"]))
    model.load(weights, int(meta["reset_after"]))
    return model, x


def cnn(folder, meta, weights):
    """The exported CNN (its weights taken from the arena in layer order),
    without its softmax, and its images."""
    if float(meta["dropout"]) > 0:
        sys.exit("train_torch.py: a CNN's dropout masks cannot match; "
                 "export with --dropout 0")
    n, channels, size = (int(meta[k]) for k in ("examples", "channels", "size"))
    with open(f"{folder}/layers.txt") as f:
        lines = [line.split() for line in f]
    at = 0

    def tensor(i, name, shape):
        nonlocal at
        count = int(np.prod(shape))
        t = torch.from_numpy(weights[at:at + count].copy()).view(shape)
        at += count
        return t

    net, _ = cnn_layers(lines, size, tensor)
    if at != weights.size:
        sys.exit(f"train_torch.py: {weights.size} weights exported, the CNN "
                 f"takes {at}")
    layers = list(net)
    if isinstance(layers[-1], nn.Softmax):
        layers.pop()
    x = torch.from_numpy(np.fromfile(f"{folder}/images.f32", "<f4")
                         .reshape(n, channels, size, size))
    return nn.Sequential(*layers), x


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: train_torch.py EXPORT_DIR THREADS")
    folder, threads = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(threads)
    # irmas-train flushes denormal numbers to zero (engine/denormals.h);
    # so does this run, or PyTorch would pay alone for the microcode
    # assists that decaying gradients cost on x86 CPUs.
    torch.set_flush_denormal(True)
    meta = read_meta(folder)
    n = int(meta["examples"])
    weights = np.fromfile(f"{folder}/weights.f32", "<f4")
    if meta["model"] == "cnn":
        model, x = cnn(folder, meta, weights)
    else:
        model, x = recurrent(folder, meta, weights)
    y = torch.from_numpy(np.fromfile(f"{folder}/labels.i32", "<i4")
                         .astype(np.int64))
    order = np.fromfile(f"{folder}/order.i32", "<i4").astype(np.int64)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(params, lr=float(meta["lr"]))
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    batch, clip = int(meta["batch"]), float(meta["clip"])

    model.train()
    total, correct = 0.0, 0
    start = time.perf_counter()
    for first in range(0, n, batch):
        rows = torch.from_numpy(order[first:first + batch])
        logits = model(x[rows])
        loss = loss_fn(logits, y[rows])
        optimiser.zero_grad()
        (loss / len(rows)).backward()
        if clip > 0:
            nn.utils.clip_grad_norm_(params, clip)
        optimiser.step()
        total += loss.item()
        correct += (logits.argmax(1) == y[rows]).sum().item()
    seconds = time.perf_counter() - start
    print(f"torch seconds {seconds:.3f} loss {total / n:.6f} "
          f"accuracy {correct / n:.6f}")


if __name__ == "__main__":
    main()
