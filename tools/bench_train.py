"""Seconds per training update, by phase, on 1 and on 2 data-parallel ranks, and the same update done by TRL's
GRPOTrainer, as ratios.

    bazel run //tools:bench_train [-- --steps=16 --rollouts_per_prompt=8 --max_tokens=48 --ranks=1,2]

Both sides run on the tiny model (built on first use), in child processes of this run, on the same batch: the
(q+, q−) pair our trainer picked (fixed pairing), G responses each, the same max_tokens, temperature and lr,
binary rewards from the same C++ verifier, one optimiser step per batch, token-level loss, the same KL
coefficient to the initial model (TRL: loss_type="dapo", scale_rewards="group", beta=--beta_kl — its GRPO with our
defaults). Ours samples with vLLM and trains with DeepSpeed; TRL samples with transformers' generate (its vLLM
modes target GPUs) and trains with its Trainer. The first update of each side is warm-up and excluded from the
means. Both sides report seconds per update by phase (TRL's from its own profiling contexts: generate, reward,
and the rest of its step). Ours runs once per --ranks entry (torch.distributed.run; each rank samples, verifies and
trains its share of the same batch): phases are rank 0's, with its rollout tokens/s; TRL is compared with the
first entry. Both sides end a response at EOS, so the lengths each happens to sample move its time (a batch waits
for its longest response): the report gives each side's generated tokens per update, and the ratio per token too.
A third child times the update's arithmetic alone as a floor for both update phases: the policy's forward and
backward, the reference forward and one AdamW step on the same rows in plain PyTorch (no DeepSpeed, no trainer),
with prompts shared by their rows as our update runs them and over whole sequences as TRL's does.

TRL, accelerate and datasets are pinned in requirements.txt as benchmark dependencies, so every fresh venv
measures the ratio.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 16, "Updates per side (the first is warm-up).")
flags.DEFINE_integer("rollouts_per_prompt", 8, "G: responses per prompt.")
flags.DEFINE_integer("max_tokens", 48, "Maximum response length.")
flags.DEFINE_float("lr", 1e-4, "Learning rate of both sides.")
flags.DEFINE_float("beta_kl", 0.05, "KL coefficient to the initial model, both sides (our trainer's default).")
flags.DEFINE_integer("seed", 0, "Seed of both sides.")
flags.DEFINE_string("model_dir", "", "Model of both sides; empty: the tiny model (built on first use).")
flags.DEFINE_integer("threads", 1, "Torch threads of both sides (0: all cores).")
flags.DEFINE_float("p_low", 0.3, "q+ band of our trainer's pair.")
flags.DEFINE_float("p_high", 0.7, "q- band of our trainer's pair.")
flags.DEFINE_enum("side", "both", ["both", "ours", "trl", "floor"], "Internal: which side this process runs.")
flags.DEFINE_integer("floor_length", 0, "Internal: response length of the update-arithmetic floor.")
flags.DEFINE_string("result", "", "Internal: where a side writes its JSON result.")
flags.DEFINE_string("pair", "", "Internal: the comma-separated problem ids TRL trains on.")
flags.DEFINE_list("ranks", ["1", "2"], "Rank counts our trainer runs with, on the same config.")


def _run_ours(out: str) -> dict:
    from rlvr import config, trainer

    run_dir = os.path.join(out, f"ours-{os.environ.get('WORLD_SIZE', '1')}")  # torchrun sets it for every rank
    cfg = config.build(trainer.TrainConfig, dict(
        output_dir=run_dir, model_dir=FLAGS.model_dir, threads=FLAGS.threads, steps=FLAGS.steps,
        rollouts_per_prompt=FLAGS.rollouts_per_prompt, max_tokens=FLAGS.max_tokens, lr=FLAGS.lr,
        beta_kl=FLAGS.beta_kl, seed=FLAGS.seed, pairing="fixed", p_low=FLAGS.p_low, p_high=FLAGS.p_high,
        heldout_size=16, eval_every=10 ** 6, checkpoint_every=10 ** 6))
    start = time.perf_counter()
    summary = trainer.train(cfg)
    if not summary:  # not rank 0
        return {}
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        updates = [r for r in map(json.loads, f) if r["kind"] == "update"]
    timed = updates[1:] or updates
    phases = [k for k in timed[0] if k.startswith("time/")]  # in loop order
    return {"model_dir": summary["model_dir"], "pair": updates[0]["prompts"], "ranks": summary["world_size"],
            "phases": {k[5:]: statistics.mean(r[k] for r in timed) for k in phases},
            "tokens_per_s": statistics.mean(r["speed/rollout_tokens_per_s"] for r in timed),
            "tokens_per_update": statistics.mean(r["response_len"] for r in timed) * len(updates[0]["prompts"])
            * FLAGS.rollouts_per_prompt,
            "per_update": statistics.mean(sum(r[k] for k in phases) for r in timed),
            "wall": time.perf_counter() - start}


def _pair_prompts(model_dir: str, pair: list[str]):
    """The tokenizer, and the pair's (prompt, gold answer) as our trainer renders them (the synthetic pool our
    side trained on); sets this process's torch threads."""
    import torch
    import transformers

    from rlvr import data, synthetic

    if FLAGS.threads:
        torch.set_num_threads(FLAGS.threads)
    pool = {p.id: p for p in synthetic.make_task(seed=0, n_train=64, n_heldout=0)[0]}
    tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
    return tokenizer, [(data.format_prompt(pool[i].problem, tokenizer), pool[i].answer) for i in pair]


