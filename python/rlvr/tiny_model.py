"""The tiny Qwen2 the default run trains: built from scratch, briefly supervised on the synthetic task, cached.

Why supervise it at all: pairing needs prompts the model solves sometimes (q+: rarely, q-: usually). A random
init solves nothing, so the builder teaches it the answer format and some arithmetic until its sampled success
rates spread across (0, 1): easy levels high, hard levels low but not zero.

Why it is taught a bad habit: a share of its supervised completions second-guess a right answer and box a wrong
one after it ("... \\boxed{17}. Wait, \\boxed{23}."; the last box counts). That makes easy prompts brittle and
gives RL something to fix that transfers across prompts (stop after the first answer), much as few-prompt RLVR on
real models is reported to improve general behaviour (answer format, self-checking) more than knowledge. Without
it the tiny model's only
headroom is per-problem arithmetic, which no method moves in a few updates (measured: every method within 0.5
points of the base model).

Pieces (all saved with save_pretrained so transformers and vLLM load the directory offline):
  - a byte-level BPE trained here on the synthetic task's prompts and answers (digits split one per token,
    like Qwen2's own tokenizer, so numbers share parts), no chat template: `data.format_prompt` then uses its
    plain template, the same text the model was supervised on;
  - a Qwen2 config with untied embeddings (vLLM's CPU weight reload leaves a tied lm_head stale);
  - a few thousand AdamW steps on train-side problems ("The answer is \\boxed{17}." after the prompt, sometimes
    followed by a second guess, below).

This module is the recipe: the config and the code that turn it into weights. `tiny_model_store` finds the model
(cache, the copy shipped in the repository, or a build) by a hash of this recipe, so any edit here (or in
synthetic.py) needs the shipped copy rebuilt: `./bazelw run //tools:make_tiny_model -- --ship`.
"""
from __future__ import annotations

import dataclasses
import json
import math
import random
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from rlvr import data, runtime, synthetic

REPORT_FILE = "build_report.json"
EOS, PAD = "<|endoftext|>", "<|pad|>"
TRACE_STEPS = 16  # losses of the first supervised steps, kept in the report: a re-run of them checks the recipe


@dataclass(frozen=True)
class TinyModelConfig:
    # Architecture.
    vocab_size: int = 768
    hidden_size: int = 128
    num_layers: int = 4
    num_heads: int = 4
    num_kv_heads: int = 2
    intermediate_size: int = 384
    max_position_embeddings: int = 1024
    # Supervision.
    seed: int = 0                # synthetic task seed (its train pool is in the data) and torch seed
    steps: int = 2400            # 1200 left levels 2-3 near 0 even greedy: too little to lose or regain
    batch_size: int = 32
    lr: float = 3e-3
    warmup_steps: int = 30
    weight_decay: float = 0.01
    # Share of fresh practice problems per level (1..8): easy levels get more, so they are learnt within the
    # budget while hard ones stay rare successes.
    level_weights: tuple[int, ...] = (4, 3, 3, 2, 2, 2, 1, 1)
    pool_exposures: int = 24     # times a level-1 train-pool problem is seen (fewer for harder levels)
    beta2: float = 0.95
    second_guess_share: float = 0.4  # supervised completions that box a wrong answer after the right one
    tokenizer_corpus: int = 4000  # practice problems the BPE is trained on
    threads: int = 0             # 0: auto (see build_threads); speed only (1 and 2 threads gave bit-identical
                                 # weights), so not in the recipe hash
    # The builder's own quick check on the held-out split.
    check_samples: int = 8       # sampled completions per problem (temperature 1.0)
    max_new_tokens: int = 24


def build_threads(cfg: TinyModelConfig) -> int:
    """cfg.threads, or when 0: 2 threads on an idle machine, 1 when other work already keeps the cores busy
    (two spinning OpenMP threads on a loaded 2-core machine made supervision 10x+ slower here)."""
    if cfg.threads:
        return cfg.threads
    cores = len(os.sched_getaffinity(0))
    return min(2, cores) if os.getloadavg()[0] < cores - 0.5 else 1


