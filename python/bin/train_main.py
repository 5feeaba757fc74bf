"""`bazel run //python:train`: profile → pair → Weighted GRPO with vLLM rollouts, the C++ verifier and DeepSpeed.

With no flags: a small complete run on the tiny model (shipped in the repository) and the synthetic task; ends with
what was trained, the held-out accuracy before and after (avg@8 at T = 0.6 with 95 % intervals; greedy with
--eval_n=1 --eval_temperature=0), the report's path and the TensorBoard command. Two ranks:
    torchrun --nproc_per_node=2 python/bin/train_main.py --output_dir=...
"""
from rlvr import runtime

runtime.setup()  # before anything imports vllm / deepspeed: they read the environment at import time

import dataclasses  # noqa: E402

from absl import app, flags  # noqa: E402

from rlvr import console, pairing, run_report, trainer, verifier_flags, weighted_grpo  # noqa: E402

_D = trainer.TrainConfig()
FLAGS = flags.FLAGS
flags.adopt_module_key_flags(verifier_flags)  # --verifier_* in --help
flags.DEFINE_string("model_dir", _D.model_dir, "Hugging Face model dir or named model (smollm2-135m); empty: "
                    "the tiny model, built on first use.")
flags.DEFINE_string("pool", _D.pool, "Prompt pool (.parquet/.jsonl/.json with problem + answer), "
                    "benchmark spec (gsm8k_train:limit=64; `bazel run //tools:benchmarks` lists them) or 'synthetic'.")
flags.DEFINE_string("heldout", _D.heldout, "Held-out set file, benchmark spec (gsm8k:limit=32) or "
                    "'synthetic' (the synthetic task's held-out split).")
flags.DEFINE_integer("pool_size", _D.pool_size, "Synthetic pool size; for files, the first N problems (0: all).")
flags.DEFINE_integer("heldout_size", _D.heldout_size, "Held-out problems evaluated (0: all of a file).")
flags.DEFINE_integer("synthetic_seed", _D.synthetic_seed, "Seed of the synthetic task.")
flags.DEFINE_enum("template", _D.template, ["auto", "plain"], "Prompt template: the tokenizer's chat template "
                  "when it has one ('auto') or never ('plain').")
flags.DEFINE_enum("method", _D.method, list(trainer.METHODS), "Prompt selection and objective.")
flags.DEFINE_integer("steps", _D.steps, "Number of updates.")
flags.DEFINE_integer("rollouts_per_prompt", _D.rollouts_per_prompt, "G: responses sampled per prompt per update.")
flags.DEFINE_integer("groups_per_prompt", _D.groups_per_prompt, "C: each chosen prompt is C GRPO groups of G "
                     "rollouts per update (1-shot RLVR's duplicated rows); 1: one group per prompt.")
flags.DEFINE_integer("pool_batch", _D.pool_batch, "pool_grpo: prompts per update.")
flags.DEFINE_enum("pairing", _D.pairing, list(pairing.STRATEGIES), "pairs_wgrpo: how (q+, q-) is chosen.")
flags.DEFINE_enum("pair_rule", _D.pair_rule, list(pairing.RULES), "Band edge on p-hat ('point') or on the "
                  "Wilson bound ('interval').")
flags.DEFINE_float("p_low", _D.p_low, "q+ band: 0 < p <= p_low.")
flags.DEFINE_float("p_high", _D.p_high, "q- band: p_high <= p < 1.")
flags.DEFINE_float("online_decay", _D.online_decay, "pairing=online: decay of the per-prompt success counts.")
flags.DEFINE_string("profile", _D.profile, "Profile JSONL to pair from; empty: profile the pool first.")
flags.DEFINE_integer("profile_rollouts", _D.profile_rollouts, "K: rollouts per prompt when profiling.")
flags.DEFINE_string("history", _D.history, "variance_grpo: accuracy_by_epoch.json of a pool_grpo run "
                    "(historical variance); empty: rank by the profile's p(1-p).")
flags.DEFINE_float("alpha", _D.alpha, "Weight of successes on q+ (alpha = beta = 1 is plain GRPO).")
flags.DEFINE_float("beta", _D.beta, "Weight of failures on q-.")
flags.DEFINE_enum("advantage", _D.advantage, list(weighted_grpo.ADV_ESTIMATORS), "Advantage estimator: grpo "
                  "(std-normalised per group) or drgrpo (centred only), both with the pair weights alpha, beta "
                  "(Weighted GRPO's loss-weight reading); relabel_group / relabel_pooled / relabel_drgrpo: q- "
                  "failures rewarded -relabel_lambda, normalised per group (= GRPO), over the pair, or without std.")
