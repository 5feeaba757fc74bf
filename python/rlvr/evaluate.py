"""Held-out evaluation: n samples per problem with vLLM, verdicts from the verifier, unbiased pass@k and avg@n.

Every number in results.json can be traced back: each eval set also gets `<name>.verdicts.jsonl` with one line
per problem holding its prompt, gold answer and every response with its verdict and extracted answer.

`evaluate_model` takes an open verifier and, optionally, a running RolloutEngine, so a harness can evaluate many
checkpoints of the same architecture without restarting either (weights are swapped in place).
"""
from __future__ import annotations

import gc
import json
import os
from dataclasses import dataclass
from typing import Any, Sequence

from tqdm import tqdm

from rlvr import benchmarks, config, data, distributed, estimators, files, rundir, scoring, synthetic
from rlvr.config import Sampling, arg, group

SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class EvalConfig:
    """How a model is evaluated; `//python:evaluate` generates its flags from it."""
    n: int = arg(16, "Samples per problem.", min=1)
    ks: tuple[int, ...] = arg((1, 4, 16), "k values of pass@k (each <= n).", flag="k")
    sampling: Sampling = group(Sampling, temperature=0.6, top_p=0.95, max_tokens=64)
    seed: int = arg(0, "Sampling seed.")
    template: str = arg("auto", "Prompt template: auto = the tokenizer's chat template when it has one (as training "
                        "does), plain = none.", choices=data.TEMPLATES)

    def __post_init__(self) -> None:
        config.check(self)

    def invariants(self) -> None:
        if not self.ks:
            raise ValueError("ks (the k values of pass@k) must not be empty")
        for k in self.ks:
            if k < 1 or k > self.n:
                raise ValueError(f"pass@{k} needs 1 <= k <= n, but n = {self.n} samples per problem; "
                                 f"raise --n to at least {k} or drop k = {k}")


def parse_eval_sets(spec: str) -> dict[str, str]:
    """`name=path,name2=path2` → {name: path}. A bare `synthetic` selects the built-in held-out split; a bare
    benchmark spec (`math500:limit=16`, see benchmarks.py) is named after its benchmark (`math500`)."""
    sets: dict[str, str] = {}
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        if benchmarks.is_named(item):
            name, path = benchmarks.base_name(item), item
        elif "=" in item:
            name, path = (p.strip() for p in item.split("=", 1))
        elif item == SYNTHETIC:
            name, path = SYNTHETIC, SYNTHETIC
        else:
            raise ValueError(f"--eval_sets item {item!r}: expected name=path (parquet/JSONL), a benchmark name "
                             f"({', '.join(benchmarks.BENCHMARKS)}) or '{SYNTHETIC}'")
        if not name or not path:
            raise ValueError(f"--eval_sets item {item!r}: empty name or path")
        if name in sets:
            raise ValueError(f"--eval_sets names the set {name!r} twice (name the parts: low=math500:level=1,...)")
        sets[name] = path
    if not sets:
        raise ValueError(f"--eval_sets is empty; expected name=path,... or '{SYNTHETIC}'")
    return sets


def load_eval_sets(sets: dict[str, str], synthetic_seed: int = 0, limit: int | None = None,
                   synthetic_heldout: int = 64) -> dict[str, list[data.Problem]]:
    """Loads each set (a file or a benchmark spec); `synthetic` is the synthetic task's held-out split for
    `synthetic_seed`."""
    out = {}
    for name, path in sets.items():
        if path == SYNTHETIC:
            _, heldout = synthetic.make_task(seed=synthetic_seed, n_heldout=synthetic_heldout)
            problems = heldout[:limit] if limit else heldout
        else:
            problems = benchmarks.load(path, limit=limit)  # DataError names the file or set when it is unusable
        if not problems:
            raise ValueError(f"eval set {name!r} ({path}) holds no problems")
        out[name] = problems
    return out


def provenance(specs: dict[str, str], sets: dict[str, list[data.Problem]], synthetic_seed: int = 0) -> dict:
    """{set name: where its problems came from} (benchmarks.provenance; the synthetic split by its seed)."""
    return {name: ({"set": SYNTHETIC, "synthetic_seed": synthetic_seed, "used": len(sets[name])}
                   if spec == SYNTHETIC else benchmarks.provenance(spec, sets[name]))
            for name, spec in specs.items()}


