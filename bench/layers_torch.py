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
bench_layers in the same run. When bench_layers was given a CNN (the
shipped models/default.irm), it does the same for that network on the
image bench_layers built: torch.nn.Conv2d, MaxPool2d and Linear layers
holding its weights, its probabilities compared with libirmas's. Exits 1
if a difference reaches 1e-4: the two would then not be computing the
same thing.

Given libirmas.so as well, it also times the LSTM's and the GRU's whole
window through libirmas's public interface (irmas_window_classify on the
lstm.irm and gru.irm bench_layers saved: the front-end, the layer and the
softmax head) in this process, a call of it and a call of PyTorch's layer
in turn: a ratio that the machine's speed drifting between two programs
cannot move.

Usage: /usr/bin/python3 bench/layers_torch.py FOLDER [LIBIRMAS_SO]
"""
import ctypes
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


def median_ms(run, runs=RUNS):
    """Calls run() runs times without gradients: the median wall time in
    milliseconds, and the last call's result."""
    times = []
    with torch.no_grad():
        for _ in range(runs):
            start = time.perf_counter()
            result = run()
            times.append(time.perf_counter() - start)
    return 1e3 * sorted(times)[runs // 2], result


def in_turn_ms(first, second, runs=RUNS):
    """Calls first() then second(), runs times, without gradients: the
    median wall time of each in milliseconds."""
    times = ([], [])
    with torch.no_grad():
        for _ in range(runs):
            for run, kept in zip((first, second), times):
                start = time.perf_counter()
                run()
                kept.append(time.perf_counter() - start)
    return tuple(1e3 * sorted(kept)[runs // 2] for kept in times)


def libirmas_window(lib, path):
    """A function classifying one window of float32 samples with the model
    file at path, through libirmas's interface (irmas/irmas.h)."""
    err = ctypes.create_string_buffer(1024)
    model, window = ctypes.c_void_p(), ctypes.c_void_p()
    if lib.irmas_model_load(path.encode(), ctypes.byref(model), err, 1024) or \
            lib.irmas_window_new(model, ctypes.byref(window), err, 1024):
        sys.exit("layers_torch.py: %s" % err.value.decode())
    probs = (ctypes.c_float * 64)()
    classify = lib.irmas_window_classify
    classify.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    return lambda samples: classify(window, samples.ctypes.data, probs)


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


def bench(folder, kind, frames, inputs, hidden, lib):
    cell = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
    net = cell(inputs, hidden, batch_first=True)
    load_weights(folder, net, kind)
    x = load(folder, "input.f32", (1, frames, inputs))
    torch_ms, (_, state) = median_ms(lambda: net(x))
    h = state[0] if kind == "lstm" else state
    ours = load(folder, kind + ".h.f32")
    diff = (h.reshape(-1) - ours).abs().max().item()
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
    if lib:
        classify = libirmas_window(lib, os.path.join(folder, kind + ".irm"))
        samples = x.numpy().reshape(-1)
        ours_ms, torch_ms = in_turn_ms(lambda: classify(samples), lambda: net(x))
        print("%-5s in one process, in turn (median of %d each): libirmas's "
              "whole window (irmas_window_classify) %.2f ms, PyTorch's layer "
              "%.2f ms: %.1f times as fast" % (kind, RUNS, ours_ms, torch_ms,
                                              torch_ms / ours_ms))
    return diff < TOLERANCE


def cnn_layers(lines, size, tensor):
    """The CNN whose layers `lines` describe (one list of fields a layer,
    as libirmas's layer_describe writes them) as torch.nn layers, on
    size x size images; tensor(i, name, shape) gives layer i's "weights"
    and "bias", asked for in that order, layer by layer. Returns the
    torch.nn.Sequential and the multiply-adds of one image through it,
    counted twice (FLOPs)."""
    layers, flops, flat = [], 0, False
    for i, fields in enumerate(lines):
        kind = fields[0]
        if kind == "maxpool":
            k, stride = int(fields[1]), int(fields[2])
            layers.append(torch.nn.MaxPool2d(k, stride))
            size = (size - k) // stride + 1
            continue
        if kind == "conv2d":
            c, filters, k, stride, pad = (int(v) for v in fields[1:6])
            net = torch.nn.Conv2d(c, filters, k, stride, pad)
            size = (size + 2 * pad - k) // stride + 1
            flops += 2 * size * size * filters * c * k * k
        elif kind == "dense":
            inputs, outputs = int(fields[1]), int(fields[2])
            if not flat:
                layers.append(torch.nn.Flatten())
                flat = True
            net = torch.nn.Linear(inputs, outputs)
            flops += 2 * inputs * outputs
        else:
            sys.exit("layers_torch.py: a CNN has no %s layer" % kind)
        with torch.no_grad():
            net.weight.copy_(tensor(i, "weights", net.weight.shape))
            net.bias.copy_(tensor(i, "bias", net.bias.shape))
        layers.append(net)
        if fields[-1] == "relu":
            layers.append(torch.nn.ReLU())
        elif fields[-1] == "softmax":
            layers.append(torch.nn.Softmax(dim=1))
    return torch.nn.Sequential(*layers), flops


def cnn_network(folder):
    """The CNN bench_layers wrote into folder, and its FLOPs a window."""
    _, size, _ = (int(v) for v in load(folder, "cnn.shape.f32"))
    with open(os.path.join(folder, "cnn.layers.txt")) as f:
        lines = [line.split() for line in f]
    net, flops = cnn_layers(
        lines, size,
        lambda i, name, shape: load(folder, "cnn.%d.%s.f32" % (i, name), shape))
    return net.eval(), flops


def bench_cnn(folder):
    net, flops = cnn_network(folder)
    channels, size, _ = (int(v) for v in load(folder, "cnn.shape.f32"))
    image = load(folder, "cnn.image.f32", (1, channels, size, size))
    torch_ms, probs = median_ms(lambda: net(image))
    diff = (probs.reshape(-1) - load(folder, "cnn.probs.f32")).abs().max().item()
    ours_ms = load(folder, "cnn.ms.f32").item()
    sgemm = load(folder, "sgemm-gflops.f32").item()
    rate = flops / (1e6 * ours_ms)
    print("cnn   PyTorch %s: network %.2f ms (median of %d); largest "
          "|probability difference| from libirmas: %.2e"
          % (torch.__version__, torch_ms, RUNS, diff))
    print("cnn   libirmas network %.2f ms: %.1f times as fast as PyTorch; "
          "%.3f GFLOP a window, at %.1f GFLOP/s, %.2f of OpenBLAS sgemm's "
          "rate on the projection (%.1f GFLOP/s)"
          % (ours_ms, torch_ms / ours_ms, flops / 1e9, rate, rate / sgemm, sgemm))
    return diff < TOLERANCE


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: layers_torch.py FOLDER [LIBIRMAS_SO] (FOLDER "
                 "written by bench_layers)")
    folder = sys.argv[1]
    lib = ctypes.CDLL(sys.argv[2]) if len(sys.argv) == 3 else None
    torch.set_num_threads(1)
    frames, inputs, hidden = (int(v) for v in load(folder, "shape.f32"))
    agree = [bench(folder, kind, frames, inputs, hidden, lib)
             for kind in ("lstm", "gru")]
    if os.path.exists(os.path.join(folder, "cnn.layers.txt")):
        agree.append(bench_cnn(folder))
    if not all(agree):
        print("libirmas and PyTorch disagree by %g or more" % TOLERANCE)
        sys.exit(1)


if __name__ == "__main__":
    main()
