"""Train, once, the small LSTM digit classifier that digits.py runs on the accelerator.

Writes digits_lstm.npz (the LSTM, sharp.LSTM's format) and digits_head.npz (the linear head on
the last h). Needs torch; digits.py does not.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

import sharp
from digits_data import load_split

HERE = Path(__file__).resolve().parent
SEED = 0
HIDDEN = 32
EPOCHS = 40
BATCH = 64


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(8, HIDDEN, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, 10)

    def forward(self, x):
        h, _ = self.lstm(x)
        return self.head(h[:, -1])


def accuracy(net, x, y) -> float:
    with torch.no_grad():
        return float((net(x).argmax(1) == y).float().mean())


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # reproducible sums
    x_train, y_train, x_test, y_test = (torch.tensor(a) for a in load_split())
    x_train, x_test = x_train.float(), x_test.float()
    net = Classifier()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        for idx in torch.randperm(len(y_train), generator=generator).split(BATCH):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
    print(f"train accuracy {accuracy(net, x_train, y_train):.4f}, "
          f"held-out accuracy {accuracy(net, x_test, y_test):.4f}")
    sharp.LSTM.from_torch(net.lstm).save(HERE / "digits_lstm.npz")
    np.savez(HERE / "digits_head.npz", weight=net.head.weight.detach().double().numpy(),
             bias=net.head.bias.detach().double().numpy())
    print(f"wrote {HERE / 'digits_lstm.npz'} and {HERE / 'digits_head.npz'}")


if __name__ == "__main__":
    main()
