#!/usr/bin/python3
"""mrp_cnn_torch.py: does the study's CNN B1 learn MRP images in PyTorch?

An outside check on irmas-train's image models: it builds the same
multiresolution recurrence plots as engine/image.c (mono mixdown, scaled
to peak 1, three centred segments, 150 block maxima each, |x'[i] - x'[j]|
scaled to the channel's largest value), trains PyTorch's B1 (the shapes of
engine/cnn_zoo.h) with Adam at 1e-3, batch 32 and dropout 0.2 on 80% of
the clips, and prints each epoch's training loss and accuracy and the
held-out accuracy, to compare with irmas-train --model cnn-b1 --image mrp
on the same folder.

    bench/mrp_cnn_torch.py DIR [PER_CLASS] [EPOCHS]

DIR holds one folder of 3 s 44.1 kHz WAV files per class (irmas-synth's
output). Uses /usr/bin/python3 for Debian's python3-torch and numpy.
"""
import glob
import sys
import wave

import numpy as np
import torch

CLASSES = "cel cla flu gac gel org pia sax tru vio voi".split()
WINDOW = 132300


def read(path):
    w = wave.open(path)
    x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    x = x.astype(np.float32).reshape(-1, w.getnchannels()).mean(1) / 32768
    x = np.pad(x, (0, max(0, WINDOW - len(x))))[:WINDOW]
    peak = np.abs(x).max()
    return x / peak if peak > 0 else x


def mrp(x, size=150, channels=3):
    planes = []
    for c in range(channels):
        count = len(x) >> c
        segment = x[(len(x) - count) // 2:][:count]
        edges = [k * count // size for k in range(size + 1)]
        v = np.array([segment[edges[k]:edges[k + 1]].max()
                      for k in range(size)])
        r = np.abs(v[:, None] - v[None, :])
        spread = v.max() - v.min()
        planes.append(r / spread if spread > 0 else r * 0)
    return np.stack(planes).astype(np.float32)


def b1(classes):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(3, 16, 10, 3), nn.ReLU(), nn.MaxPool2d(3),
        nn.Conv2d(16, 32, 5, 2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(288, 128), nn.ReLU(),
        nn.Linear(128, classes))


def main():
    folder = sys.argv[1]
    per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    torch.manual_seed(0)
    images, labels = [], []
    for i, c in enumerate(CLASSES):
        for path in sorted(glob.glob(f"{folder}/{c}/*.wav"))[:per_class]:
            images.append(mrp(read(path)))
            labels.append(i)
    x, y = torch.tensor(np.stack(images)), torch.tensor(labels)
    order = torch.randperm(len(y))
    x, y = x[order], y[order]
    train = int(0.8 * len(y))
    net = b1(len(CLASSES))
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    for epoch in range(1, epochs + 1):
        net.train()
        order = torch.randperm(train)
        total, right = 0.0, 0
        for start in range(0, train, 32):
            rows = order[start:start + 32]
            out = net(x[rows])
            loss = torch.nn.functional.cross_entropy(out, y[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(rows)
            right += (out.argmax(1) == y[rows]).sum().item()
        net.eval()
        with torch.no_grad():
            held = (net(x[train:]).argmax(1) == y[train:]).float().mean()
        print(f"epoch {epoch} train loss {total / train:.4f} "
              f"acc {right / train:.3f} held-out acc {held.item():.3f}",
              flush=True)


if __name__ == "__main__":
    main()
