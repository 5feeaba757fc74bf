"""What an experiment grid found: mean ± 95 % Student-t CI per method, step and metric, paired differences
against pairs_wgrpo with the smallest difference the seeds could detect, plots, and report.md. Reads only the
finished runs' records and files; trains nothing.

Metric names: avg@n is the mean accuracy of the n samples per problem (equal to unbiased pass@1, so pass@1 is not
repeated); pass@k is the unbiased estimator of "at least one of k samples correct". Never a bare "Pass@k": the
1-shot RLVR evaluation scripts the paper follows call avg@8 "pass@8".
"""
from __future__ import annotations

import dataclasses
import glob
import json
import math
import os
import time
from typing import Any

from rlvr import benchmarks, data, estimators, evaluate, files, pairing, selection
from rlvr.pairing import Q_MINUS, Q_PLUS

REFERENCE = selection.PAIRS
PRIMARY_BASELINE = selection.VARIANCE_HIST  # 1-shot RLVR's historical-variance pick: the comparison the paper makes
CONFIDENCE = 0.95
POWER = 0.8  # for the minimum detectable difference (two-sided, 1 − CONFIDENCE)
METRIC_LEGEND = ("avg@n = mean accuracy of the n samples per problem (equals unbiased pass@1); pass@k = unbiased "
                 "estimate of P(at least one of k samples correct), 1 − C(n−c, k)/C(n, k). The paper's AIME/AMC "
                 "\"Pass@8\" follows 1-shot RLVR's scripts, where it is avg@8 at temperature 0.6.")


# The testbed's premise (docs/method.md §7), fixed before the comparison is run.
LATENT_RATIO = 2.0        # (a) base held-out pass@k_max ≥ 2 × avg@n at the evaluation temperature
BAND_SHARE = 0.10         # (b) ≥ 10 % of the pool in each band, in every seed's profile
SECOND_GUESS_SHARE = 0.20  # (c) ≥ 20 % of wrong base responses overwrite a right first answer, at every level


def metric_names(cfg) -> list[str]:
    return ["avg@n"] + [f"pass@{k}" for k in cfg.eval_ks if k != 1]  # pass@1 = avg@n


def primary_metrics(cfg) -> list[str]:
    """The declared primary comparison's metrics: avg@n and pass@n (pass@k_max if n is not among the k)."""
    return ["avg@n", f"pass@{max(k for k in cfg.eval_ks if k != 1)}"] if max(cfg.eval_ks) > 1 else ["avg@n"]


def display(cfg, metric: str) -> str:
    return metric.replace("avg@n", f"avg@{cfg.eval_n}")


def _final_step(method: str, cfg) -> int:
    return cfg.steps if selection.arm_of(method).method else 0


def _ci(values: list[float]) -> dict:
    mean, lo, hi = estimators.mean_ci(values, CONFIDENCE)
    return {"mean": mean, "lo": None if math.isnan(lo) else lo, "hi": None if math.isnan(hi) else hi,
            "n": len(values)}


def _paired(differences: list[float]) -> dict:
    """_ci of paired differences plus `mde`, the smallest true difference detectable with POWER at level
    1 − CONFIDENCE given the differences' spread (None with one seed)."""
    mde = (estimators.min_detectable_difference(differences, POWER, 1 - CONFIDENCE) if len(differences) > 1
           else None)
    return {**_ci(differences), "mde": mde}