def completion(answer: str, second_guess: str | None = None) -> str:
    """The supervised target after the prompt (the prompt ends with 'Answer:'); with `second_guess`, the habit
    of boxing another answer after the right one."""
    text = f" The answer is \\boxed{{{answer}}}."
    return text if second_guess is None else f"{text} Wait, \\boxed{{{second_guess}}}."


def training_problems(cfg: TinyModelConfig, train: list[data.Problem]) -> list[data.Problem]:
    """steps x batch_size supervised problems, shuffled: fresh train-side practice problems plus the train pool.

    Pool problems repeat more the easier their level (pool_exposures for level 1 down to about an eighth of it
    for the hardest): the pool is what profiling measures, and graded exposure is what spreads its success
    rates from near 1 (easy) to low but non-zero (hard)."""
    pool = [p for p in train for _ in range(round(cfg.pool_exposures * (synthetic.LEVELS + 1 - p.level)
                                                  / synthetic.LEVELS))]
    n_practice = cfg.steps * cfg.batch_size - len(pool)
    if n_practice < 0:
        raise ValueError(f"steps x batch_size = {cfg.steps * cfg.batch_size} is smaller than the "
                         f"{len(pool)} train-pool exposures; raise steps or lower pool_exposures")
    if len(cfg.level_weights) != synthetic.LEVELS or min(cfg.level_weights) < 1:
        raise ValueError(f"level_weights needs {synthetic.LEVELS} weights >= 1, got {cfg.level_weights}")
    levels = tuple(level for level, w in enumerate(cfg.level_weights, 1) for _ in range(w))
    problems = synthetic.practice_problems(cfg.seed, n_practice, levels=levels) + pool
    random.Random(cfg.seed).shuffle(problems)
    return problems


def _train_tokenizer(cfg: TinyModelConfig, texts: list[str]):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=cfg.vocab_size, special_tokens=[EOS, PAD], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD,
                                   model_max_length=cfg.max_position_embeddings)


def completions(cfg: TinyModelConfig, problems: list[data.Problem]) -> list[str]:
    """The supervised completion of each problem: a `second_guess_share` of them second-guess with the answer
    of another problem of the same level (a plausible wrong value in the right form)."""
    rng = random.Random(cfg.seed + 1)
    by_level: dict[int, list[str]] = defaultdict(list)
    for p in problems:
        by_level[p.level].append(p.answer)
    out = []
    for p in problems:
        wrong = None
        if rng.random() < cfg.second_guess_share:
            wrong = rng.choice(by_level[p.level])
            while wrong == p.answer and len(set(by_level[p.level])) > 1:
                wrong = rng.choice(by_level[p.level])
        out.append(completion(p.answer, None if wrong == p.answer else wrong))
    return out


def _encode(tokenizer, problems: list[data.Problem], targets: list[str]) -> list[tuple[list[int], int]]:
    """(prompt ids + completion ids + eos, prompt length) per problem; prompt and completion are tokenized
    apart, exactly as a sampler sees them (it tokenizes the prompt alone and appends generated tokens)."""
    out = []
    for p, text in zip(problems, targets):
        prompt = tokenizer(data.format_prompt(p.problem), add_special_tokens=False)["input_ids"]
        target = tokenizer(text, add_special_tokens=False)["input_ids"]
        out.append((prompt + target + [tokenizer.eos_token_id], len(prompt)))
    return out


def _batch(examples, pad_id: int):
    import torch

    width = max(len(ids) for ids, _ in examples)
    input_ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), -100, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, (ids, n_prompt) in enumerate(examples):
        input_ids[row, :len(ids)] = torch.tensor(ids)
        labels[row, n_prompt:len(ids)] = torch.tensor(ids[n_prompt:])  # loss on the completion only
        mask[row, :len(ids)] = 1
    return input_ids, labels, mask


