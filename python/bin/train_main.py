"""`bazel run //python:train`: profile → pair → Weighted GRPO with vLLM rollouts, the C++ verifier and DeepSpeed.

With no flags: a small complete run on the tiny model (shipped in the repository) and the synthetic task; ends with
what was trained, the held-out accuracy before and after (avg@8 at T = 0.6 with 95 % intervals; greedy with
--eval_n=1 --eval_temperature=0), the report's path and the TensorBoard command. Two ranks on this machine:
    bazel run //python:train -- --nproc_per_node=2
(the binary re-runs itself through torch.distributed.run; several machines: docs/scaling.md).
Every flag is a field of trainer.TrainConfig (its help is written there).
"""
from rlvr import runtime

runtime.setup()  # before anything imports vllm / deepspeed: they read the environment at import time

from absl import app  # noqa: E402

from rlvr import config, console, distributed, run_report, trainer  # noqa: E402

config.define_flags(trainer.TrainConfig)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    console.configure()  # libraries quiet unless --verbosity is given
    cfg = config.from_flags(trainer.TrainConfig)
    try:
        cfg.validate()  # bad settings and missing files fail here, before anything heavy starts
    except (ValueError, FileNotFoundError) as e:
        raise app.UsageError(str(e)) from e
    distributed.relaunch(cfg.hardware.nproc_per_node)  # as N ranks, when asked for and not one already
    summary = trainer.train(cfg)
    if summary:  # rank 0
        print("\n".join(run_report.final_lines(summary)))


if __name__ == "__main__":
    app.run(main)
