"""Profile a prompt pool: K rollouts per prompt through vLLM, verified, p̂ and a Wilson interval per prompt.

  bazel run //python:profile                                   # tiny model, synthetic pool
  bazel run //python:profile -- --model_dir=/models/Qwen2.5-Math-1.5B --pool=/data/dsr_sub.parquet \
      --k=64 --max_tokens=3000 --max_model_len=4096 --output=/runs/profile.jsonl
Re-running with the same --output resumes: prompts already in the file are skipped. A file made with another
model, template or sampling settings is refused. --nproc_per_node=N shares the prompts out over N ranks, each
with its own vLLM engine (the file is the same as one process writes).
"""
from rlvr import runtime

runtime.setup()  # before anything imports vllm: it reads the environment at import time

import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from absl import app  # noqa: E402

from rlvr import benchmarks, config, console, data, distributed, models, profile, synthetic  # noqa: E402
from rlvr.config import Hardware, arg, group  # noqa: E402
from rlvr.verifier_client import VerifierSpec  # noqa: E402


@dataclass
class Args:
    model_dir: str = arg("", "HF model directory or a named model (smollm2-135m); default: the tiny model (built "
                         "if missing).")
    pool: str = arg("", "Pool file (.parquet/.jsonl/.json with problem + answer) or benchmark spec "
                    "(gsm8k_train:limit=64, math_train:level=3-5, ...); default: the train split of the built-in "
                    "synthetic task.")
    limit: int = arg(0, "Profile only the first N problems of the pool (0: all).", min=0)
    synthetic_seed: int = arg(0, "Seed of the synthetic task (with no --pool).")
    settings: profile.ProfileSettings = group(profile.ProfileSettings)
    verifier: VerifierSpec = group(VerifierSpec, prefix="verifier_")
    template: str = arg("auto", "Prompt template: auto = the tokenizer's chat template when it has one, plain = "
                        "none.", choices=data.TEMPLATES)
    max_model_len: int = arg(1024, "vLLM max_model_len (prompt + rollout tokens).", min=1)
    hardware: Hardware = group(Hardware)
    output: str = arg("profile.jsonl", "Profile JSONL to write (and resume).")


config.define_flags(Args)


def main(argv):
    del argv
    console.configure()  # libraries quiet unless --verbosity is given
    try:
        args = config.parse(Args)
        if args.pool:
            problems = benchmarks.load(args.pool, limit=args.limit or None)
        else:
            problems = synthetic.make_task(seed=args.synthetic_seed)[0][:args.limit or None]
        model_dir = models.resolve(args.model_dir)
        model = profile.model_key(model_dir)
        verifier = args.verifier.open()
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")
    distributed.relaunch(args.hardware.nproc_per_node)  # as N ranks, when asked for and not one already
    world = distributed.join()

    from rlvr.rollout import RolloutEngine

    with verifier:
        try:  # ValueError: a device setting this machine cannot run, or a profile file of other settings
            engine = RolloutEngine(model_dir, seed=args.settings.seed, max_model_len=args.max_model_len,
                                   **args.hardware.vllm_kwargs())
            rows = profile.profile_pool(engine, verifier, problems, args.settings, args.output, model,
                                        tokenizer=data.template_tokenizer(args.template, engine.tokenizer),
                                        world=world)
        except ValueError as e:
            sys.exit(f"error: {e}")
    if world.is_main:
        print(profile.histogram(rows))
        print(f"profile: {args.output} ({world.size} rank(s))")


if __name__ == "__main__":
    app.run(main)