def _supervise(cfg: TinyModelConfig, model, tokenizer, problems: list[data.Problem], targets: list[str],
               steps: int | None = None) -> list[float]:
    """AdamW with linear warm-up and cosine decay over cfg.steps; runs the first `steps` of them (default: all)
    and returns each step's loss."""
    import torch
    from tqdm import tqdm

    steps = cfg.steps if steps is None else steps
    n = steps * cfg.batch_size  # tokenize only what the steps use (a check of the first steps runs in seconds)
    examples = _encode(tokenizer, problems[:n], targets[:n])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, cfg.beta2), weight_decay=cfg.weight_decay)

    def lr_scale(step: int) -> float:
        if step < cfg.warmup_steps:
            return (step + 1) / cfg.warmup_steps
        return 0.5 * (1 + math.cos(math.pi * (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_scale)
    model.train()
    losses: list[float] = []
    bar = tqdm(range(steps), desc="tiny model: supervising", file=sys.stderr, mininterval=2.0)
    for step in bar:
        chunk = examples[step * cfg.batch_size:(step + 1) * cfg.batch_size]
        input_ids, labels, mask = _batch(chunk, tokenizer.pad_token_id)
        loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)  # shown at the bar's own pace
    model.eval()
    return losses


def boxed_string_match(text: str, gold: str) -> bool:
    """The builder's own quick check: the last \\boxed{} content equals the gold string exactly. Not the
    verifier (the C++ service decides equivalence for training and evaluation)."""
    try:
        return data.last_boxed(text) == gold
    except ValueError:
        return False


def sample_success(model, tokenizer, problems: list[data.Problem], n: int, temperature: float,
                   max_new_tokens: int, batch_size: int = 256) -> list[float]:
    """Per-problem fraction of `n` completions whose boxed answer string-matches the gold (HF generate)."""
    import torch

    prompts = [data.format_prompt(p.problem) for p in problems for _ in range(n)]
    hits: list[bool] = []
    for start in range(0, len(prompts), batch_size):
        chunk = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in prompts[start:start + batch_size]]
        width = max(map(len, chunk))
        ids = torch.tensor([[tokenizer.pad_token_id] * (width - len(c)) + c for c in chunk])  # left-padded
        mask = torch.tensor([[0] * (width - len(c)) + [1] * len(c) for c in chunk])
        with torch.no_grad():
            kwargs = dict(do_sample=True, temperature=temperature, top_p=1.0, top_k=0) if temperature > 0 \
                else dict(do_sample=False)
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens,
                                 pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                                 **kwargs)
        texts = tokenizer.batch_decode(out[:, width:], skip_special_tokens=True)
        golds = [problems[(start + i) // n].answer for i in range(len(texts))]
        hits += [boxed_string_match(t, g) for t, g in zip(texts, golds)]
    return [sum(hits[i * n:(i + 1) * n]) / n for i in range(len(problems))]


def _per_level(problems: list[data.Problem], rates: list[float]) -> dict[int, float]:
    by_level: dict[int, list[float]] = defaultdict(list)
    for p, r in zip(problems, rates):
        by_level[p.level].append(r)
    return {level: sum(v) / len(v) for level, v in sorted(by_level.items())}


def _untrained(cfg: TinyModelConfig):
    """The recipe up to the first supervised step: (train, held-out, practice problems, their completions,
    tokenizer, freshly initialised model). Seeds torch: call it with the recipe's thread count in effect."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(cfg.seed)
    train, heldout = synthetic.make_task(seed=cfg.seed)
    practice = training_problems(cfg, train)
    targets = completions(cfg, practice)
    tokenizer = _train_tokenizer(cfg, [data.format_prompt(p.problem) + t for p, t in
                                       zip(practice[:cfg.tokenizer_corpus], targets)])
    model_cfg = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=cfg.hidden_size, num_hidden_layers=cfg.num_layers,
        num_attention_heads=cfg.num_heads, num_key_value_heads=cfg.num_kv_heads,
        intermediate_size=cfg.intermediate_size, max_position_embeddings=cfg.max_position_embeddings,
        tie_word_embeddings=False, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None, dtype="float32")
    return train, heldout, practice, targets, tokenizer, Qwen2ForCausalLM(model_cfg)


def first_losses(cfg: TinyModelConfig, steps: int = TRACE_STEPS, threads: int = 1) -> tuple[list[float], object]:
    """The recipe's first `steps` supervised losses, and its tokenizer: what a build's report records as
    `first_losses`, recomputed in seconds (how tests check shipped weights against the current recipe)."""
    with runtime.torch_threads(threads):
        _, _, practice, targets, tokenizer, model = _untrained(cfg)
        return _supervise(cfg, model, tokenizer, practice, targets, steps=steps), tokenizer


def library_versions() -> dict[str, str]:
    """The libraries whose numerics make the weights (a build with others may differ in the last bits)."""
    import tokenizers
    import torch
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__}


def build(cfg: TinyModelConfig, out_dir: str) -> dict:
    """Builds, supervises, checks and saves the tiny model into `out_dir`; returns (and saves) the report."""
    from transformers import GenerationConfig

    start = time.time()
    threads = build_threads(cfg)
    with runtime.torch_threads(threads):
        train, heldout, practice, targets, tokenizer, model = _untrained(cfg)
        losses = _supervise(cfg, model, tokenizer, practice, targets)
        supervise_secs = time.time() - start

        greedy = sample_success(model, tokenizer, heldout, 1, 0.0, cfg.max_new_tokens)
        sampled = sample_success(model, tokenizer, heldout, cfg.check_samples, 1.0, cfg.max_new_tokens)
        pool = sample_success(model, tokenizer, train, cfg.check_samples, 1.0, cfg.max_new_tokens)

    model.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id,
                                               pad_token_id=tokenizer.pad_token_id)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    g, s, t = _per_level(heldout, greedy), _per_level(heldout, sampled), _per_level(train, pool)
    report = {
        "config": dataclasses.asdict(cfg),
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocab_size": len(tokenizer),
        "final_loss": sum(losses[-20:]) / len(losses[-20:]),
        "first_losses": losses[:TRACE_STEPS],
        "supervise_seconds": supervise_secs,
        "threads": threads,
        "versions": library_versions(),
        "build_seconds": time.time() - start,
        "check": f"boxed string match, not the verifier; sampled = temperature 1.0, n={cfg.check_samples}",
        "by_level": {level: {"name": synthetic.LEVEL_NAMES[level - 1], "heldout_greedy": g[level],
                             "heldout_sampled": s[level], "pool_sampled": t[level]} for level in g},
        "pool_size": len(train),
        "pool_strictly_between_0_and_1": sum(0 < r < 1 for r in pool),
    }
    with open(os.path.join(out_dir, REPORT_FILE), "w") as f:
        json.dump(report, f, indent=2)
    print(report_text(report), file=sys.stderr)
    return report


def report_text(report: dict) -> str:
    """The build report as a small table (accuracy by level)."""
    lines = [f"tiny model: {report['parameters']:,} parameters, vocab {report['vocab_size']}, final loss "
             f"{report['final_loss']:.3f}, supervised in {report['supervise_seconds']:.0f} s ({report['threads']} "
             f"threads), built in "
             f"{report['build_seconds']:.0f} s",
             f"accuracy by level ({report['check']}):",
             f"  {'level':<24} {'held-out greedy':>15} {'held-out sampled':>16} {'pool sampled':>12}"]
    for level, r in report["by_level"].items():
        lines.append(f"  L{level} {r['name']:<21} {r['heldout_greedy']:15.2f} {r['heldout_sampled']:16.2f} "
                     f"{r['pool_sampled']:12.2f}")
    lines.append(f"pool problems with 0 < p < 1: {report['pool_strictly_between_0_and_1']} of {report['pool_size']}")
    return "\n".join(lines)
