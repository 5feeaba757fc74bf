"""Find (cache, shipped copy) or build the tiny Qwen2 supervised on the synthetic task; prints its directory.

  bazel run //tools:make_tiny_model                 # the default model every default run uses
  bazel run //tools:make_tiny_model -- --force      # rebuild it even if cached or shipped (minutes)
  bazel run //tools:make_tiny_model -- --ship       # after a recipe change: build, then rewrite the shipped copy
                                                    # (python/models/tiny/) in the source tree; commit it
Progress and the per-level accuracy check go to stderr; the model directory is the only line on stdout.
"""
import dataclasses
import os
import sys

from absl import app, flags

from rlvr import runtime

FLAGS = flags.FLAGS
flags.DEFINE_integer("seed", None, "Synthetic task seed and torch seed (default: the builder's default).")
flags.DEFINE_integer("steps", None, "Supervised steps (default: the builder's default).")
flags.DEFINE_string("cache_dir", None, "Cache root (default: $RLVR_CACHE_DIR, else ~/.cache/rlvr).")
flags.DEFINE_bool("force", False, "Rebuild even when a cached or shipped model matches the recipe.")
flags.DEFINE_bool("ship", False, "Copy the model into the source tree's python/models/tiny/ (the copy every fresh "
                  "clone uses). Only for the default recipe.")


def main(argv):
    del argv
    runtime.setup()
    from rlvr import tiny_model, tiny_model_store

    overrides = {k: v for k, v in (("seed", FLAGS.seed), ("steps", FLAGS.steps)) if v is not None}
    if FLAGS.ship and overrides:
        raise app.UsageError("--ship ships the default recipe only; drop --seed/--steps (or change the defaults "
                             "in python/rlvr/tiny_model.py)")
    cfg = dataclasses.replace(tiny_model.TinyModelConfig(), **overrides)
    model_dir = tiny_model_store.ensure_tiny_model(cfg, cache_dir=FLAGS.cache_dir, force=FLAGS.force)
    if FLAGS.ship:
        # `bazel run` names the source tree; run directly, the repository this file is in.
        repo = os.environ.get("BUILD_WORKSPACE_DIRECTORY") or os.path.dirname(os.path.dirname(os.path.abspath(
            __file__)))
        print(f"shipped: {tiny_model_store.ship(model_dir, repo)} (commit it)", file=sys.stderr)
    print(model_dir)


if __name__ == "__main__":
    app.run(main)