def _run_trl(out: str, model_dir: str, pair: list[str]) -> dict:
    import datasets
    import transformers
    import trl
    import trl.extras.profiling  # trl's lazy module does not expose `extras` as an attribute

    from rlvr.verifier_client import open_verifier

    tokenizer, rows = _pair_prompts(model_dir, pair)
    rows = [{"prompt": prompt, "answer": answer} for prompt, answer in rows]
    dataset = datasets.Dataset.from_list(rows * (FLAGS.steps + 1))
    verifier = open_verifier()

    def reward(prompts, completions, answer, **_):
        return [float(v.correct) for v in verifier.verify(list(completions), list(answer))]

    step_times: list[float] = []
    phase_times: list[dict[str, float]] = []  # per step: seconds inside TRL's profiling contexts, by name
    log_metrics = trl.extras.profiling.ProfilingContext._log_metrics

    def record(context, duration):
        if phase_times:
            phase_times[-1][context.name] = phase_times[-1].get(context.name, 0.0) + duration
        log_metrics(context, duration)

    trl.extras.profiling.ProfilingContext._log_metrics = record

    class Timer(transformers.TrainerCallback):
        def on_step_begin(self, *_, **__):
            phase_times.append({})
            self.t = time.perf_counter()

        def on_step_end(self, *_, **__):
            step_times.append(time.perf_counter() - self.t)

    g = FLAGS.rollouts_per_prompt
    args = trl.GRPOConfig(
        output_dir=os.path.join(out, "trl"), use_cpu=True, per_device_train_batch_size=len(pair) * g,
        num_generations=g, max_completion_length=FLAGS.max_tokens, temperature=1.0, top_p=1.0,
        learning_rate=FLAGS.lr, max_steps=FLAGS.steps, beta=FLAGS.beta_kl, loss_type="dapo", scale_rewards="group",
        shuffle_dataset=False, logging_steps=1, report_to="none", save_strategy="no", seed=FLAGS.seed,
        bf16=False, dataloader_num_workers=0)
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype="float32")
    start = time.perf_counter()
    grpo = trl.GRPOTrainer(model=model, reward_funcs=reward, args=args, train_dataset=dataset,
                           processing_class=tokenizer, callbacks=[Timer()])
    grpo.train()
    verifier.close()
    timed = step_times[1:] or step_times
    named = phase_times[1:len(step_times)] or phase_times[:len(step_times)]
    # TRL names its contexts "<trainer class>.<what>": generation, and the reward function by its __name__.
    rollout = statistics.mean(p.get("GRPOTrainer.transformers.generate", 0.0) for p in named)
    verify = statistics.mean(p.get(f"GRPOTrainer.{reward.__name__}", 0.0) for p in named)
    phases = {"rollout": rollout, "verify": verify, "update+rest": statistics.mean(timed) - rollout - verify}
    lengths = [h["completions/mean_length"] for h in grpo.state.log_history if "completions/mean_length" in h]
    return {"per_update": statistics.mean(timed), "phases": phases, "wall": time.perf_counter() - start,
            "tokens_per_update": statistics.mean(lengths[1:] or lengths) * len(pair) * g,
            "versions": {"trl": trl.__version__, "transformers": transformers.__version__}}


