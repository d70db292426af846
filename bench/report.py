"""Benchmark outputs: results.json, results.md, the plots, and the targets read from them."""
from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

from shapes import DEFAULT

# every record: one per measured (build, cell, shape, batch)
REQUIRED_KEYS = (
    "build", "cell", "input", "hidden", "steps", "batch", "tiles_per_group_x",
    "tiles_per_group_h", "cycles", "utilization", "padding_limit", "model_cycles", "cpu_ms",
    "projected_ms", "clock_mhz", "sim_cycles_per_s", "host_transfers_per_sequence",
    "host_register_accesses_per_sequence", "bit_exact",
)
# batch-1 records also measure the baselines and ablations
BATCH1_KEYS = ("baseline_cycles", "baseline_utilization", "wide_baseline_cycles",
               "wide_baseline_utilization", "grouping_only_cycles", "schedule_only_cycles")
BATCHED_GAP = 0.05   # issue 15: within 5 points of the padding limit at the largest batch


def geomean(values) -> float:
    values = list(values)
    return math.exp(sum(math.log(v) for v in values) / len(values))


def shape_name(r: dict) -> str:
    return f"{r['build']} {r['cell']} {r['input']}x{r['hidden']}x{r['steps']}"


def batch_one(records: list[dict]) -> list[dict]:
    return [r for r in records if r["batch"] == 1]


def largest_batch(records: list[dict]) -> list[dict]:
    """Each (build, cell, shape)'s record at the largest batch measured."""
    best = {}
    for r in records:
        key = shape_name(r)
        if key not in best or r["batch"] > best[key]["batch"]:
            best[key] = r
    return list(best.values())


def cell_targets(records: list[dict], cell: str) -> list[tuple[str, bool, str]]:
    """The utilization and speed-up targets over one cell type's rows."""
    out = []
    default = [r for r in records if r["build"] == DEFAULT.name]
    if default:
        med = statistics.median(r["utilization"] for r in default)
        out.append((f"{cell}: median utilization on the default build ({DEFAULT.name}) >= 85%",
                    med >= 0.85, f"{100 * med:.1f}%"))
    slower = [shape_name(r) for r in records
              if r["cycles"] > min(r["baseline_cycles"], r["wide_baseline_cycles"])]
    out.append((f"{cell}: adaptive at least as fast as both baselines on every shape", not slower,
                "slower on: " + ", ".join(slower) if slower else "all shapes"))
    g_wide = geomean(r["wide_baseline_cycles"] / r["cycles"] for r in records)
    g_narrow = geomean(r["baseline_cycles"] / r["cycles"] for r in records)
    out.append((f"{cell}: geomean speedup over wide baseline >= 1.5x", g_wide >= 1.5,
                f"{g_wide:.2f}x"))
    out.append((f"{cell}: geomean speedup over narrow baseline >= 1.15x", g_narrow >= 1.15,
                f"{g_narrow:.2f}x"))
    far = [f"{shape_name(r)} ({100 * r['utilization']:.1f}% vs {100 * r['padding_limit']:.1f}%)"
           for r in records if r["padding_limit"] >= 0.8
           and r["utilization"] < r["padding_limit"] - 0.10]
    out.append((f"{cell}: within 10 points of the padding limit where it is >= 80%", not far,
                "; ".join(far) if far else "all such shapes"))
    return out


