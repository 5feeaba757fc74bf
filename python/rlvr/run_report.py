"""A training run's directory: metrics.jsonl + TensorBoard, the reward/accuracy plot and report.md (rank 0)."""
from __future__ import annotations

import json
import math
import os
import sys

import numpy as np

from rlvr import benchmarks, files, selection


class MetricsLog:
    """metrics.jsonl (one JSON object per update or evaluation) and TensorBoard scalars, rank 0 only."""

    def __init__(self, run_dir: str, keep_until: int | None):
        from torch.utils.tensorboard import SummaryWriter

        self.path = os.path.join(run_dir, "metrics.jsonl")
        rows = []
        if keep_until is not None and os.path.exists(self.path):  # resume: drop rows past the checkpoint
            # a torn last line belongs to an update the resumed run redoes (rows precede their checkpoint)
            rows = [r for r in files.jsonl_rows(self.path, drop_torn_tail=True) if r["step"] <= keep_until]
        files.write_jsonl(self.path, rows)
        self.rows = rows
        self._file = open(self.path, "a", encoding="utf-8")
        self._tb = SummaryWriter(os.path.join(run_dir, "tensorboard"), purge_step=keep_until)

    def write(self, row: dict) -> None:
        self.rows.append(row)
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        for key, value in row.items():
            if isinstance(value, (int, float)) and key != "step" and math.isfinite(value):
                self._tb.add_scalar(key, value, row["step"])

    def close(self) -> None:
        self._file.close()
        self._tb.close()