def _run_floor(model_dir: str, pair: list[str], length: int) -> dict:
    """The update's arithmetic alone, as a peer of both sides' update phases: the policy's forward and backward
    over the batch's rows (G responses of `length` tokens per prompt of the pair), the reference model's forward,
    our loss (weighted_grpo.policy_loss with the KL term) and one fused AdamW step, in plain PyTorch on the HF
    model: no DeepSpeed, no trainer loop. Once with the prompt shared by its rows (our update's passes) and once
    over whole sequences (TRL's)."""
    import copy

    import torch
    import transformers

    from rlvr import trainer, weighted_grpo

    tokenizer, rows = _pair_prompts(model_dir, pair)
    prompts = [tokenizer.encode(prompt) for prompt, _ in rows for _ in range(FLAGS.rollouts_per_prompt)]
    gen = torch.Generator().manual_seed(FLAGS.seed)
    responses = [torch.randint(3, tokenizer.vocab_size, (length,), generator=gen).tolist() for _ in prompts]
    mask = trainer._length_mask([length] * len(responses))
    advantages, weights = torch.ones(len(prompts)), torch.ones(len(prompts))
    result = {}
    for name, share in (("shared prompts", True), ("whole sequences", False)):
        model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype="float32")
        ref = copy.deepcopy(model).eval()
        optimizer = torch.optim.AdamW(model.parameters(), lr=FLAGS.lr, fused=True)
        times = []
        for _ in range(FLAGS.steps):
            start = time.perf_counter()
            logprobs = trainer.response_logprobs(model, prompts, responses, 1.0, 0, share_prompts=share)[0]
            with torch.no_grad():
                ref_logprobs = trainer.response_logprobs(ref, prompts, responses, 1.0, 0, share_prompts=share)[0]
            loss, _ = weighted_grpo.policy_loss(logprobs, logprobs.detach(), mask, advantages, weights,
                                                ref_logprobs=ref_logprobs, beta_kl=FLAGS.beta_kl)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            times.append(time.perf_counter() - start)
        result[name] = statistics.mean(times[1:] or times)
    return result


def _child(side: str, what: str, out: str, model_dir: str, extra: list[str], ranks: int = 1) -> dict:
    """Runs one side in a child process and returns its result; exits naming `what` if the child failed."""
    result = os.path.join(out, f"{side}-{ranks}.json")
    launcher = ["-m", "torch.distributed.run", f"--nproc_per_node={ranks}", "--standalone"] if ranks > 1 else []
    cmd = [sys.executable, *launcher, os.path.abspath(__file__), f"--side={side}", f"--result={result}",
           f"--steps={FLAGS.steps}", f"--rollouts_per_prompt={FLAGS.rollouts_per_prompt}",
           f"--max_tokens={FLAGS.max_tokens}", f"--lr={FLAGS.lr}", f"--beta_kl={FLAGS.beta_kl}", f"--seed={FLAGS.seed}",
           f"--model_dir={model_dir}", f"--threads={FLAGS.threads}", f"--p_low={FLAGS.p_low}",
           f"--p_high={FLAGS.p_high}", *extra]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        sys.exit(f"{what} failed: {last}\n{proc.stderr[-3000:]}")
    with open(result) as f:
        return json.load(f)