def resolve_model_dir(path: str) -> str:
    """The HF model dir behind `path`: an HF dir (config.json) as is; a training checkpoint dir
    (`<run>/checkpoints/step_N/`) → its `hf/` export; a training run dir → its latest checkpoint's `hf/`."""
    if not os.path.isdir(path):
        raise FileNotFoundError(f"model dir {path!r}: not a directory")
    latest = rundir.RunDir(path).latest_checkpoint()  # a run dir first: its config.json is the run's, not a model's
    if latest:
        return resolve_model_dir(latest)
    if os.path.isfile(os.path.join(path, "config.json")):
        return path
    hf = os.path.join(path, "hf")
    if os.path.isfile(os.path.join(hf, "config.json")):
        return hf
    raise FileNotFoundError(f"model dir {path!r}: expected an HF model dir (config.json), a training checkpoint "
                            f"dir (hf/config.json) or a training run dir (checkpoints/latest)")


def score_problem(n: int, correct: Sequence[bool], ks: Sequence[int]) -> dict[str, float]:
    """Per-problem avg@n and unbiased pass@k from its n verdicts."""
    if len(correct) != n:
        raise ValueError(f"expected {n} verdicts, got {len(correct)}")
    c = sum(bool(x) for x in correct)
    out = {"c": c, "avg": c / n}
    for k in ks:
        out[f"pass@{k}"] = estimators.pass_at_k(n, c, k)
    return out


def aggregate(scores: Sequence[dict[str, float]], ks: Sequence[int]) -> dict[str, float]:
    """Mean over problems of avg@n and each pass@k (the benchmark-level numbers), and avg@n's 95 % Student-t
    interval over problems (`avg@n_lo`, `avg@n_hi`; from 2 problems on; clipped to [0, 1], where an accuracy
    lies): it counts both the sampling noise of n responses and which problems the set happens to hold, so it
    says how far another draw of the set could land."""
    if not scores:
        raise ValueError("no problems to aggregate")
    m = len(scores)
    out = {"problems": m, "avg@n": sum(s["avg"] for s in scores) / m}
    if m > 1:
        _, lo, hi = estimators.mean_ci([s["avg"] for s in scores])
        out["avg@n_lo"], out["avg@n_hi"] = max(0.0, lo), min(1.0, hi)
    for k in ks:
        out[f"pass@{k}"] = sum(s[f"pass@{k}"] for s in scores) / m
    return out


# Prompt tokens (n copies of each prompt) per generate call. vLLM's scheduler splits a prefill that overflows its
# token budget (4096 on CPU) across steps, and on CPU a seeded request split that way crashes vLLM 0.32
# ("CPU Generator does not use offset"); staying under the budget keeps every prefill whole.
PREFILL_TOKENS_PER_CALL = 2048


def _prefill_chunks(engine, prompts: Sequence[str], n: int) -> list[slice]:
    """Consecutive runs of prompts whose n-fold prompt tokens fit PREFILL_TOKENS_PER_CALL (at least one each)."""
    starts, used = [0], 0
    for i, p in enumerate(prompts):
        cost = n * len(engine.prompt_token_ids(p))
        if i > starts[-1] and used + cost > PREFILL_TOKENS_PER_CALL:
            starts.append(i)
            used = 0
        used += cost
    return [slice(a, b) for a, b in zip(starts, starts[1:] + [len(prompts)])]


def evaluate_set(engine, verifier, tokenizer, problems: Sequence[data.Problem], cfg: EvalConfig,
                 verdict_path: str | None = None, desc: str | None = "eval",
                 world: distributed.World = distributed.SOLO) -> dict[str, float]:
    """Samples cfg.n responses per problem, verifies them and returns the aggregate metrics.

    When verdict_path is given, writes one JSON line per problem (prompt, gold, responses with verdicts).
    `desc`: the progress bar's name; None: no bar (e.g. inside a training loop that has its own). Across ranks
    (`world`, every rank calling it alike) each rank samples and verifies its share of the problems; rank 0 writes
    the file, every rank returns the metrics."""
    prompts = [data.format_prompt(p.problem, data.template_tokenizer(cfg.template, tokenizer)) for p in problems]
    outcomes, t_gen = [], 0.0
    bar = tqdm(total=len(prompts), desc=desc, unit="problem",  # over generation: the slow part
               disable=desc is None or not world.is_main)
    for part in _prefill_chunks(engine, prompts, cfg.n):
        scored = scoring.score(engine, prompts[part], cfg.n, cfg.sampling, verifier,
                               [p.answer for p in problems[part]], [p.id for p in problems[part]], cfg.seed,
                               world=world, texts=verdict_path is not None)
        outcomes, t_gen = outcomes + scored.outcomes, t_gen + scored.generate_s
        bar.update(len(scored.outcomes))
    scores, lines = [], []
    for i, p in enumerate(problems):
        score = score_problem(cfg.n, [o.verdict.correct for o in outcomes[i]], cfg.ks)
        scores.append(score)
        lines.append(json.dumps({
            "id": p.id, "problem": p.problem, "gold": p.answer, "level": p.level, "prompt": prompts[i], **score,
            "responses": [{"text": o.text, "verdict": o.verdict.verdict, "extracted": o.verdict.extracted,
                           "correct": o.verdict.correct, "reason": o.verdict.reason, "truncated": o.truncated}
                          for o in outcomes[i]],
        }, ensure_ascii=False))
    if verdict_path and world.is_main:
        files.write_text(verdict_path, "\n".join(lines) + "\n")
    result = aggregate(scores, cfg.ks)
    bar.set_postfix({f"avg@{cfg.n}": f"{result['avg@n']:.1%}"})
    bar.close()
    result["generate_s"] = round(t_gen, 3)
    result["tokens_per_response"] = sum(o.tokens for row in outcomes for o in row) / max(1, len(problems) * cfg.n)
    return result


