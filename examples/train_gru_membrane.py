"""Train, once, the small GRU forecaster that gru_membrane.py runs on the accelerator (under a
minute on one CPU core).

Writes membrane_gru.npz (the GRU, sharp.GRU's format) and membrane_head.npz (the linear head on
the last h). Needs torch; gru_membrane.py does not.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

import sharp
from membrane_data import load_split

HERE = Path(__file__).resolve().parent
SEED = 0
HIDDEN = 16
EPOCHS = 30
BATCH = 64


class Forecaster(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(1, HIDDEN, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, 1)

    def forward(self, x):
        h, _ = self.gru(x)
        return self.head(h[:, -1])[:, 0]


def rmse(net, x, y) -> float:
    with torch.no_grad():
        return float(torch.sqrt(torch.mean((net(x) - y) ** 2)))


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # reproducible sums
    x_train, y_train, x_test, y_test = (torch.tensor(a).float() for a in load_split())
    net = Forecaster()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        for idx in torch.randperm(len(y_train), generator=generator).split(BATCH):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(net(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
    print(f"train RMSE {rmse(net, x_train, y_train):.4f}, held-out RMSE "
          f"{rmse(net, x_test, y_test):.4f} (standard deviations of the signal)")
    sharp.GRU.from_torch(net.gru).save(HERE / "membrane_gru.npz")
    np.savez(HERE / "membrane_head.npz", weight=net.head.weight.detach().double().numpy(),
             bias=net.head.bias.detach().double().numpy())
    print(f"wrote {HERE / 'membrane_gru.npz'} and {HERE / 'membrane_head.npz'}")


if __name__ == "__main__":
    main()
