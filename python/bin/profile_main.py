"""Profile a prompt pool: K rollouts per prompt through vLLM, verified, p̂ and a Wilson interval per prompt.

  bazel run //python:profile                                   # tiny model, synthetic pool
  bazel run //python:profile -- --model_dir=/models/Qwen2.5-Math-1.5B --pool=/data/dsr_sub.parquet \
      --k=64 --max_tokens=3000 --max_model_len=4096 --output=/runs/profile.jsonl
Re-running with the same --output resumes: prompts already in the file are skipped. A file made with another
model, template or sampling settings is refused.
"""
import sys

from absl import app, flags

from rlvr import console, runtime, verifier_flags

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(verifier_flags)  # --verifier_* in --help
flags.DEFINE_string("model_dir", None, "HF model directory or a named model (smollm2-135m); default: the tiny "
                    "model (built if missing).")
flags.DEFINE_string("pool", None, "Pool file (.parquet/.jsonl/.json with problem + answer) or benchmark spec "
                    "(gsm8k_train:limit=64, math_train:level=3-5, ...); default: the train "
                    "split of the built-in synthetic task.")
flags.DEFINE_integer("limit", None, "Profile only the first N problems of the pool.")
flags.DEFINE_integer("synthetic_seed", 0, "Seed of the synthetic task (with no --pool).")
flags.DEFINE_integer("k", 16, "Rollouts per prompt.")
flags.DEFINE_float("temperature", 1.0, "Sampling temperature.")
flags.DEFINE_float("top_p", 1.0, "Nucleus sampling top_p.")
flags.DEFINE_integer("max_tokens", 64, "Maximum tokens per rollout.")
flags.DEFINE_integer("seed", 0, "Sampling seed (a prompt's rollouts depend only on it and the prompt).")
flags.DEFINE_float("delta", 0.05, "Wilson intervals at confidence 1 - delta.")
flags.DEFINE_integer("chunk_size", 32, "Prompts per batch and per checkpoint of the output file.")
flags.DEFINE_enum("template", "auto", ["auto", "plain"], "Prompt template: auto = the tokenizer's chat template "
                  "when it has one, plain = none.")
flags.DEFINE_integer("max_model_len", 1024, "vLLM max_model_len (prompt + rollout tokens).")
flags.DEFINE_string("output", "profile.jsonl", "Profile JSONL to write (and resume).")


def main(argv):
    del argv
    console.configure()  # libraries quiet unless --verbosity is given
    runtime.setup()
    from rlvr import benchmarks, models, profile, synthetic

    try:
        settings = profile.ProfileSettings(k=FLAGS.k, temperature=FLAGS.temperature, top_p=FLAGS.top_p,
                                           max_tokens=FLAGS.max_tokens, seed=FLAGS.seed, delta=FLAGS.delta,
                                           chunk_size=FLAGS.chunk_size)
        if FLAGS.pool:
            problems = benchmarks.load(FLAGS.pool, limit=FLAGS.limit)
        else:
            problems = synthetic.make_task(seed=FLAGS.synthetic_seed)[0][:FLAGS.limit]
        model_dir = models.resolve(FLAGS.model_dir)
        model = profile.model_key(model_dir)
        verifier = verifier_flags.open_verifier()
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")

    from rlvr.rollout import RolloutEngine

    engine = RolloutEngine(model_dir, seed=FLAGS.seed, max_model_len=FLAGS.max_model_len)
    tokenizer = engine.tokenizer if FLAGS.template == "auto" else None
    output = FLAGS.output
    with verifier:
        try:
            rows = profile.profile_pool(engine, verifier, problems, settings, output, model, tokenizer=tokenizer)
        except ValueError as e:
            sys.exit(f"error: {e}")
    print(profile.histogram(rows))
    print(f"profile: {output}")


if __name__ == "__main__":
    app.run(main)
