"""The comparison grid: methods × seeds under one budget, each run's checkpoints evaluated, summarised with CIs.

Methods (every training method gets the same `steps` updates of 2 prompts × G rollouts):
    pairs_wgrpo       one (q+, q−) pair per update from the seed's profile, Weighted GRPO
    variance_hist     GRPO on the two prompts with the largest variance of per-epoch training accuracy in a
                      short full-pool GRPO pass (1-shot RLVR's historical variance; the pass is a selection cost)
    variance_profile  GRPO on the two prompts with the largest profile p̂(1−p̂)
    pool_grpo         GRPO on 2 prompts per update walking the whole pool
    no_training       the base model
    pairs_wgrpo[k=v+k2=v2]  an ablation row: pairs_wgrpo with those TrainConfig fields changed (`ablations`),
                      e.g. pairs_wgrpo[advantage=drgrpo] or pairs_wgrpo[alpha=1+beta=1]

Layout of the output directory (re-running the same command skips everything already finished):
    experiment.json                  the config (a re-run with a different config is refused)
    seeds/seed<S>/profile.jsonl      the base model's success profile of the pool (K rollouts per prompt; made for
                                     every seed: the report's testbed criteria read it)
    seeds/seed<S>/history/           the full-pool GRPO pass behind variance_hist (accuracy_by_epoch.json)
    seeds/seed<S>/base_eval/         held-out evaluation of the base model (step 0 of every method)
    runs/<method>/seed<S>/train/     the trainer's run dir (metrics.jsonl, checkpoints/step_N/hf, report.md)
    runs/<method>/seed<S>/eval/step_N/  results.json, results.md, <set>.verdicts.jsonl
    runs/<method>/seed<S>/DONE       the run's evaluations; its presence marks the run finished
    pool.jsonl, heldout.jsonl        the synthetic pool / held-out set when given by level (pool_mix, heldout_mix)
    summary.json, summary.md, plots/*.png, report.md

One verifier and one evaluation vLLM engine serve the whole grid: the base model and every checkpoint are swapped
into the engine in place (RolloutEngine.sync_weights) rather than starting an engine per checkpoint. Each training
run is a child process (trainer.train) pointed at the shared verifier.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

from rlvr import (benchmarks, config, console, data, evaluate, experiment_report, files, models, rundir, seeds,
                  selection, synthetic)
from rlvr.config import Hardware, Sampling, arg, group
from rlvr.verifier_client import VerifierSpec

METHODS, TRAINED = tuple(selection.ARMS), selection.TRAINED  # the arms (selection.py holds the vocabulary)
# TrainConfig fields the harness sets itself; `train_overrides` may set any other field.
_HARNESS_FIELDS = ("output_dir", "model_dir", "pool", "pool_size", "synthetic_seed", "method", "steps",
                   "rollouts_per_prompt", "pool_batch", "profile", "history", "resume", "verifier_address",
                   "verifier_auth_token_file", "verifier_tls_ca", "seed",
                   "eval_every", "checkpoint_every", "keep_checkpoints", "profile_rollouts", "heldout",
                   "heldout_size", "extra", *config.flat(Hardware()))
PROMPTS_PER_UPDATE = selection.PAIR_PROMPTS  # every arm's budget; pool_grpo walks the pool this many at a time


@dataclass
class ExperimentConfig:
    """The grid's settings, with their flag help (`//python:experiment` generates its flags from it)."""
    output_dir: str = arg("", "Experiment directory; empty: <cache>/experiments/<date-time>. Re-use it to resume.")
    methods: tuple[str, ...] = arg(METHODS, f"Subset of {list(METHODS)}.")
    # ≥ 8: see the detectable difference in docs/method.md §8
    seeds: tuple[int, ...] = arg(tuple(range(8)), "Training seeds (one run per method and seed).")
    steps: int = arg(36, "Updates per training run (the same for every method).", min=1)
    eval_every: int = arg(36, "Evaluate checkpoints every N updates (steps must be a multiple).", min=1)
    rollouts_per_prompt: int = arg(8, "G: rollouts per prompt per update.")
    model_dir: str = arg("", "HF model dir or named model (smollm2-135m); empty: the tiny model (built on first use).")
    pool: str = arg(evaluate.SYNTHETIC, "Prompt pool file (.parquet/.jsonl/.json), benchmark spec (gsm8k_train:limit=64; "
                    "`bazel run //tools:benchmarks` lists them) or 'synthetic'.")
    pool_size: int = arg(64, "Synthetic pool size; for files, the first N problems (0: all).", min=0)
    # The default is the testbed fixed in docs/method.md §7 before the comparison: levels the base model solves
    # sometimes, with 1-digit sums (q− at T = 0.6) and linear equations (q+) for both bands.
    pool_mix: str = arg("1:24,2:8,4:24,5:8", "Synthetic pool by level, 'level:count,...' (overrides --pool_size); "
                        "empty: --pool_size problems, levels round robin.")
    synthetic_seed: int = arg(0, "Seed of the synthetic task (the same for every run).")
    profile_rollouts: int = arg(16, "K: rollouts per prompt when profiling the pool (pairs_wgrpo, variance_profile).",
                                min=1)
    history_epochs: int = arg(3, "Epochs of the full-pool GRPO pass behind variance_hist's historical-variance "
                              "ranking.", min=1)
    history_batch: int = arg(16, "Prompts per update in that pass.", min=1)
    eval_sets: str = arg(evaluate.SYNTHETIC, "Held-out sets: benchmark specs (gsm8k:limit=32) or name=path, "
                         "comma-separated, or 'synthetic'.")
    heldout_size: int = arg(32, "Problems in the synthetic held-out split (files: all).", min=1)
    # Levels with latent ability (pass@8 well above avg@8) and the second-guess habit; 1-digit sums have only 16
    # held-out problems.
    heldout_mix: str = arg("1:16,2:32,4:96,5:96", "Synthetic held-out set by level, 'level:count,...' (overrides "
                           "--heldout_size).")
    eval_n: int = arg(8, "Samples per held-out problem.", min=1, flag="n")
    eval_ks: tuple[int, ...] = arg((1, 4, 8), "k values of pass@k (each <= n).", flag="k")
    eval_temperature: float = arg(0.6, "Held-out sampling temperature.", flag="temperature")
    eval_top_p: float = arg(0.95, "Held-out nucleus sampling top_p.", flag="top_p")
    # Other TrainConfig settings (alpha, beta, lr, ...) by their flag names; the binary's --train key=value,...
    # Rollouts at T = 0.6, as in the paper's recipe (1-shot RLVR).
    train_overrides: dict = arg({"temperature": 0.6}, "Other trainer settings.")
    # By default the other readings of Weighted GRPO (docs/method.md §4) and 4 groups per prompt, on the first two
    # seeds (time; their intervals say so).
    ablations: tuple[str, ...] = arg(("advantage=relabel_group", "advantage=relabel_pooled",
                                      "advantage=relabel_drgrpo", "groups_per_prompt=4"),
                                     "Extra pairs_wgrpo rows, each 'key=value[+key=value]' of TrainConfig fields, e.g. "
                                     "advantage=drgrpo,alpha=1+beta=1 (row pairs_wgrpo[advantage=drgrpo], ...).")
    ablation_seeds: tuple[int, ...] = arg((0, 1), "Seeds the ablation rows run on (a subset of --seeds); empty: all.")
    verifier: VerifierSpec = group(VerifierSpec, prefix="verifier_")  # shared by the grid and its runs
    hardware: Hardware = group(Hardware)  # the grid's evaluation engine and every training run

    def validate(self) -> None:
        config.check(self)

    def invariants(self) -> None:
        from rlvr import trainer

        unknown = [m for m in self.methods if m not in METHODS]
        if unknown or not self.methods:
            raise ValueError(f"methods must be a non-empty subset of {METHODS}, got {list(self.methods)}")
        if self.ablations and ABLATED not in self.methods:
            raise ValueError(f"ablations vary {ABLATED}, which is not among the methods {list(self.methods)}")
        if len(set(self.ablations)) != len(self.ablations):
            raise ValueError(f"ablations repeat: {list(self.ablations)}")
        if not set(self.ablation_seeds) <= set(self.seeds):
            raise ValueError(f"ablation_seeds {list(self.ablation_seeds)} must be among seeds {list(self.seeds)}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be non-empty and distinct, got {list(self.seeds)}")
        for name in ("pool_mix", "heldout_mix"):
            parse_mix(getattr(self, name), name)
        if self.steps % self.eval_every:
            raise ValueError(f"steps={self.steps} must be a multiple of eval_every={self.eval_every}")
        fields = set(config.flat(trainer.TrainConfig()))
        for what, keys in [("train_overrides", self.train_overrides)] + [
                (f"ablation {a!r}", ablation_overrides(a)) for a in self.ablations]:
            bad = sorted(k for k in keys if k not in fields or k in _HARNESS_FIELDS)
            if bad:
                raise ValueError(f"{what}: {bad} are not TrainConfig fields the harness leaves open; the "
                                 f"harness sets {list(_HARNESS_FIELDS)} itself")
        for a in self.ablations:
            config.build(trainer.TrainConfig, {**self.train_overrides, **ablation_overrides(a)}).validate()
        self.eval_config(0)  # k <= n and the sampling values

    def eval_config(self, seed: int) -> evaluate.EvalConfig:
        """Held-out sampling; the sampling seed is the run's seed, so methods are compared on paired samples."""
        train = self.train_config_defaults()
        sampling = Sampling(temperature=self.eval_temperature, top_p=self.eval_top_p,
                            max_tokens=train.sampling.max_tokens)
        return evaluate.EvalConfig(n=self.eval_n, ks=tuple(self.eval_ks), sampling=sampling, seed=seed,
                                   template=train.template)

    def train_config_defaults(self, overrides: dict | None = None):
        from rlvr import trainer

        return config.build(trainer.TrainConfig, {**self.train_overrides, **(overrides or {})})

    def grid_cells(self) -> list[tuple[int, str]]:
        """(seed, row) in run order: per seed the methods, then one pairs_wgrpo[...] row per ablation (on
        ablation_seeds only)."""
        return [(s, m) for s in self.seeds for m in list(self.methods) + [
            ablation_label(a) for a in self.ablations if not self.ablation_seeds or s in self.ablation_seeds]]

    def eval_steps(self) -> list[int]:
        return list(range(0, self.steps + 1, self.eval_every))

    def history_steps(self, pool_size: int) -> int:
        return math.ceil(self.history_epochs * pool_size / self.history_batch)


