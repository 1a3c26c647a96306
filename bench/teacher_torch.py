#!/usr/bin/python3
"""teacher_torch.py: PyTorch's side of `bench_layers --teacher`.

Builds the AudioSet teacher's network (EfficientAT mn04_as, as its
README in the teacher's folder specifies it) from that folder's
tensors.tsv and weights.f32 with torch.nn layers: a 3 x 3 stem, fifteen
inverted-residual blocks (1 x 1 expansion, depthwise convolution,
squeeze-excitation where the block has one, 1 x 1 projection, the
residual where the shapes allow), the last 1 x 1 convolution, the mean
over frequency and time, and the two dense layers. It runs that network
on the log-mel image `bench_layers --teacher DIR FOLDER` wrote into
FOLDER (batch 1, one thread, median of many runs), prints PyTorch's
milliseconds against libirmas's network time measured in the same run,
and the largest difference between the two sets of probabilities. Exits
1 if that reaches 1e-4: the two would then not compute the same thing.

Usage: /usr/bin/python3 bench/teacher_torch.py TEACHER_DIR FOLDER
"""
import os
import sys

import numpy as np
import torch
from torch import nn

from layers_torch import median_ms

RUNS = 21
TOLERANCE = 1e-4
MELS = 128

# (activation, stride) of blocks b01..b15, from the teacher's README; the
# kernels and channel counts come from the tensors' shapes.
BLOCKS = [("RE", 1), ("RE", 2), ("RE", 1), ("RE", 2), ("RE", 1), ("RE", 1),
          ("HS", 2), ("HS", 1), ("HS", 1), ("HS", 1), ("HS", 1), ("HS", 1),
          ("HS", 2), ("HS", 1), ("HS", 1)]


def read_tensors(folder):
    """The teacher's tensors by name, each shaped as tensors.tsv says."""
    data = np.fromfile(os.path.join(folder, "weights.f32"), dtype="<f4")
    tensors = {}
    with open(os.path.join(folder, "tensors.tsv")) as f:
        next(f)
        for line in f:
            name, shape, offset, count = line.split("\t")
            dims = [int(d) for d in shape.split("x")]
            start = int(offset)
            tensors[name] = torch.from_numpy(
                data[start:start + int(count)].reshape(dims).copy())
    return tensors


def conv(tensors, name, stride=1, depthwise=False):
    """A convolution holding tensors name_w and name_b, padded to keep the
    centre tap on the pixel ((kernel - 1) / 2)."""
    w = tensors[name + "_w"]
    out, per_group, kernel, _ = w.shape
    layer = nn.Conv2d(out if depthwise else per_group, out, kernel,
                      stride=stride, padding=(kernel - 1) // 2,
                      groups=out if depthwise else 1)
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(tensors[name + "_b"])
    return layer


def dense(tensors, name):
    w = tensors[name + "_w"]
    layer = nn.Linear(w.shape[1], w.shape[0])
    with torch.no_grad():
        layer.weight.copy_(w)
        layer.bias.copy_(tensors[name + "_b"])
    return layer


class SqueezeExcite(nn.Module):
    def __init__(self, tensors, prefix):
        super().__init__()
        self.fc1 = dense(tensors, prefix + "_fc1")
        self.fc2 = dense(tensors, prefix + "_fc2")

    def forward(self, x):
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean((2, 3))))))
        return x * gate[:, :, None, None]


class Block(nn.Module):
    """Inverted residual bNN: its tensors are numbered in the order they
    run, _0 the expansion (absent in b01, whose _0 is the depthwise one)."""

    def __init__(self, tensors, number, activation, stride):
        super().__init__()
        prefix = "b%02d_" % number
        part = 0
        layers = []
        act = nn.ReLU if activation == "RE" else nn.Hardswish
        if tensors[prefix + "0_w"].shape[1] != 1:  # an expansion first
            layers += [conv(tensors, prefix + "0"), act()]
            part = 1
        layers += [conv(tensors, prefix + str(part), stride, depthwise=True),
                   act()]
        part += 1
        if prefix + "%d_se_fc1_w" % part in tensors:
            layers.append(SqueezeExcite(tensors, prefix + "%d_se" % part))
            part += 1
        layers.append(conv(tensors, prefix + str(part)))
        self.layers = nn.Sequential(*layers)
        inputs = tensors[prefix + "0_w"].shape[1]
        if inputs == 1:  # b01: the depthwise convolution's channels
            inputs = tensors[prefix + "0_w"].shape[0]
        outputs = tensors[prefix + str(part) + "_w"].shape[0]
        self.residual = stride == 1 and inputs == outputs

    def forward(self, x):
        y = self.layers(x)
        return x + y if self.residual else y


class Teacher(nn.Module):
    def __init__(self, tensors):
        super().__init__()
        self.stem = nn.Sequential(conv(tensors, "features.0", stride=2),
                                  nn.Hardswish())
        self.blocks = nn.Sequential(*[
            Block(tensors, n + 1, act, stride)
            for n, (act, stride) in enumerate(BLOCKS)])
        self.last = nn.Sequential(conv(tensors, "last"), nn.Hardswish())
        self.fc1 = dense(tensors, "fc1")
        self.fc2 = dense(tensors, "fc2")

    def forward(self, logmel):
        x = self.last(self.blocks(self.stem(logmel)))
        embedding = x.mean((2, 3))
        return torch.sigmoid(self.fc2(nn.functional.hardswish(self.fc1(embedding))))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    teacher_dir, folder = sys.argv[1:]
    torch.set_num_threads(1)
    net = Teacher(read_tensors(teacher_dir)).eval()
    logmel = torch.from_numpy(
        np.fromfile(os.path.join(folder, "teacher.logmel.f32"), dtype="<f4"))
    logmel = logmel.reshape(1, 1, MELS, -1)
    ours = np.fromfile(os.path.join(folder, "teacher.probs.f32"), dtype="<f4")
    ours_ms = float(np.fromfile(os.path.join(folder, "teacher.ms.f32"),
                                dtype="<f4")[0])
    theirs_ms, probs = median_ms(lambda: net(logmel), RUNS)
    diff = float(np.abs(probs.numpy().reshape(-1) - ours).max())
    print("teacher PyTorch %s: network %.2f ms (median of %d); largest "
          "|probability difference| from libirmas: %.2e"
          % (torch.__version__, theirs_ms, RUNS, diff))
    print("teacher libirmas network %.2f ms: %.1f times as fast as PyTorch"
          % (ours_ms, theirs_ms / ours_ms))
    return 0 if diff < TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
