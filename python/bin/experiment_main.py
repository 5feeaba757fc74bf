"""`bazel run //python:experiment`: the method comparison grid (pairs_wgrpo vs variance-selected GRPO, full-pool
GRPO and no training) over seeds under one budget; writes summary tables with 95 % CIs, plots and report.md.

  bazel run //python:experiment -- --output_dir=/tmp/exp              # the default grid (tiny model, synthetic)
  bazel run //python:experiment -- --quick --output_dir=/tmp/smoke    # a tiny grid for smoke tests
  bazel run //python:experiment -- --full --output_dir=/tmp/exp       # 16 seeds: ~5-point detectable differences
Re-running the same command resumes: finished runs (runs/<method>/seed<S>/DONE) are skipped.
"""
from rlvr import runtime

runtime.setup()  # before anything imports vllm / deepspeed

import os  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402

from absl import app, flags  # noqa: E402

from rlvr import console, experiment, verifier_flags  # noqa: E402

_D = experiment.ExperimentConfig()
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(verifier_flags)  # --verifier_* in --help
flags.DEFINE_bool("quick", False, "Smoke-test grid: 1 seed, 2 updates, small pool and held-out; flags given "
                  "explicitly still override it.")
flags.DEFINE_bool("full", False, "The default grid with 16 seeds (ablation rows on 8): a minimum detectable "
                  "difference of about 5 points on pass@8 as well as avg@8 (docs/method.md §8); about twice the "
                  "default's time.")
flags.DEFINE_string("output_dir", _D.output_dir, "Experiment directory; empty: <cache>/experiments/<date-time>. "
                    "Re-use it to resume.")
flags.DEFINE_list("methods", list(_D.methods), f"Subset of {list(experiment.METHODS)}.")
flags.DEFINE_list("seeds", [str(s) for s in _D.seeds], "Training seeds (one run per method and seed).")
flags.DEFINE_integer("steps", _D.steps, "Updates per training run (the same for every method).")
flags.DEFINE_integer("eval_every", _D.eval_every, "Evaluate checkpoints every N updates (steps must be a multiple).")
flags.DEFINE_integer("rollouts_per_prompt", _D.rollouts_per_prompt, "G: rollouts per prompt per update.")
flags.DEFINE_string("model_dir", _D.model_dir, "HF model dir or named model (smollm2-135m); empty: the tiny "
                    "model (built on first use).")
flags.DEFINE_string("pool", _D.pool, "Prompt pool file (.parquet/.jsonl/.json), benchmark spec "
                    "(gsm8k_train:limit=64; `bazel run //tools:benchmarks` lists them) or 'synthetic'.")
flags.DEFINE_integer("pool_size", _D.pool_size, "Synthetic pool size; for files, the first N problems (0: all).")
flags.DEFINE_integer("synthetic_seed", _D.synthetic_seed, "Seed of the synthetic task (the same for every run).")
flags.DEFINE_integer("profile_rollouts", _D.profile_rollouts, "K: rollouts per prompt when profiling the pool.")
flags.DEFINE_integer("history_epochs", _D.history_epochs, "Epochs of the full-pool GRPO pass behind "
                     "variance_hist's historical-variance ranking.")
flags.DEFINE_integer("history_batch", _D.history_batch, "Prompts per update in that pass.")
flags.DEFINE_string("eval_sets", _D.eval_sets, "Held-out sets: benchmark specs (gsm8k:limit=32) or "
                    "name=path, comma-separated, or 'synthetic'.")
flags.DEFINE_integer("heldout_size", _D.heldout_size, "Problems in the synthetic held-out split.")
flags.DEFINE_string("pool_mix", _D.pool_mix, "Synthetic pool by level, 'level:count,...' (overrides --pool_size); "
                    "empty: --pool_size problems, levels round robin.")
flags.DEFINE_string("heldout_mix", _D.heldout_mix, "Synthetic held-out set by level, 'level:count,...' (overrides "
                    "--heldout_size).")
flags.DEFINE_integer("n", _D.eval_n, "Samples per held-out problem.")
flags.DEFINE_list("k", [str(k) for k in _D.eval_ks], "k values of pass@k (each <= n).")
flags.DEFINE_float("temperature", _D.eval_temperature, "Held-out sampling temperature.")
flags.DEFINE_float("top_p", _D.eval_top_p, "Held-out nucleus sampling top_p.")
flags.DEFINE_list("ablations", list(_D.ablations), "Extra pairs_wgrpo rows, each 'key=value[+key=value]' of "
                  "TrainConfig fields, e.g. advantage=drgrpo,alpha=1+beta=1 (row pairs_wgrpo[advantage=drgrpo], ...).")
flags.DEFINE_list("ablation_seeds", [str(x) for x in _D.ablation_seeds], "Seeds the ablation rows run on "
                  "(a subset of --seeds); empty: all.")
flags.DEFINE_list("train", [], "Other trainer settings as key=value (TrainConfig fields, e.g. "
                  "alpha=2,beta=2,lr=1e-4,p_low=0.3,p_high=0.7,pairing=resample,max_tokens=48).")

# flag name -> ExperimentConfig field, for the flags whose names differ
_FIELD = {"n": "eval_n", "k": "eval_ks", "temperature": "eval_temperature", "top_p": "eval_top_p",
          "train": "train_overrides"}


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    console.configure()  # libraries quiet unless --verbosity is given
    if FLAGS.quick and FLAGS.full:
        raise app.UsageError("--quick and --full are exclusive")
    cfg = (experiment.quick_config(FLAGS.output_dir) if FLAGS.quick else experiment.full_config(FLAGS.output_dir)
           if FLAGS.full else experiment.ExperimentConfig())
    for name in FLAGS:
        field = _FIELD.get(name, name)
        if not FLAGS[name].present or not hasattr(cfg, field):
            continue
        value = FLAGS[name].value
        if name == "train":
            try:
                value = {**cfg.train_overrides, **experiment.parse_overrides(value)}
            except ValueError as e:
                raise app.UsageError(str(e)) from e
        elif name in ("seeds", "k", "ablation_seeds"):
            try:
                value = tuple(int(v) for v in value)
            except ValueError as e:
                raise app.UsageError(f"--{name}: expected comma-separated integers, got {value}") from e
        elif name in ("methods", "ablations"):
            value = tuple(value)
        setattr(cfg, field, value)
    if not cfg.output_dir:
        cfg.output_dir = os.path.join(str(runtime.cache_root()), "experiments", "default-quick" if FLAGS.quick
                                      else "default-full" if FLAGS.full else "default")
    cfg.output_dir = os.path.abspath(cfg.output_dir)
    args = [a for a in sys.argv[1:] if not a.startswith("--output_dir")] + [f"--output_dir={cfg.output_dir}"]
    command = "./bazelw run //python:experiment -- " + " ".join(shlex.quote(a) for a in args)
    try:
        cfg.validate()
    except ValueError as e:
        raise app.UsageError(str(e)) from e
    summary = experiment.run_experiment(cfg, command=command)
    print(experiment.experiment_report.summary_markdown(cfg, summary))
    print(f"report: {os.path.join(cfg.output_dir, 'report.md')}")
    print(f"wall time of this invocation: {summary['wall_seconds'] / 60:.1f} min")


if __name__ == "__main__":
    app.run(main)
