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
from dataclasses import dataclass, field
from typing import Any

from rlvr import benchmarks, data, evaluate, experiment_report, models, synthetic

METHODS = ("pairs_wgrpo", "variance_hist", "variance_profile", "pool_grpo", "no_training")
TRAINED = METHODS[:4]
_TRAINER_METHOD = {"pairs_wgrpo": "pairs_wgrpo", "variance_hist": "variance_grpo",
                   "variance_profile": "variance_grpo", "pool_grpo": "pool_grpo"}
# TrainConfig fields the harness sets itself; `train_overrides` may set any other field.
_HARNESS_FIELDS = ("output_dir", "model_dir", "pool", "pool_size", "synthetic_seed", "method", "steps",
                   "rollouts_per_prompt", "pool_batch", "profile", "history", "resume", "verifier_address",
                   "verifier_auth_token_file", "verifier_tls_ca", "seed",
                   "eval_every", "checkpoint_every", "keep_checkpoints", "profile_rollouts", "heldout",
                   "heldout_size", "extra")
PROMPTS_PER_UPDATE = 2  # a pair, two variance-selected prompts, or pool_grpo's batch


@dataclass
class ExperimentConfig:
    output_dir: str = ""
    methods: tuple[str, ...] = METHODS
    seeds: tuple[int, ...] = tuple(range(8))  # ≥ 8: see the detectable difference in docs/method.md §8
    steps: int = 36                   # updates per training run (the shared budget)
    eval_every: int = 36              # checkpoints evaluated at 0, eval_every, 2·eval_every, ..., steps
    rollouts_per_prompt: int = 8      # G
    model_dir: str = ""               # "" → the tiny model
    pool: str = "synthetic"
    pool_size: int = 64
    # Synthetic pool by level, "level:count,..." (overrides pool_size; "": pool_size round robin). The default is
    # the testbed fixed in docs/method.md §7 before the comparison: levels the base model solves sometimes, with
    # 1-digit sums (q− at T = 0.6) and linear equations (q+) for both bands.
    pool_mix: str = "1:24,2:8,4:24,5:8"
    synthetic_seed: int = 0
    profile_rollouts: int = 16        # K, for the profile behind pairs_wgrpo and variance_profile
    history_epochs: int = 3           # epochs of the full-pool GRPO pass behind variance_hist
    history_batch: int = 16           # prompts per update in that pass
    eval_sets: str = "synthetic"      # evaluate.parse_eval_sets syntax
    heldout_size: int = 32            # problems of the synthetic held-out split (files: all)
    # Synthetic held-out by level (overrides heldout_size): levels with latent ability (pass@8 well above avg@8)
    # and the second-guess habit; 1-digit sums have only 16 held-out problems.
    heldout_mix: str = "1:16,2:32,4:96,5:96"
    eval_n: int = 8
    eval_ks: tuple[int, ...] = (1, 4, 8)
    eval_temperature: float = 0.6
    eval_top_p: float = 0.95
    # Other TrainConfig fields (alpha, beta, lr, ...). Rollouts at T = 0.6, as in the paper's recipe (1-shot RLVR).
    train_overrides: dict = field(default_factory=lambda: {"temperature": 0.6})
    # "k=v+k2=v2": extra pairs_wgrpo rows with those TrainConfig fields changed. By default the other readings of
    # Weighted GRPO (docs/method.md §4) and 4 groups per prompt, on the first two seeds (time; their intervals say so).
    ablations: tuple[str, ...] = ("advantage=relabel_group", "advantage=relabel_pooled", "advantage=relabel_drgrpo",
                                  "groups_per_prompt=4")
    ablation_seeds: tuple[int, ...] = (0, 1)  # the seeds ablation rows run on (a subset of seeds); (): all seeds
    verifier_address: str = ""        # "" → start the embedded verifier; else shared by the grid and its runs
    verifier_auth_token_file: str = ""
    verifier_tls_ca: str = ""

    def validate(self) -> None:
        from rlvr import trainer, verifier_client

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
        for name in ("steps", "eval_every", "profile_rollouts", "history_epochs", "history_batch", "eval_n"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        for name in ("pool_mix", "heldout_mix"):
            parse_mix(getattr(self, name), name)
        if self.steps % self.eval_every:
            raise ValueError(f"steps={self.steps} must be a multiple of eval_every={self.eval_every}")
        fields = {f.name for f in dataclasses.fields(trainer.TrainConfig)}
        for what, keys in [("train_overrides", self.train_overrides)] + [
                (f"ablation {a!r}", ablation_overrides(a)) for a in self.ablations]:
            bad = sorted(k for k in keys if k not in fields or k in _HARNESS_FIELDS)
            if bad:
                raise ValueError(f"{what}: {bad} are not TrainConfig fields the harness leaves open; the "
                                 f"harness sets {list(_HARNESS_FIELDS)} itself")
        for a in self.ablations:
            trainer.TrainConfig(**{**self.train_overrides, **ablation_overrides(a)}).validate()
        self.eval_config(0)  # k <= n and the sampling values
        verifier_client.connection_options(self.verifier_auth_token_file, self.verifier_tls_ca)

    def eval_config(self, seed: int) -> evaluate.EvalConfig:
        """Held-out sampling; the sampling seed is the run's seed, so methods are compared on paired samples."""
        return evaluate.EvalConfig(n=self.eval_n, ks=tuple(self.eval_ks), temperature=self.eval_temperature,
                                   top_p=self.eval_top_p, max_tokens=self.train_config_defaults().max_tokens,
                                   seed=seed, template=self.train_config_defaults().template)

    def train_config_defaults(self, overrides: dict | None = None):
        from rlvr import trainer

        return trainer.TrainConfig(**{**self.train_overrides, **(overrides or {})})

    def grid_cells(self) -> list[tuple[int, str]]:
        """(seed, row) in run order: per seed the methods, then one pairs_wgrpo[...] row per ablation (on
        ablation_seeds only)."""
        return [(s, m) for s in self.seeds for m in list(self.methods) + [
            ablation_label(a) for a in self.ablations if not self.ablation_seeds or s in self.ablation_seeds]]

    def eval_steps(self) -> list[int]:
        return list(range(0, self.steps + 1, self.eval_every))

    def history_steps(self, pool_size: int) -> int:
        return math.ceil(self.history_epochs * pool_size / self.history_batch)


ABLATED = "pairs_wgrpo"


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


def parse_overrides(items, what: str = "--train") -> dict:
    """["key=value", ...] → {TrainConfig field: value of the field's type}; ValueError naming the bad item."""
    from rlvr import trainer

    types = {f.name: type(getattr(trainer.TrainConfig(), f.name)) for f in dataclasses.fields(trainer.TrainConfig)}
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in types:
            raise ValueError(f"{what} item {item!r}: expected key=value with key a TrainConfig field "
                             f"({', '.join(sorted(types))})")
        try:
            out[key] = types[key](value) if types[key] is not bool else value.lower() in ("1", "true", "yes")
        except ValueError as e:
            raise ValueError(f"{what} {key}={value!r}: expected a {types[key].__name__}") from e
    return out


def ablation_overrides(spec: str) -> dict:
    """"alpha=1+beta=1" → {"alpha": 1.0, "beta": 1.0}."""
    return parse_overrides(spec.split("+"), what=f"ablation {spec!r}:")


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

def _write_json(path: str, obj: Any) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    evaluate.write_text_atomic(path, json.dumps(obj, indent=2) + "\n")


def _read_json(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _check_same_experiment(cfg: ExperimentConfig, path: str) -> None:
    """A re-run may add methods or seeds; anything else must match the finished runs' config."""
    mine = dataclasses.asdict(cfg)
    if os.path.exists(path):
        old = _read_json(path)["config"]
        free = ("methods", "ablations", "ablation_seeds", "seeds", "output_dir", "verifier_address", "verifier_auth_token_file", "verifier_tls_ca")
        differ = sorted(k for k in mine if k not in free and json.loads(json.dumps(mine[k])) != old.get(k))
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

            self._engine = RolloutEngine(self.model_dir, seed=0, max_model_len=self.train_defaults.max_model_len)
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
            return _read_json(done)["sets"]
        self.engine()  # evaluate_model swaps model_dir's weights into it
        return evaluate.evaluate_model(model_dir or self.model_dir, self.eval_sets, self.cfg.eval_config(seed),
                                       self.verifier, output_dir=out_dir, engine=self._engine,
                                       sources=self.eval_sources)["sets"]

    def profile(self, seed: int, path: str) -> str:
        """The base model's success profile of the pool for this seed (resumed by profile_pool if partial)."""
        from rlvr import profile, trainer

        if os.path.exists(path) and sum(1 for _ in data.read_jsonl(path)) == len(self.pool):
            return path  # complete: no engine needed (a finished grid re-summarises without vLLM)
        t = self.train_defaults
        settings = profile.ProfileSettings(k=self.cfg.profile_rollouts, temperature=t.temperature, top_p=t.top_p,
                                           max_tokens=t.max_tokens, seed=trainer.derived_seed(seed, "profile"),
                                           chunk_size=max(1, evaluate.PREFILL_TOKENS_PER_CALL //
                                                          (self.cfg.profile_rollouts * 64)))
        rows = profile.profile_pool(self.reset_to_base(), self.verifier, self.pool, settings, path,
                                    model=profile.model_key(self.model_dir),
                                    tokenizer=self._tokenizer if t.template == "auto" else None)
        if len(rows) != len(self.pool):
            raise RuntimeError(f"profile {path}: {len(rows)} rows for a pool of {len(self.pool)}")
        return path

    def train(self, run_dir: str, method: str, seed: int, steps: int, pool_batch: int = PROMPTS_PER_UPDATE,
              checkpoint_every: int | None = None, overrides: dict | None = None, **selection) -> dict:
        """One trainer run (resumed from its latest checkpoint if interrupted); returns its summary."""
        from rlvr import trainer

        summary = os.path.join(run_dir, "summary.json")
        if os.path.exists(summary):
            return _read_json(summary)
        resume = run_dir if os.path.isfile(os.path.join(run_dir, "checkpoints", "latest")) else ""
        if not resume and os.path.isdir(run_dir):  # interrupted before its first checkpoint: start it over
            shutil.rmtree(run_dir)
        every = checkpoint_every or steps
        tcfg = trainer.TrainConfig(
            **{**self.cfg.train_overrides, **(overrides or {})}, output_dir=run_dir, model_dir=self.model_dir, pool=self.pool_spec,
            pool_size=self.pool_limit, synthetic_seed=self.cfg.synthetic_seed, method=method, steps=steps,
            rollouts_per_prompt=self.cfg.rollouts_per_prompt, pool_batch=pool_batch, resume=resume,
            verifier_address=self.verifier.address, verifier_auth_token_file=self.cfg.verifier_auth_token_file,
            verifier_tls_ca=self.cfg.verifier_tls_ca, seed=seed, eval_every=steps, checkpoint_every=every,
            keep_checkpoints=steps // every + 1, profile_rollouts=self.cfg.profile_rollouts,
            heldout=self.trainer_heldout, heldout_size=min(16, self.cfg.heldout_size), **selection)
        # A child process per run: in-process vLLM and DeepSpeed keep process groups in module globals, and a
        # vLLM engine's teardown destroys the default group under DeepSpeed's cached ones, so a second run (or
        # this process's evaluation engine) in the same process fails. The child pays ~10 s of imports.
        env = {k: v for k, v in os.environ.items() if k not in _DIST_ENV}  # the child is its own world of one
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        proc = subprocess.run([sys.executable, "-c", _TRAIN_CHILD, json.dumps(dataclasses.asdict(tcfg))], env=env)
        if proc.returncode != 0 or not os.path.exists(summary):
            raise RuntimeError(f"training run {run_dir} failed (exit code {proc.returncode}); its log is above and "
                               f"in {run_dir}; re-run the same command to resume it")
        return _read_json(summary)


_DIST_ENV = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
_TRAIN_CHILD = ("import json, sys; from rlvr import runtime; runtime.setup(); from rlvr import trainer; "
                "trainer.train(trainer.TrainConfig(**json.loads(sys.argv[1])))")


def _checkpoint_dir(train_dir: str, step: int) -> str:
    return os.path.join(train_dir, "checkpoints", f"step_{step:06d}", "hf")


def _run_one(grid: _Grid, method: str, seed: int, seed_dir: str, base: dict) -> dict:
    """Trains (unless no_training) and evaluates one (method, seed); returns the DONE record."""
    cfg = grid.cfg
    run_dir = os.path.join(cfg.output_dir, "runs", method, f"seed{seed}")
    done_path = os.path.join(run_dir, "DONE")
    if os.path.exists(done_path):
        return _read_json(done_path)
    start = time.perf_counter()
    evals = {0: base}
    selection_cost = 0
    label, (method, overrides) = method, _split_label(method)
    if method != "no_training":
        selection: dict[str, str] = {}
        if method in ("pairs_wgrpo", "variance_profile"):
            selection["profile"] = grid.profile(seed, os.path.join(seed_dir, "profile.jsonl"))
            selection_cost = cfg.profile_rollouts * len(grid.pool)
        elif method == "variance_hist":
            hist_dir = os.path.join(seed_dir, "history")
            hist_steps = cfg.history_steps(len(grid.pool))
            grid.train(hist_dir, "pool_grpo", seed, hist_steps, pool_batch=cfg.history_batch)
            selection["history"] = os.path.join(hist_dir, "accuracy_by_epoch.json")
            selection_cost = hist_steps * cfg.history_batch * grid.train_defaults.groups_per_prompt * \
                cfg.rollouts_per_prompt
        train_dir = os.path.join(run_dir, "train")
        grid.train(train_dir, _TRAINER_METHOD[method], seed, cfg.steps, checkpoint_every=cfg.eval_every,
                   overrides=overrides, **selection)
        for step in cfg.eval_steps()[1:]:
            evals[step] = grid.evaluate(_checkpoint_dir(train_dir, step),
                                        os.path.join(run_dir, "eval", f"step_{step:06d}"), seed)
    record = {"method": label, "seed": seed, "evals": {str(k): v for k, v in evals.items()},
              "updates": 0 if method == "no_training" else cfg.steps,
              "training_rollouts": 0 if method == "no_training" else cfg.steps * PROMPTS_PER_UPDATE *
              cfg.train_config_defaults(overrides).groups_per_prompt * cfg.rollouts_per_prompt,
              "selection_rollouts": selection_cost, "wall_seconds": round(time.perf_counter() - start, 1)}
    _write_json(done_path, record)
    return record


def run_experiment(cfg: ExperimentConfig, command: str = "") -> dict:
    """Runs (or resumes) the grid, then writes summary.json/md, plots and report.md; returns the summary."""
    from tqdm import tqdm

    from rlvr import runtime, verifier_client

    cfg.validate()
    runtime.setup()
    if not cfg.output_dir:
        cfg.output_dir = os.path.join(str(runtime.cache_root()), "experiments", time.strftime("%Y%m%d-%H%M%S"))
    exp_path = os.path.join(cfg.output_dir, "experiment.json")
    _check_same_experiment(cfg, exp_path)
    _write_json(exp_path, {"config": dataclasses.asdict(cfg), "command": command})
    start = time.perf_counter()
    records = []
    with verifier_client.open_verifier(cfg.verifier_address or None, **verifier_client.connection_options(
            cfg.verifier_auth_token_file, cfg.verifier_tls_ca)) as verifier:
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