flags.DEFINE_float("relabel_lambda", _D.relabel_lambda, "lambda of the relabel estimators (reward of a q- failure "
                   "is -lambda).")
flags.DEFINE_string("loss_agg", _D.loss_agg, f"Loss normaliser, one of {list(weighted_grpo.LOSS_AGGREGATIONS)} "
                    "(token: mean over generated tokens; constant: B * max_tokens, Dr.GRPO); empty: the "
                    "estimator's own (grpo: token, drgrpo: constant).")
flags.DEFINE_float("clip_eps", _D.clip_eps, "PPO ratio clip.")
flags.DEFINE_float("beta_kl", _D.beta_kl, "KL penalty to the initial model (0: off).")
flags.DEFINE_float("beta_h", _D.beta_h, "Entropy bonus (0: off).")
flags.DEFINE_float("temperature", _D.temperature, "Sampling temperature of rollouts and profiling.")
flags.DEFINE_float("top_p", _D.top_p, "Nucleus sampling threshold.")
flags.DEFINE_integer("max_tokens", _D.max_tokens, "Maximum response length in tokens.")
flags.DEFINE_integer("max_model_len", _D.max_model_len, "vLLM context length (prompt + response).")
flags.DEFINE_string("ds_config", _D.ds_config, "DeepSpeed JSON config; empty: python/configs/ds_cpu.json.")
flags.DEFINE_float("lr", _D.lr, "Learning rate; 0: the DeepSpeed config's.")
flags.DEFINE_integer("micro_batch_size", _D.micro_batch_size, "Responses per forward/backward pass on a rank, "
                     "gradients accumulated into one optimiser step per update; 0: a rank's whole shard at once.")
flags.DEFINE_bool("gradient_checkpointing", _D.gradient_checkpointing, "Recompute activations during backward "
                  "(less memory for long responses, ~1/3 more compute).")
flags.DEFINE_integer("eval_every", _D.eval_every, "Held-out evaluation every N updates (also before and after).")
flags.DEFINE_integer("eval_n", _D.eval_n, "Samples per held-out problem.")
flags.DEFINE_float("eval_temperature", _D.eval_temperature, "Held-out sampling temperature (0: greedy).")
flags.DEFINE_integer("checkpoint_every", _D.checkpoint_every, "Checkpoint every N updates (and at the end).")
flags.DEFINE_integer("keep_checkpoints", _D.keep_checkpoints, "Checkpoints kept (oldest removed).")
flags.DEFINE_string("output_dir", _D.output_dir, "Run directory; empty: <cache>/runs/<method>-<date-time>.")
flags.DEFINE_string("resume", _D.resume, "Resume from a run dir (its latest checkpoint) or a checkpoint dir.")
flags.DEFINE_float("verifier_retry_s", _D.verifier_retry_s, "Seconds a call waits for an unavailable verifier "
                   "(e.g. one being restarted), retrying with backoff, before the run fails.")
flags.DEFINE_float("max_ungraded_share", _D.max_ungraded_share, "Warn once when more than this share of an "
                   "update's responses get NO_ANSWER, UNPARSEABLE, TIMEOUT or INVALID (a zero reward that says "
                   "nothing about the answer); the verdict/* metrics count them every update.")
flags.DEFINE_integer("seed", _D.seed, "Seed of everything random in the run.")
flags.DEFINE_integer("threads", _D.threads, "Torch threads per rank (trainer and in-process vLLM); 0: cores / ranks. "
                     "Raise it for real models on an otherwise idle machine.")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    console.configure()  # libraries quiet unless --verbosity is given
    values = {f.name: getattr(FLAGS, f.name) for f in dataclasses.fields(trainer.TrainConfig) if f.name in FLAGS}
    cfg = trainer.TrainConfig(**values)
    try:
        cfg.validate()  # bad settings and missing files fail here, before anything heavy starts
    except (ValueError, FileNotFoundError) as e:
        raise app.UsageError(str(e)) from e
    summary = trainer.train(cfg)
    if summary:  # rank 0
        print("\n".join(run_report.final_lines(summary)))


if __name__ == "__main__":
    app.run(main)
