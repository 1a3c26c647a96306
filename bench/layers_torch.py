#!/usr/bin/python3
"""layers_torch.py: PyTorch's side of bench_layers.

Reads what `bench_layers FOLDER` wrote (raw little-endian float32 files:
the shape, the input window, each layer's tensors and libirmas's final h),
loads the very same weights into torch.nn.LSTM and torch.nn.GRU, times the
same whole-window forward pass (batch 1, one thread, median of many runs)
and prints PyTorch's milliseconds, the largest difference between its
final hidden state and libirmas's, and the ratios a reader compares across
machines: how many times as fast libirmas's window is (with the
instruction set it used), and the window's arithmetic rate against
OpenBLAS sgemm's own on the projection's shape, both measured by
bench_layers in the same run. Exits 1 if the difference reaches 1e-4: the
two would then not be computing the same thing.

Usage: /usr/bin/python3 bench/layers_torch.py FOLDER
"""
import os
import sys
import time

import numpy as np
import torch

RUNS = 101
TOLERANCE = 1e-4


def load(folder, name, shape=None):
    data = np.fromfile(os.path.join(folder, name), dtype="<f4")
    return torch.from_numpy(data.reshape(shape) if shape else data)


def load_weights(folder, net, kind):
    """Copies libirmas's tensors (PyTorch's gate order and layout) in.

    An LSTM has one bias per gate in libirmas, so it goes to bias_ih and
    bias_hh is zero; a GRU (reset_after form, as PyTorch's) has both.
    """
    with torch.no_grad():
        net.weight_ih_l0.copy_(load(folder, kind + ".w_x.f32", net.weight_ih_l0.shape))
        net.weight_hh_l0.copy_(load(folder, kind + ".w_h.f32", net.weight_hh_l0.shape))
        if kind == "lstm":
            net.bias_ih_l0.copy_(load(folder, "lstm.bias.f32"))
            net.bias_hh_l0.zero_()
        else:
            net.bias_ih_l0.copy_(load(folder, "gru.b_x.f32"))
            net.bias_hh_l0.copy_(load(folder, "gru.b_h.f32"))


def bench(folder, kind, frames, inputs, hidden):
    cell = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    net = cell(inputs, hidden, batch_first=True)
    load_weights(folder, net, kind)
    x = load(folder, "input.f32", (1, frames, inputs))
    times = []
    with torch.no_grad():
        for _ in range(RUNS):
            start = time.perf_counter()
            _, state = net(x)
            times.append(time.perf_counter() - start)
    h = state[0] if kind == "lstm" else state
    ours = load(folder, kind + ".h.f32")
    diff = (h.reshape(-1) - ours).abs().max().item()
    torch_ms = 1e3 * sorted(times)[RUNS // 2]
    print("%-5s PyTorch %s: %.2f ms (median of %d); largest |h difference| "
          "from libirmas: %.2e" % (kind, torch.__version__, torch_ms, RUNS, diff))
    ours_ms = load(folder, kind + ".ms.f32").item()
    sgemm = load(folder, "sgemm-gflops.f32").item()
    gates = 4 if kind == "lstm" else 3
    flops = 2.0 * frames * gates * hidden * (inputs + hidden)
    rate = flops / (1e6 * ours_ms)
    print("%-5s libirmas %.2f ms: %.1f times as fast as PyTorch; the window "
          "at %.1f GFLOP/s, %.2f of OpenBLAS sgemm's rate on the projection "
          "(%.1f GFLOP/s)" % (kind, ours_ms, torch_ms / ours_ms, rate,
                              rate / sgemm, sgemm))
    return diff < TOLERANCE


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: layers_torch.py FOLDER (written by bench_layers)")
    folder = sys.argv[1]
    torch.set_num_threads(1)
    frames, inputs, hidden = (int(v) for v in load(folder, "shape.f32"))
    agree = [bench(folder, kind, frames, inputs, hidden) for kind in ("lstm", "gru")]
    if not all(agree):
        print("libirmas and PyTorch disagree by %g or more" % TOLERANCE)
        sys.exit(1)


if __name__ == "__main__":
    main()