def targets(records: list[dict]) -> list[tuple[str, bool, str]]:
    """(target, met, figure) for each target of the benchmark issues, per cell type where the
    figure depends on the cell; the batch-1 targets on the batch-1 records."""
    out = []
    single = batch_one(records)
    for cell in dict.fromkeys(r["cell"] for r in single):
        out += cell_targets([r for r in single if r["cell"] == cell], cell)
    top = [r for r in largest_batch(records) if r["batch"] > 1]
    if top:
        far = [f"{shape_name(r)} at batch {r['batch']} ({100 * r['utilization']:.1f}% vs "
               f"{100 * r['padding_limit']:.1f}%)" for r in top
               if r["utilization"] < r["padding_limit"] - BATCHED_GAP]
        out.append((f"at the largest batch, every shape within {100 * BATCHED_GAP:.0f} points of "
                    "its padding limit", not far,
                    "; ".join(far) if far else f"all {len(top)} shapes (worst gap "
                    f"{100 * max(r['padding_limit'] - r['utilization'] for r in top):.1f} points)"))
    default = [r for r in single if r["build"] == DEFAULT.name]
    worst = max(abs(r["model_cycles"] - r["cycles"]) / r["cycles"] for r in records)
    out.append(("analytic model within 2% of the RTL", worst <= 0.02,
                f"worst error {100 * worst:.2f}%"))
    if default:
        # per-run host overhead dominates tiny shapes: judge the harness on the longest run
        longest = max(default, key=lambda r: r["sim_cycles"])
        speed = longest["sim_cycles_per_s"]
        out.append((f"at least 200k simulated cycles/s ({DEFAULT.name}, longest run)", speed >= 200e3,
                    f"{speed / 1e3:.0f}k cycles/s on {longest['input']}x{longest['hidden']}x"
                    f"{longest['steps']}; slowest shape "
                    f"{min(r['sim_cycles_per_s'] for r in default) / 1e3:.0f}k"))
    bad = [shape_name(r) for r in records if not r["bit_exact"]]
    out.append(("every run bit-exact with the golden model", not bad,
                "not bit-exact: " + ", ".join(bad) if bad else "all runs"))
    return out


def write_json(records: list[dict], path: Path) -> None:
    path.write_text(json.dumps(records, indent=2) + "\n")


def write_markdown(records: list[dict], path: Path, header: str) -> None:
    pct = lambda v: f"{100 * v:.1f}%"
    sweep = records
    records = batch_one(records)
    lines = [header, "", "## Batch 1", "",
             "| build | cell | I×H×T | tiles per group W_x/W_h | padding limit | SHARP util | cycles | model err | "
             "narrow util | wide util | grouping-only | schedule-only | vs narrow | vs wide | "
             "CPU ms | projected ms | CPU/accel | bit-exact |",
             "|" + "---|" * 18]
    for r in records:
        lines.append(
            f"| {r['build']} | {r['cell']} | {r['input']}×{r['hidden']}×{r['steps']} | "
            f"{r['tiles_per_group_x']}/{r['tiles_per_group_h']} | {pct(r['padding_limit'])} | "
            f"{pct(r['utilization'])} | {r['cycles']} | "
            f"{100 * (r['model_cycles'] - r['cycles']) / r['cycles']:+.2f}% | "
            f"{pct(r['baseline_utilization'])} | {pct(r['wide_baseline_utilization'])} | "
            f"{r['grouping_only_cycles']} | {r['schedule_only_cycles']} | "
            f"{r['baseline_cycles'] / r['cycles']:.2f}× | "
            f"{r['wide_baseline_cycles'] / r['cycles']:.2f}× | {r['cpu_ms']:.3f} | "
            f"{r['projected_ms']:.3f} | {r['cpu_ms'] / r['projected_ms']:.1f}× | "
            f"{'yes' if r['bit_exact'] else 'NO'} |")
    lines += ["", "## Batched RUNs", "",
              "SHARP (adaptive) alone; cycles and utilization of one RUN of `batch` sequences, "
              "times and host work per sequence.", "",
              "| build | cell | I×H×T | batch | tiles per group W_x/W_h | padding limit | util | "
              "cycles | model err | CPU ms/seq | projected ms/seq | register accesses/seq | "
              "DMA transfers/seq | bit-exact |",
              "|" + "---|" * 14]
    for r in sweep:
        lines.append(
            f"| {r['build']} | {r['cell']} | {r['input']}×{r['hidden']}×{r['steps']} | "
            f"{r['batch']} | {r['tiles_per_group_x']}/{r['tiles_per_group_h']} | "
            f"{pct(r['padding_limit'])} | {pct(r['utilization'])} | {r['cycles']} | "
            f"{100 * (r['model_cycles'] - r['cycles']) / r['cycles']:+.2f}% | "
            f"{r['cpu_ms']:.3f} | {r['projected_ms']:.4f} | "
            f"{r['host_register_accesses_per_sequence']:.3g} | "
            f"{r['host_transfers_per_sequence']:.3g} | {'yes' if r['bit_exact'] else 'NO'} |")
    lines += ["", "## Targets", "", "| target | met | figure |", "|---|---|---|"]
    lines += [f"| {t} | {'yes' if ok else '**no**'} | {fig} |" for t, ok, fig in targets(sweep)]
    path.write_text("\n".join(lines) + "\n")


