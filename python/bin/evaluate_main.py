"""Evaluate a model on held-out sets: n samples per problem, verifier verdicts, unbiased pass@k and avg@n.

  bazel run //python:evaluate -- --model_dir=/models/Qwen2.5-Math-7B \
      --eval_sets=aime24,math500,amc23=/data/amc23.jsonl --n=64 --k=1,8,64
  bazel run //python:evaluate -- --model_dir=smollm2-135m --eval_sets=gsm8k:limit=16 --max_tokens=256
With no --model_dir the tiny model is used (built if missing); with no --verifier_address a verifier is started.
"""
import os
import sys

from absl import app, flags

from rlvr import console, runtime, verifier_flags

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(verifier_flags)  # --verifier_* in --help
flags.DEFINE_string("model_dir", None, "HF model dir, training run or checkpoint dir, or a named model "
                    "(smollm2-135m); default: the tiny model.")
flags.DEFINE_string("eval_sets", "synthetic", "Comma-separated benchmark specs (aime24, math500:limit=16, ...: "
                    "`bazel run //tools:benchmarks` lists them) or name=path (parquet/JSONL); 'synthetic' is the "
                    "built-in held-out split of the synthetic task.")
flags.DEFINE_integer("synthetic_seed", 0, "Seed of the synthetic task (must match the training run's).")
flags.DEFINE_integer("limit", None, "Evaluate only the first N problems of each set.")
flags.DEFINE_integer("n", 16, "Samples per problem.")
flags.DEFINE_list("k", ["1", "4", "16"], "k values of pass@k (each <= n).")
flags.DEFINE_float("temperature", 0.6, "Sampling temperature.")
flags.DEFINE_float("top_p", 0.95, "Nucleus sampling top_p.")
flags.DEFINE_integer("max_tokens", 64, "Maximum tokens per response.")
flags.DEFINE_enum("template", "auto", ["auto", "plain"], "Prompt template: auto = the tokenizer's chat template "
                  "when it has one (as training does), plain = none.")
flags.DEFINE_integer("seed", 0, "Sampling seed.")
flags.DEFINE_integer("max_model_len", 512, "vLLM max_model_len (prompt + response tokens).")
flags.DEFINE_string("output_dir", None, "Where results.json, results.md and verdict files go; "
                    "default: <model_dir>/eval.")


def main(argv):
    del argv
    console.configure()  # libraries quiet unless --verbosity is given
    runtime.setup()
    from rlvr import evaluate, models
    try:
        ks = tuple(int(k) for k in FLAGS.k)
    except ValueError:
        sys.exit(f"--k: expected comma-separated integers, got {FLAGS.k}")
    try:
        cfg = evaluate.EvalConfig(n=FLAGS.n, ks=ks, temperature=FLAGS.temperature, top_p=FLAGS.top_p,
                                  max_tokens=FLAGS.max_tokens, seed=FLAGS.seed, template=FLAGS.template)
        specs = evaluate.parse_eval_sets(FLAGS.eval_sets)
        sets = evaluate.load_eval_sets(specs, synthetic_seed=FLAGS.synthetic_seed, limit=FLAGS.limit)
        sources = evaluate.provenance(specs, sets, FLAGS.synthetic_seed)
        model_dir = models.resolve(FLAGS.model_dir)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")
    output_dir = FLAGS.output_dir or os.path.join(model_dir, "eval")
    try:
        verifier = verifier_flags.open_verifier()
    except ValueError as e:
        sys.exit(f"error: {e}")
    with verifier:
        results = evaluate.evaluate_model(model_dir, sets, cfg, verifier, output_dir=output_dir,
                                          max_model_len=FLAGS.max_model_len, sources=sources)
    print(evaluate.results_markdown(results))
    print(f"results: {os.path.join(output_dir, 'results.json')}")


if __name__ == "__main__":
    app.run(main)