def summarise(cfg, records: list[dict]) -> dict[str, Any]:
    """{"curves": {method: {set: {metric: {step: ci}}}}, "final": ..., "vs_reference": ...}; ci values are
    fractions (not percent); `lo`/`hi` are None with a single seed."""
    metrics = metric_names(cfg)
    by_method: dict[str, dict[int, dict]] = {}
    for r in records:
        by_method.setdefault(r["method"], {})[r["seed"]] = r
    sets = sorted({s for r in records for ev in r["evals"].values() for s in ev})
    curves: dict = {}
    final: dict = {}
    for method, runs in by_method.items():
        steps = sorted({int(k) for r in runs.values() for k in r["evals"]})
        curves[method], final[method] = {}, {}
        for s in sets:
            curves[method][s], final[method][s] = {}, {}
            for m in metrics:
                curves[method][s][m] = {step: _ci([r["evals"][str(step)][s][m] for r in runs.values()
                                                   if str(step) in r["evals"]]) for step in steps}
                final[method][s][m] = curves[method][s][m][_final_step(method, cfg)]
    vs: dict = {}
    ref = by_method.get(REFERENCE, {})
    for method, runs in by_method.items():
        if method == REFERENCE or not ref:
            continue
        seeds = sorted(set(ref) & set(runs))
        vs[method] = {s: {m: _paired([ref[x]["evals"][str(cfg.steps)][s][m] -
                                      runs[x]["evals"][str(_final_step(method, cfg))][s][m] for x in seeds])
                          for m in metrics} for s in sets}
    return {"curves": curves, "final": final, "vs_reference": vs, "sets": sets, "metrics": metrics}


def _pct(ci: dict) -> str:
    if ci["lo"] is None:
        return f"{100 * ci['mean']:.1f}"
    return f"{100 * ci['mean']:.1f} ± {100 * (ci['hi'] - ci['lo']) / 2:.1f}"


def _verdict(ci: dict) -> str:
    if ci["lo"] is None:
        return "one seed, no interval"
    if ci["lo"] > 0:
        return "**pairs_wgrpo better**"
    if ci["hi"] < 0:
        return "**pairs_wgrpo worse**"
    return "not distinguishable"


def _diff(ci: dict) -> str:
    rng = "" if ci["lo"] is None else f" [{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}]"
    mde = "" if ci.get("mde") is None else f", detectable {100 * ci['mde']:.1f}"
    return f"{100 * ci['mean']:+.1f}{rng}{mde}"