ABLATED = selection.PAIRS


def parse_mix(spec: str, what: str = "mix") -> dict[int, int]:
    """"1:16,4:96" → {1: 16, 4: 96} (synthetic level → problem count); "" → {}."""
    mix: dict[int, int] = {}
    for item in filter(None, (x.strip() for x in spec.split(","))):
        level, sep, count = item.partition(":")
        try:
            lv, n = int(level), int(count)
        except ValueError:
            lv = n = -1
        if not sep or not 1 <= lv <= synthetic.LEVELS or n < 1 or lv in mix:
            raise ValueError(f"{what} item {item!r}: expected level:count with a distinct level in 1..{synthetic.LEVELS} "
                             f"and count >= 1 (e.g. '1:16,4:96')")
        mix[lv] = n
    return mix


def synthetic_mix(seed: int, mix: dict[int, int], heldout: bool) -> list[data.Problem]:
    """Synthetic problems by level count, from one side of the problem space (train or held-out), levels in
    `mix` order. make_task round-robins every level and stops at the smallest level's distinct problems
    (1-digit addition has ~25 held-out ones), so counts are filled from the splits of seed, seed + 1, ... in
    turn, deduplicated; the first split of `seed` comes first, so the train side starts with the pool the
    tiny model was supervised on. Train and held-out stay disjoint (synthetic.is_heldout_text)."""
    per_call = 16 * synthetic.LEVELS
    picked: dict[int, list[data.Problem]] = {lv: [] for lv in mix}
    seen: set[str] = set()
    for s in range(seed, seed + 200):
        train, held = synthetic.make_task(seed=s, n_train=0 if heldout else per_call, n_heldout=per_call if heldout
                                          else 0)
        for p in held if heldout else train:
            if p.level in mix and len(picked[p.level]) < mix[p.level] and p.id not in seen:
                seen.add(p.id)
                picked[p.level].append(p)
        if all(len(picked[lv]) == n for lv, n in mix.items()):
            return [p for lv in mix for p in picked[lv]]
    short = {lv: f"{len(picked[lv])}/{n}" for lv, n in mix.items() if len(picked[lv]) < n}
    raise ValueError(f"synthetic {'held-out' if heldout else 'train'} side has too few distinct problems for the "
                     f"mix: got {short} (level: found/asked); ask for fewer")


