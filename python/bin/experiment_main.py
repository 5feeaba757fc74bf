"""`bazel run //python:experiment`: the method comparison grid (pairs_wgrpo vs variance-selected GRPO, full-pool
GRPO and no training) over seeds under one budget; writes summary tables with 95 % CIs, plots and report.md.

  bazel run //python:experiment -- --output_dir=/tmp/exp              # the default grid (tiny model, synthetic)
  bazel run //python:experiment -- --quick --output_dir=/tmp/smoke    # a tiny grid for smoke tests
  bazel run //python:experiment -- --full --output_dir=/tmp/exp       # 16 seeds: ~5-point detectable differences
Re-running the same command resumes: finished runs (runs/<method>/seed<S>/DONE) are skipped.
Every flag but --quick and --train is a field of experiment.ExperimentConfig (its help is written there).
"""
from rlvr import runtime

runtime.setup()  # before anything imports vllm / deepspeed

import os  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402

from absl import app, flags  # noqa: E402

from rlvr import config, console, experiment  # noqa: E402

FLAGS = flags.FLAGS
config.define_flags(experiment.ExperimentConfig)
flags.DEFINE_bool("quick", False, "Smoke-test grid: 1 seed, 2 updates, small pool and held-out; flags given "
                  "explicitly still override it.")
flags.DEFINE_bool("full", False, "The default grid with 16 seeds (ablation rows on 8): a minimum detectable "
                  "difference of about 5 points on pass@8 as well as avg@8 (docs/method.md §8); about twice the "
                  "default's time.")
flags.DEFINE_list("train", [], "Other trainer settings as key=value (TrainConfig flags, e.g. "
                  "alpha=2,beta=2,lr=1e-4,p_low=0.3,p_high=0.7,pairing=resample,max_tokens=48).")


def main(argv):
    from rlvr import trainer

    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    console.configure()  # libraries quiet unless --verbosity is given
    if FLAGS.quick and FLAGS.full:
        raise app.UsageError("--quick and --full are exclusive")
    base = (experiment.quick_config("") if FLAGS.quick else experiment.full_config("") if FLAGS.full
            else experiment.ExperimentConfig())
    try:
        cfg = config.from_flags(experiment.ExperimentConfig, base=base)
        cfg.train_overrides = {**cfg.train_overrides, **config.parse_overrides(trainer.TrainConfig, FLAGS.train)}
        if not cfg.output_dir:
            cfg.output_dir = os.path.join(str(runtime.cache_root()), "experiments", "default-quick" if FLAGS.quick
                                          else "default-full" if FLAGS.full else "default")
        cfg.output_dir = os.path.abspath(cfg.output_dir)
        cfg.validate()
    except ValueError as e:
        raise app.UsageError(str(e)) from e
    args = [a for a in sys.argv[1:] if not a.startswith("--output_dir")] + [f"--output_dir={cfg.output_dir}"]
    command = "./bazelw run //python:experiment -- " + " ".join(shlex.quote(a) for a in args)
    summary = experiment.run_experiment(cfg, command=command)
    print(experiment.experiment_report.summary_markdown(cfg, summary))
    print(f"report: {os.path.join(cfg.output_dir, 'report.md')}")
    print(f"wall time of this invocation: {summary['wall_seconds'] / 60:.1f} min")


if __name__ == "__main__":
    app.run(main)