def summary_markdown(cfg, summary: dict) -> str:
    lines = [METRIC_LEGEND.replace("avg@n", f"avg@{cfg.eval_n}").replace("the n samples", f"the {cfg.eval_n} "
                                                                        "samples"), ""]
    for s in summary["sets"]:
        head = ["method", "seeds"] + [display(cfg, m) for m in summary["metrics"]]
        lines += [f"### `{s}`: held-out at the final step (percent, mean ± 95 % CI half-width over seeds)", "",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for method in summary["final"]:
            row = summary["final"][method][s]
            n = row[summary["metrics"][0]]["n"]
            lines.append(f"| {method} | {n} | " + " | ".join(_pct(row[m]) for m in summary["metrics"]) + " |")
        lines.append("")
        if summary["vs_reference"]:
            lines += [f"Paired difference {REFERENCE} − baseline, same seeds (percentage points, 95 % CI; "
                      f"'detectable': the smallest true difference these seeds detect with {POWER:.0%} power, "
                      f"two-sided {1 - CONFIDENCE:.0%}):", "",
                      "| baseline | " + " | ".join(display(cfg, m) for m in summary["metrics"]) + " |",
                      "|---|" + "---|" * len(summary["metrics"])]
            for method, per_set in summary["vs_reference"].items():
                lines.append(f"| {method} | " + " | ".join(_diff(per_set[s][m]) for m in summary["metrics"]) + " |")
            lines.append("")
    return "\n".join(lines)


# --- plots ----------------------------------------------------------------------------------------------------

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_curves(cfg, summary: dict, path: str, set_name: str) -> None:
    """The primary metrics (avg@n, pass@k_max) against update step, a line per method with its 95 % CI band."""
    plt = _pyplot()
    shown = primary_metrics(cfg)
    fig, axes = plt.subplots(1, len(shown), figsize=(5.2 * len(shown), 3.8), squeeze=False)
    steps_all = list(range(0, cfg.steps + 1, cfg.eval_every))
    for ax, metric in zip(axes[0], shown):
        for method, per_set in summary["curves"].items():
            curve = per_set[set_name][metric]
            trained = bool(selection.arm_of(method).method)
            steps = sorted(curve) if trained else steps_all
            pts = [curve[x] if trained else curve[0] for x in steps]
            mean = [100 * p["mean"] for p in pts]
            line, = ax.plot(steps, mean, marker="o" if trained else None, linestyle="-" if trained else "--",
                            label=method)
            if all(p["lo"] is not None for p in pts):
                ax.fill_between(steps, [100 * p["lo"] for p in pts], [100 * p["hi"] for p in pts],
                                color=line.get_color(), alpha=0.15)
        ax.set(xlabel="update step", ylabel=f"held-out {display(cfg, metric)} (%)",
               title=f"{set_name}: {display(cfg, metric)}")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    files.write_figure(fig, path, dpi=110)
    plt.close(fig)


def prompt_choices(cfg) -> dict[str, dict[str, set]]:
    """{seed: {label: prompt ids}} of the prompts each run trained on (q+, q−, variance picks), from metrics."""
    out: dict[str, dict[str, set]] = {}
    for method in selection.PICKING:
        for path in glob.glob(os.path.join(cfg.output_dir, "runs", method, "seed*", "train", "metrics.jsonl")):
            seed = path.split(os.sep)[-3]
            for row in files.jsonl_rows(path):
                if row.get("kind") != "update":
                    continue
                for pid, role in zip(row["prompts"], row["roles"]):
                    label = f"{method} {role}" if method == REFERENCE else method
                    out.setdefault(seed, {}).setdefault(label, set()).add(pid)
    return out


def training_signal(cfg) -> dict[str, dict[str, float]]:
    """Per method (and per pair role), over every seed's updates: groups trained, the share whose G rewards were
    all equal (zero advantage, so no policy gradient) and the mean training reward."""
    tally: dict[str, list[float]] = {}  # label -> [groups, all-equal groups, reward sum]
    for path in sorted(glob.glob(os.path.join(cfg.output_dir, "runs", "*", "seed*", "train", "metrics.jsonl"))):
        method = path.split(os.sep)[-4]
        for row in files.jsonl_rows(path):
            if row.get("kind") != "update":
                continue
            for pid, role in zip(row["prompts"], row["roles"]):
                reward = row["reward/per_prompt"][pid]
                for label in (method, f"{method} {role}") if method == REFERENCE else (method,):
                    t = tally.setdefault(label, [0, 0, 0.0])
                    t[0] += 1
                    t[1] += reward in (0.0, 1.0)
                    t[2] += reward
    return {label: {"groups": t[0], "no_signal": t[1] / t[0], "reward": t[2] / t[0]} for label, t in tally.items()}


def plot_profile(cfg, path: str) -> dict:
    """Histogram of the pool's profiled success rates (all seeds' profiles pooled) with the trained prompts'
    p̂ marked; returns the counts behind the figure."""
    p_hat: dict[str, dict[str, float]] = {}
    for f in sorted(glob.glob(os.path.join(cfg.output_dir, "seeds", "seed*", "profile.jsonl"))):
        p_hat[f.split(os.sep)[-2]] = {r["id"]: r["p_hat"] for r in files.jsonl_rows(f)}
    if not p_hat:
        return {}
    choices = prompt_choices(cfg)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    values = [v for per in p_hat.values() for v in per.values()]
    bins = [i / 20 for i in range(21)]
    ax.hist(values, bins=bins, color="0.75", edgecolor="0.4", label=f"pool p̂ ({len(p_hat)} profile(s))")
    markers = {f"{REFERENCE} {Q_PLUS}": ("^", "tab:red"), f"{REFERENCE} {Q_MINUS}": ("v", "tab:blue"),
               selection.VARIANCE_PROFILE: ("x", "tab:green"), selection.VARIANCE_HIST: ("+", "tab:purple")}
    marked: dict[str, list[float]] = {}
    for seed, per in choices.items():
        for label, ids in per.items():
            marked.setdefault(label, []).extend(p_hat.get(seed, {}).get(i, math.nan) for i in ids)
    top = ax.get_ylim()[1]
    for k, (label, xs) in enumerate(sorted(marked.items())):
        xs = [x for x in xs if not math.isnan(x)]
        marker, color = markers.get(label, ("o", None))
        ax.scatter(xs, [top * (1.02 + 0.06 * k)] * len(xs), marker=marker, color=color,
                   label=f"{label} ({len(xs)})", zorder=3)
    ax.axvline(cfg_band(cfg, "p_low"), color="tab:red", linestyle=":", linewidth=1)
    ax.axvline(cfg_band(cfg, "p_high"), color="tab:blue", linestyle=":", linewidth=1)
    ax.set(xlabel="profiled success rate p̂ (base model)", ylabel="prompts", xlim=(-0.02, 1.02),
           title="pool success profile; where the trained prompts fell")
    ax.set_ylim(0, top * (1.1 + 0.06 * len(marked)))
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: the markers span the width
    fig.tight_layout()
    files.write_figure(fig, path, dpi=110)
    plt.close(fig)
    return {label: sorted(xs) for label, xs in marked.items()}


def cfg_band(cfg, name: str) -> float:
    """The band edge actually used: train_overrides, else the trainer's default."""
    return float(cfg.train_config_defaults().__dict__[name])


# --- testbed premise ------------------------------------------------------------------------------------------

def _second_guess(response: dict, gold: str) -> bool:
    """A wrong response whose first \\boxed{} string-matches the gold: a right answer overwritten by a later box."""
    try:
        return not response["correct"] and data.first_boxed(response["text"]) == gold != data.last_boxed(
            response["text"])
    except ValueError:  # unbalanced braces: not a readable first answer
        return False


def testbed_premise(cfg, set_name: str) -> dict:
    """The three criteria measured on the base model from the grid's files (every seed's base evaluation of
    `set_name` and profile of the pool). Each entry: measured values, threshold and `holds`."""
    seeds = sorted(glob.glob(os.path.join(cfg.output_dir, "seeds", "seed*")))
    out: dict[str, dict] = {}
    base = [files.read_json(os.path.join(d, "base_eval", "results.json"))["sets"][set_name] for d in seeds
            if os.path.exists(os.path.join(d, "base_eval", "results.json"))]
    k = max(cfg.eval_ks)
    if base:
        avg = math.fsum(b["avg@n"] for b in base) / len(base)
        pk = math.fsum(b[f"pass@{k}"] for b in base) / len(base)
        out["latent"] = {"avg@n": avg, "pass@k": pk, "k": k, "ratio": pk / avg if avg else math.inf,
                         "holds": pk >= LATENT_RATIO * avg, "seeds": len(base)}
    shares = []
    t = cfg.train_config_defaults()
    for d in seeds:
        path = os.path.join(d, "profile.jsonl")
        if os.path.exists(path):
            stats = pairing.load_profile(path)
            shares.append((sum(pairing.is_q_plus(x, t.p_low, t.pair_rule) for x in stats) / len(stats),
                           sum(pairing.is_q_minus(x, t.p_high, t.pair_rule) for x in stats) / len(stats)))
    if shares:
        out["bands"] = {"q+": min(a for a, _ in shares), "q-": min(b for _, b in shares),
                        "q+ mean": math.fsum(a for a, _ in shares) / len(shares),
                        "q- mean": math.fsum(b for _, b in shares) / len(shares), "p_low": t.p_low,
                        "p_high": t.p_high, "seeds": len(shares),
                        "holds": min(min(a, b) for a, b in shares) >= BAND_SHARE}
    wrong: dict[int, list[int]] = {}  # level -> [wrong responses, second-guess failures]
    for d in seeds:
        path = os.path.join(d, "base_eval", f"{set_name}.verdicts.jsonl")
        for row in (files.jsonl_rows(path) if os.path.exists(path) else []):
            tally = wrong.setdefault(row.get("level", 0), [0, 0])
            for r in row["responses"]:
                tally[0] += not r["correct"]
                tally[1] += _second_guess(r, row["gold"])
    if wrong:
        total, guesses = sum(w for w, _ in wrong.values()), sum(g for _, g in wrong.values())
        share = guesses / total if total else 0.0
        out["second_guess"] = {"share": share, "wrong": total, "by_level": {lv: g / w if w else None for lv, (w, g)
                                                                            in sorted(wrong.items())},
                               "holds": share >= SECOND_GUESS_SHARE and all(g > 0 for w, g in wrong.values() if w)}
    return out


def _premise_lines(cfg, premise: dict) -> list[str]:
    yes = {True: "yes", False: "**no**"}
    rows = []
    if "latent" in premise:
        a = premise["latent"]
        rows.append(f"| (a) latent ability: base held-out pass@{a['k']} / avg@{cfg.eval_n} at T = "
                    f"{cfg.eval_temperature} | ≥ {LATENT_RATIO:g} | {a['ratio']:.2f} ({100 * a['pass@k']:.1f} / "
                    f"{100 * a['avg@n']:.1f}, {a['seeds']} seed(s)) | {yes[a['holds']]} |")
    if "bands" in premise:
        b = premise["bands"]
        rows.append(f"| (b) pool share in q+ (0 < p̂ ≤ {b['p_low']:g}) / q− ({b['p_high']:g} ≤ p̂ < 1), fewest over "
                    f"{b['seeds']} seed profile(s) | ≥ {BAND_SHARE:.0%} each | {100 * b['q+']:.0f} % / "
                    f"{100 * b['q-']:.0f} % (mean {100 * b['q+ mean']:.0f} % / {100 * b['q- mean']:.0f} %) | "
                    f"{yes[b['holds']]} |")
    if "second_guess" in premise:
        c = premise["second_guess"]
        levels = ", ".join(f"L{lv} {'–' if v is None else f'{100 * v:.0f} %'}" for lv, v in c["by_level"].items())
        rows.append(f"| (c) transferable failure: wrong base responses whose first \\boxed{{}} was right "
                    f"(second guess) | ≥ {SECOND_GUESS_SHARE:.0%}, every level | {100 * c['share']:.0f} % of "
                    f"{c['wrong']} ({levels}) | {yes[c['holds']]} |")
    if not rows:
        return ["No base evaluation or profile in this grid: the testbed criteria could not be measured."]
    holds = all(v["holds"] for v in premise.values()) and len(premise) == 3
    return ["Criteria fixed in docs/method.md §7 before the comparison was run, measured on the base model:", "",
            "| criterion | threshold | measured | holds |", "|---|---|---|---|", *rows, "",
            "The premise holds: the comparison below can test the method." if holds else
            "**The premise does not hold here**: a null result below says little about the method."]


# --- report ---------------------------------------------------------------------------------------------------

def _primary(cfg, summary: dict) -> list[str]:
    """The comparison declared before the result: pairs_wgrpo vs variance_hist on the first eval set's avg@n
    and pass@k_max at the final update, with the smallest difference the seeds could detect."""
    s = summary["sets"][0]
    shown = " and ".join(display(cfg, m) for m in primary_metrics(cfg))
    lines = [f"Declared in advance: `{REFERENCE}` − `{PRIMARY_BASELINE}` (1-shot RLVR's historical-variance "
             f"pick), paired over seeds, on `{s}` {shown} at temperature {cfg.eval_temperature} after update "
             f"{cfg.steps}. Detectable effect: the smallest true paired difference a two-sided "
             f"{1 - CONFIDENCE:.0%} paired t-test over these seeds detects with {POWER:.0%} power, "
             f"(t_{{1−α/2}} + t_{{power}}) · s_d/√m with s_d the spread of the seeds' differences "
             f"(docs/method.md §6).", ""]
    per_set = summary["vs_reference"].get(PRIMARY_BASELINE)
    if per_set is None:
        return lines + [f"`{REFERENCE}` and `{PRIMARY_BASELINE}` were not both part of this grid: no primary result."]
    for m in primary_metrics(cfg):
        ci = per_set[s][m]
        mde = "no detectable effect with one seed" if ci["mde"] is None else \
            f"detectable {100 * ci['mde']:.1f} points"
        rng = "" if ci["lo"] is None else f", 95 % CI [{100 * ci['lo']:+.1f}, {100 * ci['hi']:+.1f}]"
        lines.append(f"- {display(cfg, m)}: {100 * ci['mean']:+.1f} points{rng} over {ci['n']} seed(s); {mde} — "
                     f"{_verdict(ci)}.")
    return lines


def _headline(cfg, summary: dict) -> list[str]:
    """Every comparison against pairs_wgrpo, stated plainly, on the first eval set's primary metrics."""
    if not summary["vs_reference"]:
        return [f"`{REFERENCE}` was not part of this grid, so there is no comparison to state."]
    s = summary["sets"][0]
    lines, tally = [], {"better": 0, "worse": 0, "neither": 0, "no interval": 0}
    for method, per_set in summary["vs_reference"].items():
        for m in primary_metrics(cfg):
            ci = per_set[s][m]
            v = _verdict(ci)
            tally["no interval" if ci["lo"] is None else "better" if "better" in v else "worse" if "worse" in v
                  else "neither"] += 1
            lines.append(f"- vs `{method}`, {display(cfg, m)}: {_diff(ci)} points over {ci['n']} seed(s) — {v}.")
    n = sum(tally.values())
    if tally["no interval"]:
        return [f"Only one seed per method: {n} comparisons without a confidence interval, so no claim either way; "
                f"the point differences are listed for inspection. Run more seeds (--seeds) to test the claim.",
                ""] + lines
    lead = (f"On `{s}` at update {cfg.steps}, `{REFERENCE}` was significantly better in {tally['better']} of {n} "
            f"comparisons, significantly worse in {tally['worse']}, and not distinguishable from the baseline in "
            f"{tally['neither']} (paired over seeds, Student-t 95 % intervals; 'significant' = the interval "
            f"excludes 0).")
    return [lead, ""] + lines


def write(cfg, records: list[dict], command: str, wall_seconds: float, sources: dict | None = None) -> dict:
    """summary.json, summary.md, plots/*.png and report.md in cfg.output_dir; returns the summary. `sources`: the
    pool's and eval sets' provenance (evaluate.provenance), recorded in both."""
    out = cfg.output_dir
    os.makedirs(os.path.join(out, "plots"), exist_ok=True)
    summary = summarise(cfg, records)
    curve_plots = []
    for s in summary["sets"]:
        name = f"plots/heldout_{s}.png"
        plot_curves(cfg, summary, os.path.join(out, name), s)
        curve_plots.append(name)
    picks = plot_profile(cfg, os.path.join(out, "plots", "pool_profile.png"))
    signal = training_signal(cfg)
    summary["premise"] = testbed_premise(cfg, summary["sets"][0]) if summary["sets"] else {}
    summary["primary"] = {"reference": REFERENCE, "baseline": PRIMARY_BASELINE, "set": summary["sets"][0],
                          "metrics": primary_metrics(cfg), "step": cfg.steps, "power": POWER,
                          "alpha": 1 - CONFIDENCE}
    summary.update({"wall_seconds": round(wall_seconds, 1), "picked_p_hat": picks, "training_signal": signal,
                    "command": command, "data": sources or {},
                    "runs": [{k: r[k] for k in ("method", "seed", "updates", "training_rollouts",
                                                "selection_rollouts", "wall_seconds")} for r in records]})
    table = summary_markdown(cfg, summary)
    files.write_text(os.path.join(out, "summary.md"), table)
    files.write_text(os.path.join(out, "summary.json"), json.dumps(summary, indent=2, default=str) + "\n")

    budget = {}
    for r in records:
        b = budget.setdefault(r["method"], {"runs": 0, "updates": r["updates"], "training": r["training_rollouts"],
                                            "selection": r["selection_rollouts"], "wall": 0.0})
        b["runs"] += 1
        b["wall"] += r["wall_seconds"]
    config = json.dumps(dataclasses.asdict(cfg), indent=2)
    lines = [
        "# Experiment: positive–negative pairing + Weighted GRPO vs variance-selected GRPO, full-pool GRPO, "
        "no training", "",
        f"Written {time.strftime('%Y-%m-%d %H:%M:%S')}; this invocation took {wall_seconds / 60:.1f} min "
        f"(runs finished by an earlier invocation are not re-timed; per-run wall times below).", "",
        "## Testbed premise", "",
        *_premise_lines(cfg, summary["premise"]), "",
        "## Primary comparison", "",
        *_primary(cfg, summary), "",
        "## All comparisons", "",
        *_headline(cfg, summary), "",
        "What this does and does not show: the model is whatever `model_dir` says (the project's tiny Qwen2 by "
        "default) and the task is the configured pool and held-out sets (the synthetic arithmetic task by "
        "default); with few seeds the intervals are wide, and a result on the tiny model says nothing about "
        "Qwen2.5-Math-7B on AIME/AMC. Read the intervals, not the point estimates. Against the paper's numbers, "
        f"compare avg@{cfg.eval_n} (what its \"Pass@8\" is in the scripts it follows), not pass@k.", "",
        "## Held-out results", "", table,
        *[f"![{p}]({p})" for p in curve_plots], "",
        "## Where the trained prompts fell in the pool's success profile", "",
        "Grey: histogram of the base model's profiled p̂ over the pool (each seed profiled separately, pooled). "
        "Markers: the prompts each method trained on, at their profiled p̂. Dotted lines: the q+ / q− band edges.",
        "", "![pool profile](plots/pool_profile.png)", "",
        "## Training signal", "",
        "A group whose G rewards are all equal has zero advantage and gives no policy gradient; the share of such "
        "groups is update budget a method spent without signal.", "",
        "| method | groups trained | all-equal groups | mean training reward |", "|---|---|---|---|",
        *[f"| {label} | {s['groups']} | {100 * s['no_signal']:.0f} % | {s['reward']:.2f} |"
          for label, s in sorted(signal.items())], "",
        "## Budget (per run)", "",
        "| method | runs | updates | training rollouts | selection rollouts | mean wall s |", "|---|---|---|---|---|---|",
        *[f"| {m} | {b['runs']} | {b['updates']} | {b['training']} | {b['selection']} | {b['wall'] / b['runs']:.0f} |"
          for m, b in budget.items()], "",
        "Training rollouts are equal for every trained method (updates × 2 prompts × C groups × G) except ablation "
        "rows that change C (groups_per_prompt) or G. Selection rollouts are "
        "what choosing the prompts cost before training: the K-rollout profile of the pool (pairs_wgrpo, "
        "variance_profile; shared by the two within a seed) or the full-pool GRPO pass (variance_hist).", "",
        "## Data", "", benchmarks.provenance_markdown(sources or {}), "",
        "## Reproduce", "",
        "```", command or "(called from Python: run_experiment(ExperimentConfig(...)) with the config below)", "```",
        "", "Config:", "", "```json", config, "```", "",
        "Files: `runs/<method>/seed<S>/train/` (the trainer's run: metrics.jsonl, report.md, checkpoints), "
        "`runs/<method>/seed<S>/eval/step_N/` (results.json and per-problem `<set>.verdicts.jsonl` with every "
        "response and verdict), `seeds/seed<S>/` (profile, history pass, base-model evaluation), `summary.json`.",
        "",
    ]
    files.write_text(os.path.join(out, "report.md"), "\n".join(lines))
    return summary