def plot_training(rows: list[dict], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in rows if r.get("kind") == "update"]
    evals = [r for r in rows if r.get("kind") == "eval"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax1.plot([r["step"] for r in train], [r["reward/mean"] for r in train], marker=".", label="all prompts")
    for key, label in (("reward/q+", "q+"), ("reward/q-", "q−")):
        pts = [(r["step"], r[key]) for r in train if key in r]
        if pts:
            ax1.plot(*zip(*pts), marker=".", alpha=0.7, label=label)
    ax1.set(xlabel="update", ylabel="training reward (success rate)", ylim=(-0.02, 1.02))
    ax1.legend(fontsize=8)
    ax2.plot([r["step"] for r in evals], [r["heldout/accuracy"] for r in evals], marker="o")
    ax2.set(xlabel="update", ylabel="held-out accuracy", ylim=(-0.02, 1.02))
    fig.tight_layout()
    files.write_figure(fig, path, dpi=110)
    plt.close(fig)


def _cell(text: str, width: int = 60) -> str:
    """A problem as one markdown table cell: one line, no column separators, shortened."""
    text = " ".join(text.split()).replace("|", "\\|").replace("`", "'")
    return text if len(text) <= width else text[:width - 1] + "…"


def _percent_ci(value: float, ci) -> str:
    lo, hi = ci
    return f"{100 * value:.1f}%" + ("" if lo is None else f" (95% CI {100 * lo:.1f}–{100 * hi:.1f})")


def heldout_line(summary: dict) -> str:
    """Held-out accuracy before → after with intervals and how it was measured: the run's headline."""
    how = ("greedy" if summary["eval_temperature"] == 0 and summary["eval_n"] == 1
           else f"avg@{summary['eval_n']} at T={summary['eval_temperature']:g}")
    return (f"held-out {how}, {summary['heldout_problems']} problems: before "
            f"{_percent_ci(summary['accuracy_before'], summary['accuracy_before_ci'])} -> after "
            f"{_percent_ci(summary['accuracy_after'], summary['accuracy_after_ci'])}")


def tensorboard_command(run_dir: str) -> str:
    """The command that shows a run's curves (the venv's tensorboard when the binary runs from it)."""
    venv_tb = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    exe = venv_tb if os.path.isfile(venv_tb) else "tensorboard"
    return f"{exe} --logdir {os.path.join(os.path.abspath(run_dir), 'tensorboard')}"


def final_lines(summary: dict) -> list[str]:
    """What a training binary prints last: what was trained, the held-out result, where to read more."""
    return [f"trained: {summary['method']}, {summary['steps']} updates of {summary['model_dir']} "
            f"({summary['ranks']} rank(s) x {summary['threads_per_rank']} thread(s); {summary['rollout_engine']}, "
            f"{summary['trainer_engine']})",
            heldout_line(summary),
            f"report: {summary['report']}",
            f"tensorboard: {tensorboard_command(summary['run_dir'])}"]


def _provenance_lines(summary: dict) -> list[str]:
    m, v = summary["machine"], summary["verifier"]
    built = f"built from commit {v['commit']}"  # as the server reports it (StatsResponse.build)
    verifier = (f"embedded C++ server at {v['address']} (binary sha256 {v['binary_sha256']}, {built})"
                if v["kind"] == "embedded" else f"remote at {v['address']} ({built})")
    zero = summary["deepspeed_config"].get("zero_optimization", {})
    return [
        "## What ran",
        "",
        f"- Project commit `{summary['git_commit']}`; Python {summary['versions']['python']}, torch "
        f"{summary['versions']['torch']}, transformers {summary['versions']['transformers']}.",
        f"- Rollouts: {summary['rollout_engine']}. Updates: {summary['trainer_engine']} (DeepSpeed config: "
        f"`{json.dumps(summary['deepspeed_config'], sort_keys=True)}`; ZeRO stage {zero.get('stage', 0)}).",
        f"- Verifier: {verifier}.",
        f"- {summary['ranks']} rank(s) × {summary['threads_per_rank']} torch thread(s) on a machine with "
        f"{m['cores']} cores ({m['usable_cores']} usable), CPU {m['cpu']}, torch kernels {m['isa']}.",
        "",
    ]


def report_markdown(cfg, rows: list[dict], state: dict, summary: dict, problems: dict) -> str:
    evals = [r for r in rows if r.get("kind") == "eval"]
    train = [r for r in rows if r.get("kind") == "update"]
    phases = list(dict.fromkeys(k for r in train for k in r if k.startswith("time/")))  # loop order
    timing = ", ".join(f"{k[5:]} {np.mean([r[k] for r in train]):.3f}" for k in phases)
    chosen: dict[tuple, int] = {}
    for r in train:
        key = tuple(zip(r["prompts"], r["roles"]))
        chosen[key] = chosen.get(key, 0) + 1
    top = sorted(chosen.items(), key=lambda kv: -kv[1])[:10]
    lines = [
        f"# Training run `{os.path.abspath(cfg.output_dir)}`",
        "",
        f"Method `{cfg.method}`" + (f" (pairing `{cfg.pairing}`, α={cfg.alpha}, β={cfg.beta}, bands p̂ ≤ {cfg.p_low} "
                                     f"/ p̂ ≥ {cfg.p_high})" if cfg.method == selection.PAIRS else "")
        + f", {cfg.steps} updates, G={cfg.rollouts_per_prompt}, max_tokens={cfg.sampling.max_tokens}, "
          f"temperature {cfg.sampling.temperature}, model `{summary['model_dir']}`, {summary['world_size']} rank(s).",
        "",
        "## Held-out accuracy",
        "",
        f"{len(state['heldout_ids'])} problems, {cfg.eval_n} sample(s) each at temperature {cfg.eval_temperature}; "
        f"accuracy = mean over problems of the share of correct samples (avg@{cfg.eval_n}), with its 95 % "
        f"Student-t interval over problems.",
        "",
        "| update | accuracy | 95% CI |", "|---|---|---|",
        *[f"| {r['step']} | {100 * r['heldout/accuracy']:.1f}% | " + (
            f"{100 * r['heldout/accuracy_lo']:.1f}–{100 * r['heldout/accuracy_hi']:.1f}%" if
            "heldout/accuracy_lo" in r else "—") + " |" for r in evals],
        "",
        f"**{heldout_line(summary)}**",
        "",
        "## Data",
        "",
        benchmarks.provenance_markdown(summary["data"]),
        "",
        "## Prompts trained on (most frequent first)",
        "",
        "| prompts (role) | updates |", "|---|---|",
        *[f"| {'; '.join(f'{i} `{_cell(problems[i].problem)}` ({role})' for i, role in k)} | {n} |" for k, n in top],
        "",
        f"Mean training reward {np.mean([r['reward/mean'] for r in train]):.3f} over {len(train)} updates. "
        f"Mean seconds per update by phase: {timing}.",
        f"Wall time {summary['wall_seconds']:.0f} s. Weight digests of the ranks at the end: "
        f"{', '.join(summary['weight_digests'])}.",
        "",
        *_provenance_lines(summary),
        f"TensorBoard: `{tensorboard_command(summary['run_dir'])}`.",
        "",
        "Files: `config.json`, `metrics.jsonl`, `tensorboard/`, `plots/training.png`, `checkpoints/`, "
        "`profile.jsonl` (when profiled here), `eval/` (held-out verdicts).",
        "",
        "![training](plots/training.png)",
        "",
    ]
    return "\n".join(lines)