def plot(records: list[dict], out_dir: Path) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    sweep = records
    records = batch_one(records)
    # the build name on two lines (array, then capacities), then the shape
    label = lambda r: "\n".join([*r["build"].split("-", 1),
                                  f"{r['cell']} {r['input']}×{r['hidden']}×{r['steps']}"])
    names = [label(r) for r in records]
    x = np.arange(len(records))
    series = [
        ("padding limit", [r["padding_limit"] for r in records]),
        ("SHARP (adaptive)", [r["utilization"] for r in records]),
        ("grouping only", [r["active_lane_cycles"] / (r["grouping_only_cycles"] * r["macs"])
                           for r in records]),
        ("schedule only", [r["active_lane_cycles"] / (r["schedule_only_cycles"] * r["macs"])
                           for r in records]),
        ("narrow baseline", [r["baseline_utilization"] for r in records]),
        ("wide baseline", [r["wide_baseline_utilization"] for r in records]),
    ]
    fig, ax = plt.subplots(figsize=(max(10, 1.3 * len(records)), 5))
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series):
        ax.bar(x + (i - len(series) / 2 + 0.5) * width, values, width, label=name)
    ax.set_xticks(x, names, fontsize=7)
    ax.set_ylabel("MAC-lane utilization")
    ax.set_ylim(0, 1.05)
    ax.set_title("MAC-lane utilization per shape (RTL counters, Verilator)")
    ax.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    util_path = out_dir / "utilization.png"
    fig.savefig(util_path, dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 5))
    for build, cell in sorted({(r["build"], r["cell"]) for r in records}):
        rs = [r for r in records if (r["build"], r["cell"]) == (build, cell)]
        ax.scatter([r["cpu_ms"] for r in rs], [r["projected_ms"] for r in rs],
                   label=f"{build} {cell}", marker="o" if cell == "lstm" else "^")
        for r in rs:
            ax.annotate(f"{r['input']}×{r['hidden']}×{r['steps']}", (r["cpu_ms"], r["projected_ms"]),
                        fontsize=6)
    lo = min(min(r["cpu_ms"], r["projected_ms"]) for r in records) / 2
    hi = max(max(r["cpu_ms"], r["projected_ms"]) for r in records) * 2
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8, label="equal latency")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("torch.nn.LSTM / GRU on this CPU, batch 1 (ms, measured)")
    ax.set_ylabel(f"accelerator at {records[0]['clock_mhz']:.0f} MHz (ms, projected from "
                  "simulated cycles)")
    ax.set_title("Latency: projected accelerator vs measured CPU")
    ax.legend(fontsize=8)
    fig.tight_layout()
    lat_path = out_dir / "latency.png"
    fig.savefig(lat_path, dpi=120)
    plt.close(fig)

    # utilization against batch, one panel per build and cell, a line per shape
    panels = sorted({(r["build"], r["cell"]) for r in sweep})
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 4.5), squeeze=False,
                             sharey=True)
    for ax, (build, cell) in zip(axes[0], panels):
        rs = [r for r in sweep if (r["build"], r["cell"]) == (build, cell)]
        for shape in dict.fromkeys((r["input"], r["hidden"], r["steps"]) for r in rs):
            line = sorted((r["batch"], r["utilization"], r["padding_limit"]) for r in rs
                          if (r["input"], r["hidden"], r["steps"]) == shape)
            drawn = ax.plot([b for b, _, _ in line], [u for _, u, _ in line], "o-", ms=3,
                            label="×".join(map(str, shape)))
            ax.axhline(line[0][2], color=drawn[0].get_color(), lw=0.6, ls=":")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("batch (sequences per RUN)")
        ax.set_title(f"{build.split('-', 1)[0]} {cell}", fontsize=9)
        ax.legend(fontsize=6)
    axes[0][0].set_ylabel("MAC-lane utilization (dotted: padding limit)")
    axes[0][0].set_ylim(0, 1.05)
    fig.suptitle("Utilization against batch (RTL counters, Verilator)")
    fig.tight_layout()
    batch_path = out_dir / "utilization_batch.png"
    fig.savefig(batch_path, dpi=120)
    plt.close(fig)
    return [util_path, lat_path, batch_path]
