"""Evaluate a model on held-out sets: n samples per problem, verifier verdicts, unbiased pass@k and avg@n.

  bazel run //python:evaluate -- --model_dir=/models/Qwen2.5-Math-7B \
      --eval_sets=aime24,math500,amc23=/data/amc23.jsonl --n=64 --k=1,8,64
  bazel run //python:evaluate -- --model_dir=smollm2-135m --eval_sets=gsm8k:limit=16 --max_tokens=256
With no --model_dir the tiny model is used (built if missing); with no --verifier_address a verifier is started.
--nproc_per_node=N shares the problems out over N ranks, each with its own vLLM engine and verifier client.
"""
from rlvr import runtime

runtime.setup()  # before anything imports vllm: it reads the environment at import time

import os  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from absl import app  # noqa: E402

from rlvr import config, console, distributed, evaluate, models  # noqa: E402
from rlvr.config import Hardware, arg, group  # noqa: E402
from rlvr.verifier_client import VerifierSpec  # noqa: E402


@dataclass
class Args:
    model_dir: str = arg("", "HF model dir, training run or checkpoint dir, or a named model (smollm2-135m); "
                         "default: the tiny model.")
    eval_sets: str = arg(evaluate.SYNTHETIC, "Comma-separated benchmark specs (aime24, math500:limit=16, ...: "
                         "`bazel run //tools:benchmarks` lists them) or name=path (parquet/JSONL); 'synthetic' is "
                         "the built-in held-out split of the synthetic task.")
    synthetic_seed: int = arg(0, "Seed of the synthetic task (must match the training run's).")
    limit: int = arg(0, "Evaluate only the first N problems of each set (0: all).", min=0)
    eval: evaluate.EvalConfig = group(evaluate.EvalConfig)
    max_model_len: int = arg(512, "vLLM max_model_len (prompt + response tokens).", min=1)
    hardware: Hardware = group(Hardware)
    output_dir: str = arg("", "Where results.json, results.md and verdict files go; default: <model_dir>/eval.")
    verifier: VerifierSpec = group(VerifierSpec, prefix="verifier_")


config.define_flags(Args)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    console.configure()  # libraries quiet unless --verbosity is given
    try:
        args = config.parse(Args)
        specs = evaluate.parse_eval_sets(args.eval_sets)
        sets = evaluate.load_eval_sets(specs, synthetic_seed=args.synthetic_seed, limit=args.limit or None)
        sources = evaluate.provenance(specs, sets, args.synthetic_seed)
        model_dir = models.resolve(args.model_dir)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")
    output_dir = args.output_dir or os.path.join(model_dir, "eval")
    distributed.relaunch(args.hardware.nproc_per_node)  # as N ranks, when asked for and not one already
    world = distributed.join()
    with args.verifier.open() as verifier:
        try:
            results = evaluate.evaluate_model(model_dir, sets, args.eval, verifier, output_dir=output_dir,
                                              max_model_len=args.max_model_len, sources=sources, world=world,
                                              engine_kwargs=args.hardware.vllm_kwargs())
        except ValueError as e:  # e.g. a device setting this machine cannot run, named by the engine
            sys.exit(f"error: {e}")
    if world.is_main:
        print(evaluate.results_markdown(results))
        print(f"results: {os.path.join(output_dir, 'results.json')}")


if __name__ == "__main__":
    app.run(main)