def results_markdown(results: dict[str, Any]) -> str:
    """One row per eval set: problems, avg@n and each pass@k (percent)."""
    cfg = results["config"]
    ks = cfg["k"]
    head = ["set", "problems", f"avg@{cfg['n']}"] + [f"pass@{k}" for k in ks]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in results["sets"].items():
        cells = [name, str(r["problems"]), f"{100 * r['avg@n']:.1f}"] + [f"{100 * r[f'pass@{k}']:.1f}" for k in ks]
        rows.append("| " + " | ".join(cells) + " |")
    return (f"# Evaluation of `{results['model_dir']}`\n\n"
            f"n = {cfg['n']} samples per problem, temperature {cfg['temperature']}, top_p {cfg['top_p']}, "
            f"max_tokens {cfg['max_tokens']}, template `{cfg['template']}`, seed {cfg['seed']}. "
            f"Values in percent; avg@{cfg['n']} is the mean accuracy of the {cfg['n']} samples (equal to unbiased "
            f"pass@1); pass@k is the unbiased estimator 1 − C(n−c, k)/C(n, k) of at least one of k samples being "
            f"correct, averaged over problems.\n\n"
            + "\n".join(rows) + "\n\nPer-problem responses and verdicts: `<set>.verdicts.jsonl`.\n"
            + (f"\nData:\n{benchmarks.provenance_markdown(results['data'])}\n" if results.get("data") else ""))


def load_state_dict(model_dir: str) -> dict:
    """All tensors of an HF safetensors model dir (single or sharded)."""
    from safetensors.torch import load_file
    files = sorted(f for f in os.listdir(model_dir) if f.endswith(".safetensors"))
    if not files:
        raise FileNotFoundError(f"{model_dir}: no *.safetensors weights to load")
    state: dict = {}
    for f in files:
        state.update(load_file(os.path.join(model_dir, f)))
    return state


def evaluate_model(model_dir: str, eval_sets: dict[str, list[data.Problem]], cfg: EvalConfig, verifier,
                   output_dir: str | None = None, engine=None, max_model_len: int = 512,
                   sources: dict[str, dict] | None = None,
                   world: distributed.World = distributed.SOLO, engine_kwargs: dict | None = None) -> dict[str, Any]:
    """Evaluates one model on every set; writes results.json, results.md and verdict files when output_dir is set.
    `sources` (evaluate.provenance) is recorded in both as `data`. Across ranks (`world`, every rank calling it
    alike) each rank samples its share; rank 0 writes the files and records the ranks in results.json.

    engine: a running RolloutEngine to reuse (its weights are replaced by model_dir's, in place); None starts
    one for model_dir (with `engine_kwargs`, e.g. Hardware.vllm_kwargs()) and shuts it down afterwards."""
    from transformers import AutoTokenizer
    from rlvr.rollout import RolloutEngine

    hf_dir = resolve_model_dir(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    own_engine = engine is None
    if own_engine:
        engine = RolloutEngine(hf_dir, seed=cfg.seed, max_model_len=max_model_len, **(engine_kwargs or {}))
    else:
        engine.sync_weights(load_state_dict(hf_dir))
    if output_dir and world.is_main:
        os.makedirs(output_dir, exist_ok=True)
    results: dict[str, Any] = {"model_dir": os.path.abspath(model_dir), "config": config.flat(cfg),
                               "sets": {}, "data": sources or {}, "ranks": world.size}
    try:
        for name, problems in eval_sets.items():
            path = os.path.join(output_dir, f"{name}.verdicts.jsonl") if output_dir else None
            results["sets"][name] = evaluate_set(engine, verifier, tokenizer, problems, cfg, path, desc=name,
                                                 world=world)
    finally:
        if own_engine:
            # Collected now, not at some later gc pass: tearing down an in-process vLLM engine also tears down
            # vLLM's global parallel groups, which would break any engine the caller starts afterwards.
            del engine
            gc.collect()
    if output_dir and world.is_main:
        files.write_json(os.path.join(output_dir, "results.json"), results)
        files.write_text(os.path.join(output_dir, "results.md"), results_markdown(results))
    return results