def ablation_overrides(spec: str) -> dict:
    """"alpha=1+beta=1" → {"alpha": 1.0, "beta": 1.0}."""
    from rlvr import trainer

    try:
        return config.parse_overrides(trainer.TrainConfig, spec.split("+"))
    except ValueError as e:
        raise ValueError(f"ablation {spec!r}: {e}") from e


def ablation_label(spec: str) -> str:
    return f"{ABLATED}[{spec}]"


def _split_label(method: str) -> tuple[str, dict]:
    """A grid row's method and its ablation overrides ({} for a plain method)."""
    if method.endswith("]") and "[" in method:
        base, spec = method[:-1].split("[", 1)
        return base, ablation_overrides(spec)
    return method, {}


def quick_config(output_dir: str) -> ExperimentConfig:
    """A grid small enough for a smoke test: every method, one seed, two updates, a small pool and held-out."""
    return ExperimentConfig(output_dir=output_dir, seeds=(0,), steps=2, eval_every=1, rollouts_per_prompt=4,
                            pool_size=24, pool_mix="", profile_rollouts=8, history_epochs=2, history_batch=12,
                            heldout_size=16, heldout_mix="", eval_n=4, eval_ks=(1, 4),
                            train_overrides={"max_tokens": 24}, ablations=(), ablation_seeds=())


