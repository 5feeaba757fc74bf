"""Turn a GGUF file into a standard Hugging Face model directory (config, fp32 safetensors, tokenizer with its
chat template, generation config) through transformers' GGUF loader.

  bazel run //tools:import_gguf -- --gguf=/models/model.Q4_1.gguf --output=/models/model-hf
  bazel run //tools:import_gguf -- --name=smollm2-135m        # the packaged SmolLM2, into the cache
Re-running with the same file and --output does nothing (the output records the file's sha256). Every binary's
`--model_dir=smollm2-135m` imports the packaged model the same way on first use.
"""
import sys

from absl import app, flags

from rlvr import runtime

FLAGS = flags.FLAGS
flags.DEFINE_string("gguf", None, "The GGUF file to import.")
flags.DEFINE_string("output", None, "The HF model directory to write (new, empty, or an earlier import).")
flags.DEFINE_string("name", None, "A named model (smollm2-135m) to import into the cache instead.")
flags.DEFINE_bool("force", False, "Import again even if --output holds an import of the same file.")


def main(argv):
    del argv
    runtime.setup()
    from rlvr import models

    try:
        if FLAGS.name:
            if FLAGS.name.lower() not in models.NAMED:
                sys.exit(f"error: --name {FLAGS.name!r}: known names are {', '.join(models.NAMED)}")
            print(models.resolve(FLAGS.name))
            return
        if not FLAGS.gguf or not FLAGS.output:
            sys.exit("error: give --gguf=<file> and --output=<dir>, or --name=<named model>")
        done = models.import_gguf(FLAGS.gguf, FLAGS.output, force=FLAGS.force)
    except (ValueError, FileNotFoundError, FileExistsError) as e:
        sys.exit(f"error: {e}")
    print(f"{'imported' if done else 'already imported'}: {FLAGS.output}", file=sys.stderr)
    print(FLAGS.output)


if __name__ == "__main__":
    app.run(main)
