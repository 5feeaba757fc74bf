"""Build (or find in the cache) the tiny Qwen2 supervised on the synthetic task; prints its directory.

  bazel run //tools:make_tiny_model                 # the default model every default run uses
  bazel run //tools:make_tiny_model -- --force      # rebuild it even if cached
Progress and the per-level accuracy check go to stderr; the model directory is the only line on stdout.
"""
import dataclasses

from absl import app, flags

from rlvr import runtime

FLAGS = flags.FLAGS
flags.DEFINE_integer("seed", None, "Synthetic task seed and torch seed (default: the builder's default).")
flags.DEFINE_integer("steps", None, "Supervised steps (default: the builder's default).")
flags.DEFINE_string("cache_dir", None, "Cache root (default: $RLVR_CACHE_DIR, else ~/.cache/rlvr).")
flags.DEFINE_bool("force", False, "Rebuild even when a cached model exists.")


def main(argv):
    del argv
    runtime.setup()
    from rlvr import tiny_model

    overrides = {k: v for k, v in (("seed", FLAGS.seed), ("steps", FLAGS.steps)) if v is not None}
    cfg = dataclasses.replace(tiny_model.TinyModelConfig(), **overrides)
    print(tiny_model.ensure_tiny_model(cfg, cache_dir=FLAGS.cache_dir, force=FLAGS.force))


if __name__ == "__main__":
    app.run(main)