FULL_SEEDS = 16  # docs/method.md §8: 8 seeds detected 3.1 points on avg@8 but only 5.6 on pass@8


def full_config(output_dir: str) -> ExperimentConfig:
    """The default grid with 16 seeds (ablation rows on 8), enough for ≤ 5 points on both primary metrics."""
    return ExperimentConfig(output_dir=output_dir, seeds=tuple(range(FULL_SEEDS)),
                            ablation_seeds=tuple(range(FULL_SEEDS // 2)))


# --- files ----------------------------------------------------------------------------------------------------

def _check_same_experiment(cfg: ExperimentConfig, path: str) -> None:
    """A re-run may add methods or seeds; anything else must match the finished runs' config (a setting added since
    they ran, e.g. the device flags, matches at its default)."""
    mine, defaults = (json.loads(json.dumps(dataclasses.asdict(c))) for c in (cfg, ExperimentConfig()))  # as saved
    if os.path.exists(path):
        old = files.read_json(path)["config"]
        free = ("methods", "ablations", "ablation_seeds", "seeds", "output_dir", "verifier")
        differ = sorted(k for k in mine if k not in free and mine[k] != old.get(k, defaults[k]))
        if differ:
            raise ValueError(f"{cfg.output_dir} holds an experiment with a different config ({', '.join(differ)}); "
                             f"choose another --output_dir or re-run with the same flags to resume it")


# --- the grid -------------------------------------------------------------------------------------------------

class _Grid:
    """Shared state of one experiment run: the verifier, the evaluation engine and the loaded problem sets."""

    def __init__(self, cfg: ExperimentConfig, verifier):
        self.cfg, self.verifier = cfg, verifier
        self.model_dir = evaluate.resolve_model_dir(models.resolve(cfg.model_dir))
        self.train_defaults = cfg.train_config_defaults()
        self.pool = (synthetic.make_task(seed=cfg.synthetic_seed, n_train=cfg.pool_size)[0]
                     if cfg.pool == evaluate.SYNTHETIC else benchmarks.load(cfg.pool, limit=cfg.pool_size or None))
        self.pool_spec, self.pool_limit = cfg.pool, cfg.pool_size  # what training runs load
        sets = evaluate.parse_eval_sets(cfg.eval_sets)
        self.eval_sets = evaluate.load_eval_sets(sets, synthetic_seed=cfg.synthetic_seed,
                                                 synthetic_heldout=cfg.heldout_size)
        # The trainer's own before/after check (greedy, a few problems) uses the first eval set.
        self.trainer_heldout = next(iter(sets.values()))
        # Level mixes are written into the output dir, and training runs read those files.
        if cfg.pool == evaluate.SYNTHETIC and cfg.pool_mix:
            self.pool = synthetic_mix(cfg.synthetic_seed, parse_mix(cfg.pool_mix), heldout=False)
            self.pool_spec, self.pool_limit = os.path.join(cfg.output_dir, "pool.jsonl"), 0
            data.write_problems(self.pool_spec, self.pool)
        mixed = [name for name, path in sets.items() if path == evaluate.SYNTHETIC]
        if cfg.heldout_mix and mixed:
            self.eval_sets[mixed[0]] = synthetic_mix(cfg.synthetic_seed, parse_mix(cfg.heldout_mix), heldout=True)
            path = os.path.join(cfg.output_dir, "heldout.jsonl")
            data.write_problems(path, self.eval_sets[mixed[0]])
            if self.trainer_heldout == evaluate.SYNTHETIC:
                self.trainer_heldout = path
        self.eval_sources = evaluate.provenance(sets, self.eval_sets, cfg.synthetic_seed)
        self.sources = {**evaluate.provenance({"pool": cfg.pool}, {"pool": self.pool}, cfg.synthetic_seed),
                        **self.eval_sources}
        self._engine = None
        self._tokenizer = None
        self._base_state = None

    # The evaluation engine starts on first use (a finished grid re-summarises without vLLM) and then serves
    # every profile and evaluation of the grid; training runs happen in child processes (see `train`).
    def engine(self):
        if self._engine is None:
            from transformers import AutoTokenizer

            from rlvr.rollout import RolloutEngine

            self._engine = RolloutEngine(self.model_dir, seed=0, max_model_len=self.train_defaults.max_model_len,
                                         **self.cfg.hardware.vllm_kwargs())
            self._tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
            self._base_state = evaluate.load_state_dict(self.model_dir)
        return self._engine

    def reset_to_base(self):
        engine = self.engine()
        engine.sync_weights(self._base_state)
        return engine

    def evaluate(self, model_dir: str | None, out_dir: str, seed: int) -> dict:
        """Held-out results of model_dir (None: the base model) into out_dir; cached in out_dir/results.json."""
        done = os.path.join(out_dir, "results.json")
        if os.path.exists(done):
            return files.read_json(done)["sets"]
        self.engine()  # evaluate_model swaps model_dir's weights into it
        return evaluate.evaluate_model(model_dir or self.model_dir, self.eval_sets, self.cfg.eval_config(seed),
                                       self.verifier, output_dir=out_dir, engine=self._engine,
                                       sources=self.eval_sources)["sets"]

    def profile(self, seed: int, path: str) -> str:
        """The base model's success profile of the pool for this seed (resumed by profile_pool if partial)."""
        from rlvr import profile

        if os.path.exists(path) and sum(1 for _ in files.read_jsonl(path)) == len(self.pool):
            return path  # complete: no engine needed (a finished grid re-summarises without vLLM)
        t = self.train_defaults
        settings = profile.ProfileSettings(k=self.cfg.profile_rollouts, sampling=t.sampling,
                                           seed=seeds.derived_seed(seed, "profile"),
                                           chunk_size=max(1, evaluate.PREFILL_TOKENS_PER_CALL //
                                                          (self.cfg.profile_rollouts * 64)))
        rows = profile.profile_pool(self.reset_to_base(), self.verifier, self.pool, settings, path,
                                    model=profile.model_key(self.model_dir),
                                    tokenizer=data.template_tokenizer(t.template, self._tokenizer))
        if len(rows) != len(self.pool):
            raise RuntimeError(f"profile {path}: {len(rows)} rows for a pool of {len(self.pool)}")
        return path

    def train(self, run_dir: str, method: str, seed: int, steps: int, pool_batch: int = PROMPTS_PER_UPDATE,
              checkpoint_every: int | None = None, overrides: dict | None = None, **choice) -> dict:
        """One trainer run (resumed from its latest checkpoint if interrupted); returns its summary."""
        from rlvr import trainer

        summary = rundir.RunDir(run_dir).file("summary.json")
        if os.path.exists(summary):
            return files.read_json(summary)
        resume = run_dir if rundir.RunDir(run_dir).latest_checkpoint() else ""
        if not resume and os.path.isdir(run_dir):  # interrupted before its first checkpoint: start it over
            shutil.rmtree(run_dir)
        every = checkpoint_every or steps
        tcfg = config.build(trainer.TrainConfig, dict(
            **{**self.cfg.train_overrides, **(overrides or {})}, output_dir=run_dir, model_dir=self.model_dir,
            pool=self.pool_spec, pool_size=self.pool_limit, synthetic_seed=self.cfg.synthetic_seed, method=method,
            steps=steps, rollouts_per_prompt=self.cfg.rollouts_per_prompt, pool_batch=pool_batch, resume=resume,
            verifier_address=self.verifier.address, verifier_auth_token_file=self.cfg.verifier.auth_token_file,
            verifier_tls_ca=self.cfg.verifier.tls_ca, seed=seed, eval_every=steps, checkpoint_every=every,
            keep_checkpoints=steps // every + 1, profile_rollouts=self.cfg.profile_rollouts,
            heldout=self.trainer_heldout, heldout_size=min(16, self.cfg.heldout_size),
            **config.flat(self.cfg.hardware), **choice))
        # A child process per run: in-process vLLM and DeepSpeed keep process groups in module globals, and a
        # vLLM engine's teardown destroys the default group under DeepSpeed's cached ones, so a second run (or
        # this process's evaluation engine) in the same process fails. The child pays ~10 s of imports.
        env = {k: v for k, v in os.environ.items() if k not in _DIST_ENV}  # the child is its own world of one
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        proc = subprocess.run([sys.executable, "-c", _TRAIN_CHILD, json.dumps(config.flat(tcfg)),
                               "quiet" if console.quiet() else "verbose"], env=env)  # this process's console policy
        if proc.returncode != 0 or not os.path.exists(summary):
            raise RuntimeError(f"training run {run_dir} failed (exit code {proc.returncode}); its log is above and "
                               f"in {run_dir}; re-run the same command to resume it")
        return files.read_json(summary)


_DIST_ENV = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
_TRAIN_CHILD = ("import json, sys; from rlvr import console, runtime; console.configure(sys.argv[2] == 'verbose'); "
                "runtime.setup(); from rlvr import config, trainer; "
                "trainer.train(config.build(trainer.TrainConfig, json.loads(sys.argv[1])))")


def _run_one(grid: _Grid, method: str, seed: int, seed_dir: str, base: dict) -> dict:
    """Trains (unless no_training) and evaluates one (method, seed); returns the DONE record."""
    cfg = grid.cfg
    run_dir = os.path.join(cfg.output_dir, "runs", method, f"seed{seed}")
    done_path = os.path.join(run_dir, "DONE")
    if os.path.exists(done_path):
        return files.read_json(done_path)
    start = time.perf_counter()
    evals = {0: base}
    selection_cost = 0
    label, (method, overrides) = method, _split_label(method)
    arm = selection.ARMS[method]
    if arm.method:
        choice: dict[str, str] = {}
        if arm.source == selection.PROFILE:
            choice["profile"] = grid.profile(seed, os.path.join(seed_dir, "profile.jsonl"))
            selection_cost = cfg.profile_rollouts * len(grid.pool)
        elif arm.source == selection.HISTORY:
            hist_dir = os.path.join(seed_dir, "history")
            hist_steps = cfg.history_steps(len(grid.pool))
            grid.train(hist_dir, selection.POOL, seed, hist_steps, pool_batch=cfg.history_batch)
            choice["history"] = os.path.join(hist_dir, "accuracy_by_epoch.json")
            selection_cost = hist_steps * cfg.history_batch * grid.train_defaults.groups_per_prompt * \
                cfg.rollouts_per_prompt
        train_dir = os.path.join(run_dir, "train")
        grid.train(train_dir, arm.method, seed, cfg.steps, checkpoint_every=cfg.eval_every, overrides=overrides,
                   **choice)
        for step in cfg.eval_steps()[1:]:
            evals[step] = grid.evaluate(rundir.RunDir(train_dir).hf_checkpoint(step),
                                        os.path.join(run_dir, "eval", f"step_{step:06d}"), seed)
    record = {"method": label, "seed": seed, "evals": {str(k): v for k, v in evals.items()},
              "updates": cfg.steps if arm.method else 0,
              "training_rollouts": cfg.steps * PROMPTS_PER_UPDATE * cfg.rollouts_per_prompt *
              cfg.train_config_defaults(overrides).groups_per_prompt if arm.method else 0,
              "selection_rollouts": selection_cost, "wall_seconds": round(time.perf_counter() - start, 1)}
    files.write_json(done_path, record)
    return record


def run_experiment(cfg: ExperimentConfig, command: str = "") -> dict:
    """Runs (or resumes) the grid, then writes summary.json/md, plots and report.md; returns the summary."""
    from tqdm import tqdm

    from rlvr import runtime

    cfg.validate()
    runtime.setup()
    if not cfg.output_dir:
        cfg.output_dir = os.path.join(str(runtime.cache_root()), "experiments", time.strftime("%Y%m%d-%H%M%S"))
    exp_path = os.path.join(cfg.output_dir, "experiment.json")
    _check_same_experiment(cfg, exp_path)
    files.write_json(exp_path, {"config": dataclasses.asdict(cfg), "command": command})
    start = time.perf_counter()
    records = []
    with cfg.verifier.open() as verifier:
        grid = _Grid(cfg, verifier)
        cells = cfg.grid_cells()
        bar = tqdm(cells, desc="experiment", unit="run", file=sys.stderr)
        for seed, method in bar:
            bar.set_postfix(method=method, seed=seed)
            seed_dir = os.path.join(cfg.output_dir, "seeds", f"seed{seed}")
            base = grid.evaluate(None, os.path.join(seed_dir, "base_eval"), seed)
            grid.profile(seed, os.path.join(seed_dir, "profile.jsonl"))  # the testbed criteria need every seed's
            records.append(_run_one(grid, method, seed, seed_dir, base))
    return experiment_report.write(cfg, records, command, time.perf_counter() - start, sources=grid.sources)