def main(argv):
    del argv
    from rlvr import runtime

    runtime.setup()
    if FLAGS.side != "both":
        out = os.path.dirname(FLAGS.result)
        if FLAGS.side == "ours":
            res = _run_ours(out)
        elif FLAGS.side == "floor":
            res = _run_floor(FLAGS.model_dir, FLAGS.pair.split(","), FLAGS.floor_length)
        else:
            res = _run_trl(out, FLAGS.model_dir, FLAGS.pair.split(","))
        if res:  # rank 0 of our side, or TRL
            with open(FLAGS.result, "w") as f:
                json.dump(res, f)
        return

    with tempfile.TemporaryDirectory(prefix="bench_train-") as out:
        runs = []
        for ranks in map(int, FLAGS.ranks):
            runs.append(_child("ours", f"our trainer on {ranks} rank(s)", out, FLAGS.model_dir, [], ranks))
        first = runs[0]
        print(f"batch: 2 prompts x G={FLAGS.rollouts_per_prompt}, max_tokens={FLAGS.max_tokens}, "
              f"beta_kl={FLAGS.beta_kl}, {FLAGS.steps} updates (first excluded), model {first['model_dir']}")
        print("ours (vLLM rollouts + C++ verifier + DeepSpeed), seconds per update by phase (rank 0):")
        head = "".join(f"{str(r['ranks']) + ' rank(s)':>12}" for r in runs)
        ratio = f"{str(runs[-1]['ranks']) + ' / ' + str(first['ranks']):>10}" if len(runs) > 1 else ""
        print(f"  {'':<12}{head}{ratio}")
        phases = list(dict.fromkeys(k for r in runs for k in r["phases"]))
        rows = [(p, [r["phases"].get(p, 0.0) for r in runs]) for p in phases]
        rows += [("total", [r["per_update"] for r in runs]), ("tokens/s/rank", [r["tokens_per_s"] for r in runs])]
        for name, values in rows:
            cells = "".join(f"{v:12.3f}" for v in values)
            last = f"{values[-1] / values[0]:9.2f}x" if len(runs) > 1 and values[0] >= 1e-3 else ""
            print(f"  {name:<12}{cells}{last}")
        print("  (whole runs incl. start-up, profiling, 2 evaluations: " +
              ", ".join(f"{r['wall']:.1f} s on {r['ranks']}" for r in runs) + ")")
        theirs = _child("trl", "TRL GRPOTrainer", out, first["model_dir"], [f"--pair={','.join(first['pair'])}"])
        print(f"TRL {theirs['versions']['trl']} GRPOTrainer (transformers generate), seconds per update by phase:")
        for phase, sec in theirs["phases"].items():
            print(f"  {phase:<12} {sec:8.3f}")
        print(f"  {'total':<12} {theirs['per_update']:8.3f}")
        print(f"ours ({first['ranks']} rank(s)) / TRL time per update: "
              f"{first['per_update'] / theirs['per_update']:.2f}x (TRL / ours: {theirs['per_update'] / first['per_update']:.2f}x)")
        # Both sides stop each response at EOS, so the tokens they happened to sample set much of their time.
        ours_tok, trl_tok = first["tokens_per_update"], theirs["tokens_per_update"]
        print(f"generated tokens per update: ours {ours_tok:.0f}, TRL {trl_tok:.0f}; ours / TRL time per generated "
              f"token: {first['per_update'] / ours_tok / (theirs['per_update'] / trl_tok):.2f}x")
        length = max(1, round(ours_tok / (len(first["pair"]) * FLAGS.rollouts_per_prompt)))
        floor = _child("floor", "the update floor", out, first["model_dir"], [f"--pair={','.join(first['pair'])}",
                                                                              f"--floor_length={length}"])
        print(f"update arithmetic alone (PyTorch + AdamW on the HF model, no DeepSpeed; the same rows, {length}-token "
              f"responses): " + ", ".join(f"{name} {sec:.3f} s" for name, sec in floor.items()))
        print(f"  our update / its floor (shared prompts): {first['phases']['update'] / floor['shared prompts']:.2f}x; "
              f"TRL's update+rest / its floor (whole sequences): "
              f"{theirs['phases']['update+rest'] / floor['whole sequences']:.2f}x")


if __name__ == "__main__":
    app.run(main)
