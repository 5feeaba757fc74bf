"""The RLVR training loop: choose prompts → vLLM rollouts → verify → Weighted GRPO update (DeepSpeed) → sync.

One update, in order (each phase is timed and logged as `time/<phase>`):
    select    prompts for this update from the method's Selector (selection.py: pairs, variance picks, pool walk)
    rollout   C·G samples per prompt from the RolloutEngine, seeded by (seed, step)    (every rank, own share)
    verify    binary rewards from the C++ verifier, then one all-gather of every
              response's verdict and length                                            (every rank, own share)
    update    advantages and pair weights (weighted_grpo), per-token logprobs from the DeepSpeed model, the
              clipped loss, engine.backward/step per micro-batch, one optimiser step   (every rank, own share)
              (with --enable_sleep_mode the vLLM engine sleeps through it, its GPU memory released)
    sync      the updated weights into the running vLLM engine, in place; wakes it     (every rank)

Choices this module makes (docs/ARCHITECTURE.md has the contracts it relies on):
- Old logprobs: recomputed by the trainer model before the update, in the same forward pass and detached. We take
  one optimiser step per rollout batch, so these equal the current policy's exactly and ρ = 1 at the step (the
  PPO clip is inert, as in on-policy GRPO); vLLM's sampler logprobs differ from the trainer's by kernel round-off,
  so using them would inject noise into ρ. They serve as a health check instead: `sync/logprob_gap` is the mean
  |vLLM − trainer| logprob at temperature 1 over the tokens of each prompt's first response on each rank (the only
  ones the sampler returns logprobs for: they cost a fifth of sampling time), which jumps if a weight sync goes
  wrong.
- The policy is the model at the sampling temperature (logits / T), the distribution the samples came from.
- Ranks (data parallel; `--nproc_per_node`, or torchrun / the DeepSpeed launcher): every rank holds a vLLM engine
  and a verifier client, runs the same selector (same state, same picks: scoring checks that ranks agree), samples
  and verifies its share of the update (distributed.shards: whole GRPO groups when there are at least as many as
  ranks) and trains on exactly those responses, its loss rescaled so that DeepSpeed's gradient mean equals the full
  batch's loss. Only verdicts and lengths cross ranks (the advantages and the normaliser need every group's
  rewards); token ids stay where they were sampled. Response seeds depend on (seed, step, prompt, copy, index), so
  N ranks draw the 1-rank batch and reach its weights up to float round-off (tested). Profiling and held-out
  evaluation are shared out the same way. Ranks finish by comparing weight digests (all-gathered) and fail
  loudly if they ever differ.
- Shape: train() is setup (`_setup`: world, run dir, data, engines, selector) / loop (`_step` per update) / finish
  (`_finish`: digests, report). The run directory's layout and checkpoints belong to rundir.RunDir.
- Exact resume: a checkpoint holds the DeepSpeed state (model + optimiser), RNG states, the selector's state_dict,
  the step and the run's history; every random choice after that is derived from (seed, step), so a resumed run
  samples, trains and logs exactly what the uninterrupted run would (tested, timings aside).
- DeepSpeed's config comes from a JSON file (configs/ds_cpu.json: ZeRO-2, torch's fused AdamW — `torch_adam`
  avoids JIT-compiling DeepSpeed's fused Adam op on CPU). `lr` here overrides the file's optimiser lr, and
  `--dtype` writes its bf16/fp16 sections. On one rank the trainer runs ZeRO stage 0 (nothing to partition),
  unless the file offloads.
- The loss scores response tokens only (response_logprobs): the rows of a prompt run it once through HF's KV cache
  and then only their response tokens, so logits, softmaxes and the entropy never cover prompt positions; under
  gradient checkpointing (no cache) whole sequences run, the vocabulary projected from the first response position
  on (HF's logits_to_keep). The reference model always takes the policy's passes.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass

import numpy as np

from rlvr import (benchmarks, config, data, distributed, evaluate, files, models, pairing, provenance, run_report,
                  rundir, runtime, scoring, seeds, selection, synthetic, verdict_monitor, weighted_grpo)
from rlvr.config import Hardware, Sampling, arg, group
from rlvr.verifier_client import VerifierSpec

SYNTHETIC = "synthetic"
DEFAULT_DS_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs",
                                 "ds_cpu.json")


@dataclass
class TrainConfig:
    """Every setting of a training run, with its flag help (`//python:train` generates its flags from it); the
    flat view (`config.flat`) is saved as the run's config.json."""
    output_dir: str = arg("", "Run directory; empty: <cache>/runs/<method>-<date-time>.")
    model_dir: str = arg("", "Hugging Face model dir or named model (smollm2-135m); empty: the tiny model, built on "
                         "first use.")
    pool: str = arg(SYNTHETIC, "Prompt pool (.parquet/.jsonl/.json with problem + answer), benchmark spec "
                    "(gsm8k_train:limit=64; `bazel run //tools:benchmarks` lists them) or 'synthetic'.")
    heldout: str = arg(SYNTHETIC, "Held-out set file, benchmark spec (gsm8k:limit=32) or 'synthetic' (the synthetic "
                       "task's held-out split).")
    synthetic_seed: int = arg(0, "Seed of the synthetic task.")
    pool_size: int = arg(64, "Synthetic pool size; for files, the first N problems (0: all).", min=0)
    heldout_size: int = arg(64, "Held-out problems evaluated (0: all of a file).", min=0)
    template: str = arg("auto", "Prompt template: the tokenizer's chat template when it has one ('auto') or never "
                        "('plain').", choices=data.TEMPLATES)
    method: str = arg(selection.PAIRS, "Prompt selection (selection.SELECTORS).",
                      choices=lambda: tuple(selection.SELECTORS))
    steps: int = arg(50, "Number of updates.", min=1)
    rollouts_per_prompt: int = arg(8, "G: responses sampled per prompt per update.")
    groups_per_prompt: int = arg(1, "C: each chosen prompt is C GRPO groups of G rollouts per update (1-shot RLVR's "
                                 "duplicated rows); 1: one group per prompt.", min=1)
    pool_batch: int = arg(4, "pool_grpo: prompts per update.", min=1)
    # pairing (pairs_wgrpo) and profiling
    pairing: str = arg("resample", "pairs_wgrpo: how (q+, q-) is chosen.", choices=pairing.STRATEGIES)
    pair_rule: str = arg("point", "Band edge on p-hat ('point') or on the Wilson bound ('interval').",
                         choices=lambda: pairing.RULES)  # a lambda: the field above shadows the module here
    p_low: float = arg(0.3, "q+ band: 0 < p <= p_low.")
    p_high: float = arg(0.7, "q- band: p_high <= p < 1.")
    online_decay: float = arg(0.75, "pairing=online: decay of the per-prompt success counts.")
    profile: str = arg("", "Profile JSONL to pair from; empty: profile the pool first (written to the run dir).")
    profile_rollouts: int = arg(16, "K: rollouts per prompt when profiling.", min=1)
    history: str = arg("", "variance_grpo: accuracy_by_epoch.json of a pool_grpo run (historical variance); empty: "
                       "rank by the profile's p(1-p).")
    # Weighted GRPO
    alpha: float = arg(2.0, "Weight of successes on q+ (alpha = beta = 1 is plain GRPO).")
    beta: float = arg(2.0, "Weight of failures on q-.")
    advantage: str = arg("grpo", "Advantage estimator (weighted_grpo.ADV_ESTIMATORS): grpo (std-normalised per "
                         "group) or drgrpo (centred only), both with the pair weights alpha, beta (Weighted GRPO's "
                         "loss-weight reading); relabel_group / relabel_pooled / relabel_drgrpo: q- failures "
                         "rewarded -relabel_lambda, normalised per group (= GRPO), over the pair, or without std.",
                         choices=lambda: tuple(weighted_grpo.ADV_ESTIMATORS))
    relabel_lambda: float = arg(1.0, "lambda of the relabel estimators (reward of a q- failure is -lambda).", min=0.0)
    loss_agg: str = arg("", "Loss normaliser (weighted_grpo.LOSS_AGGREGATIONS): token (mean over generated tokens) "
                        "or constant (B * max_tokens, Dr.GRPO); empty: the estimator's own (grpo: token, drgrpo: "
                        "constant).", choices=lambda: ("", *weighted_grpo.LOSS_AGGREGATIONS))
    clip_eps: float = arg(0.2, "PPO ratio clip.")
    # k3 KL to the initial model: the tiny model keeps its arithmetic while RL fixes its habit (one run, lr 2e-4,
    # 36 updates: held-out 20.5% -> 25.8%; without KL the same run fell to 12% at update 30 before recovering to 24%)
    beta_kl: float = arg(0.05, "KL penalty to the initial model (0: off).", min=0.0)
    beta_h: float = arg(0.0, "Entropy bonus (0: off).", min=0.0)
    sampling: Sampling = group(Sampling, max_tokens=48)  # rollouts and profiling: --temperature, --top_p, ...
    max_model_len: int = arg(512, "vLLM context length (prompt + response).", min=1)
    hardware: Hardware = group(Hardware)  # --nproc_per_node, --gpu_memory_utilization, --dtype, ...
    # optimisation
    ds_config: str = arg("", "DeepSpeed JSON config; empty: python/configs/ds_cpu.json.")
    lr: float = arg(0.0, "Learning rate; 0: the DeepSpeed config's.", min=0.0)
    micro_batch_size: int = arg(0, "Responses per forward/backward pass on a rank, gradients accumulated into one "
                                "optimiser step per update; 0: a rank's whole shard at once.", min=0)
    gradient_checkpointing: bool = arg(False, "Recompute activations during backward (less memory for long "
                                       "responses, ~1/3 more compute).")
    # evaluation, checkpoints, logging
    eval_every: int = arg(10, "Held-out evaluation every N updates (also before and after).", min=1)
    # at the rollouts' usual T = 0.6: one greedy answer per problem hides an effect
    eval_n: int = arg(8, "Samples per held-out problem (1 with eval_temperature 0: greedy).", min=1)
    eval_temperature: float = arg(0.6, "Held-out sampling temperature (0: greedy).", min=0.0)
    checkpoint_every: int = arg(10, "Checkpoint every N updates (and at the end).", min=1)
    keep_checkpoints: int = arg(2, "Checkpoints kept (oldest removed).", min=1)
    resume: str = arg("", "Resume from a run dir (its latest checkpoint) or a checkpoint dir.")
    # updates wait for an unavailable (restarting) verifier this long before failing
    verifier: VerifierSpec = group(VerifierSpec, prefix="verifier_", retry_s=300.0)
    max_ungraded_share: float = arg(0.5, "Warn once when more than this share of an update's responses get "
                                    "NO_ANSWER, UNPARSEABLE, TIMEOUT or INVALID (a zero reward that says nothing "
                                    "about the answer); the verdict/* metrics count them every update.", min=0.0)
    seed: int = arg(0, "Seed of everything random in the run.")
    # 1 by default: for small models the gain of a second thread is small, and on a busy machine idle OpenMP
    # workers spin — measured 13-40x slower forward/backward with 2 threads than with 1 while other jobs held the
    # 2 cores.
    threads: int = arg(1, "Torch threads per rank (trainer and in-process vLLM); 0: cores / ranks. Raise it for "
                       "real models on an otherwise idle machine.", min=0)
    extra: dict = arg({}, "Free-form notes kept in config.json.")

    def validate(self) -> None:
        """Bad settings and missing files fail here, before anything heavy starts."""
        config.check(self)

    def invariants(self) -> None:
        if self.rollouts_per_prompt < 2:
            raise ValueError(f"rollouts_per_prompt (G) must be >= 2 for a group baseline, got "
                             f"{self.rollouts_per_prompt}")
        if self.max_ungraded_share > 1:
            raise ValueError(f"max_ungraded_share must be in [0, 1], got {self.max_ungraded_share}")
        if self.history and self.method != selection.VARIANCE:
            raise ValueError("history (a per-epoch accuracy table) is only used by method=variance_grpo")
        for path_field in ("profile", "history", "ds_config"):
            path = getattr(self, path_field)
            if path and not os.path.isfile(path):
                raise FileNotFoundError(f"{path_field}: no file at {path!r}")


# --- small helpers ------------------------------------------------------------------------------------------

def _load_problems(spec: str, split: str, cfg: TrainConfig, limit: int) -> list[data.Problem]:
    if spec == SYNTHETIC:
        train, heldout = synthetic.make_task(seed=cfg.synthetic_seed, n_train=cfg.pool_size,
                                             n_heldout=cfg.heldout_size)
        return train if split == "train" else heldout
    return benchmarks.load(spec, limit=limit or None)


def responses_per_update(cfg: TrainConfig) -> int:
    """B = prompts per update × C × G: a pair or two variance picks, or pool_grpo's batch."""
    return (selection.SELECTORS.lookup(cfg.method).prompts_per_update(cfg) * cfg.groups_per_prompt *
            cfg.rollouts_per_prompt)


def group_rows(rewards: list[list[float]], roles: list[str], groups: int):
    """Each prompt's C·G rewards as C GRPO groups of G: (rewards [P·C, G], roles [P·C]); row r is copy r % C of
    prompt r // C, its responses the prompt's samples (r % C)·G … (r % C + 1)·G − 1."""
    import torch

    per_prompt = torch.tensor(rewards, dtype=torch.float32)  # [P, C·G]
    if per_prompt.dim() != 2 or per_prompt.shape[1] % groups:
        raise ValueError(f"each prompt needs C·G rewards with C = {groups}, got shape {tuple(per_prompt.shape)}")
    return per_prompt.reshape(per_prompt.shape[0] * groups, -1), [r for r in roles for _ in range(groups)]


def micro_batches(cfg: TrainConfig, world: int) -> int:
    """Forward/backward passes per update on every rank (the same count on all: DeepSpeed reduces in step), enough
    for the largest rank's share."""
    share = max(map(len, distributed.shards(responses_per_update(cfg), cfg.rollouts_per_prompt, world)))
    return 1 if cfg.micro_batch_size == 0 else -(-share // cfg.micro_batch_size)


def _ds_config(cfg: TrainConfig, world: int = 1, dtype: str = "float32") -> dict:
    """The DeepSpeed config of a run: cfg.ds_config's file, with the lr, ZeRO stage, batch sizes and precision
    (bf16/fp16 sections from `dtype`, the run's resolved --dtype) set from the run's settings."""
    path = cfg.ds_config or DEFAULT_DS_CONFIG
    with open(path, encoding="utf-8") as f:
        try:
            ds = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"ds_config {path}: not valid JSON ({e})") from e
    if "optimizer" not in ds:
        raise ValueError(f"ds_config {path}: needs an 'optimizer' section (e.g. AdamW)")
    stage = ds.get("zero_optimization", {}).get("stage", 0)
    if stage not in (0, 1, 2):
        raise ValueError(f"ds_config {path}: zero_optimization.stage must be 0, 1 or 2 (the trainer reads full "
                         f"parameters on every rank for weight sync), got {stage}")
    if cfg.lr > 0:
        ds["optimizer"].setdefault("params", {})["lr"] = cfg.lr
    zero = ds.setdefault("zero_optimization", {})
    if world == 1 and not any(key.startswith("offload") for key in zero):
        # ZeRO partitions over ranks; on one rank it partitions nothing, yet its gradient bucketing hooks and
        # flat fp32 copies took ~15 % of the tiny model's update (profiled). Offloading still needs ZeRO.
        zero["stage"] = 0
    # --dtype is the one place precision is set, for vLLM and DeepSpeed alike: the trainer's weights then have the
    # engine's dtype and the sync hands them over without a conversion copy.
    wanted = {"bfloat16": "bf16", "float16": "fp16"}.get(dtype)
    for section in ("bf16", "fp16"):
        if ds.get(section, {}).get("enabled") is True and section != wanted:
            raise ValueError(f"ds_config {path}: enables {section}, but --dtype is {dtype}; set --dtype (it writes "
                             f"DeepSpeed's bf16/fp16 sections) instead")
        ds[section] = {**ds.get(section, {}), "enabled": section == wanted}
    # One optimiser step per update, accumulated over micro_batches(); the batch size is ours, not DeepSpeed's.
    ds.pop("train_batch_size", None)
    ds["train_micro_batch_size_per_gpu"] = 1
    ds["gradient_accumulation_steps"] = micro_batches(cfg, world)
    return ds


def _check_trainable(dtype: str) -> None:
    """DeepSpeed trains fp16 only where its accelerator has fp16 kernels (on CPU: oneDNN's AVX512-FP16/AMX-FP16);
    elsewhere it stops with "Type fp16 is not supported on your device", naming no flag."""
    from deepspeed.accelerator import get_accelerator

    accelerator = get_accelerator()
    if dtype == "float16" and not accelerator.is_fp16_supported():
        raise ValueError(f"--dtype=float16: DeepSpeed cannot train in fp16 on this machine's "
                         f"{accelerator.device_name()} accelerator; use --dtype=bfloat16 or float32")


def _weights_digest(module) -> str:
    h = hashlib.sha256()
    for name, p in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


# --- the update ---------------------------------------------------------------------------------------------

def response_logprobs(model, prompts: list[list[int]], responses: list[list[int]], temperature: float,
                      pad_id: int, entropy_grad: bool = False, share_prompts: bool = True):
    """Per-token logprobs of each response under `model` at logits / temperature, the policy entropy, and the
    temperature-1 logprobs (detached), each [B, R]: position j scores response token j, R is the longest response
    and shorter rows are padded (_length_mask says which positions count). The entropy carries gradients only with
    `entropy_grad`.

    With `share_prompts`, rows that share a prompt (a GRPO group's responses) share its forward pass: the prompt
    runs once with HF's KV cache on, the cache is repeated for those rows, and only their response tokens run
    after it. Attention sees what it sees in the whole sequence, so the logprobs are the whole-sequence ones up to
    float round-off and gradients reach the prompt's states through the cache; the prompt costs one pass per
    length chunk of its rows (_prompt_chunks) instead of one per response, and no chunk pads to more than twice its
    tokens. Without it (gradient checkpointing, which turns HF's cache off), one pass runs over every row's prompt +
    response. Right padding never reaches a real token (causal attention), so neither needs an attention mask;
    softmaxes run per chunk, and only the [B, R] results are padded."""
    import torch

    device = getattr(model, "device", torch.device("cpu"))
    width = max(map(len, responses))

    def padded(rows: list[list[int]]):
        ids = torch.full((len(rows), max(map(len, rows))), pad_id, dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = torch.tensor(row, dtype=torch.long)
        return ids.to(device)

    def scored(logits, rows: list[int]):
        """(logprobs, entropy, raw) [len(rows), width] of `rows` from their logits [len(rows), L, V]."""
        logits = logits.float()
        target = padded([responses[i] for i in rows])[..., None]  # [rows, L, 1]
        logp_all = torch.log_softmax(logits / temperature, dim=-1)
        logprobs = logp_all.gather(-1, target).squeeze(-1)
        with torch.set_grad_enabled(entropy_grad and torch.is_grad_enabled()):
            entropy = -(logp_all.exp() * logp_all).sum(-1)
        with torch.no_grad():
            raw = (logprobs.detach() if temperature == 1.0  # logits / 1 is logits exactly: no second softmax
                   else torch.log_softmax(logits, dim=-1).gather(-1, target).squeeze(-1))
        return [torch.nn.functional.pad(t, (0, width - t.shape[1])) for t in (logprobs, entropy, raw)]

    if not share_prompts:
        ids = padded([p + r[:-1] for p, r in zip(prompts, responses)])
        first = min(map(len, prompts)) - 1  # positions before it score nothing: no vocabulary projection there
        logits = model(input_ids=ids, logits_to_keep=ids.shape[1] - first).logits
        # row i's response token j is scored at position len(prompt i) − 1 + j
        at = (torch.tensor([len(p) - 1 - first for p in prompts])[:, None] + torch.arange(width)).clamp(
            max=logits.shape[1] - 1).to(device)
        return tuple(scored(logits.gather(1, at[..., None].expand(-1, -1, logits.shape[-1])),
                            list(range(len(prompts)))))
    rows_out = [None] * len(prompts)  # per row: (logprobs, entropy, raw), each [width]
    for prompt, rows in _prompt_chunks(prompts, responses):
        out = model(input_ids=torch.tensor([prompt], device=device), use_cache=True, logits_to_keep=1)
        parts = [out.logits.expand(len(rows), 1, -1)]  # the last prompt position scores each first token
        if len(responses[rows[0]]) > 1:  # the chunk's longest; every response token but the last is an input
            cache = out.past_key_values
            cache.batch_repeat_interleave(len(rows))
            inputs = padded([responses[i][:-1] for i in rows])
            parts.append(model(input_ids=inputs, past_key_values=cache).logits)
        for k, stats in enumerate(zip(*scored(torch.cat(parts, dim=1), rows))):
            rows_out[rows[k]] = stats
    return tuple(torch.stack(t) for t in zip(*rows_out))


def _prompt_chunks(prompts: list[list[int]], responses: list[list[int]]):
    """(prompt, rows) pairs that share a forward pass: a prompt's rows, longest response first, cut wherever a
    response is under half the chunk's longest, so padding never doubles a chunk's tokens (sampled lengths spread
    widely: 9–48 tokens in one group of the tiny model); each chunk re-runs its prompt (one row) for a cache."""
    groups: dict[tuple[int, ...], list[int]] = {}  # prompt -> its rows, in order of first appearance
    for row, prompt in enumerate(prompts):
        groups.setdefault(tuple(prompt), []).append(row)
    for prompt, rows in groups.items():
        rows = sorted(rows, key=lambda i: -len(responses[i]))
        start = 0
        for k in range(1, len(rows) + 1):
            if k == len(rows) or 2 * len(responses[rows[k]]) < len(responses[rows[start]]):
                yield list(prompt), rows[start:k]
                start = k


def _length_mask(lengths: list[int]):
    """[B, longest] mask with each response's tokens set: the loss's response mask (response_logprobs' layout), and
    what a loss normaliser needs of responses held elsewhere."""
    import torch

    lengths = torch.tensor(lengths)
    return (torch.arange(int(lengths.max())) < lengths[:, None]).float()


def _update(engine, batch: dict, cfg: TrainConfig, world: int, pad_id: int, ref_model) -> dict:
    """Weighted GRPO step on this rank's responses of the batch. `batch`: every prompt's ids, roles, rewards
    [P][C·G] and prompt token ids; every response's length (`lengths`, prompt-major); this rank's responses
    (`mine`: their prompt-major numbers) with their token ids and sampler logprobs. Returns the update's statistics."""
    import torch
    import torch.distributed as dist

    rewards, roles = group_rows(batch["rewards"], batch["roles"], cfg.groups_per_prompt)  # [P·C, G], [P·C]
    estimator = weighted_grpo.get_adv_estimator(cfg.advantage)
    loss_agg = cfg.loss_agg or estimator.loss_agg
    aggregate = weighted_grpo.get_loss_agg(loss_agg)
    advantages, weights = estimator.fn(rewards, roles, weighted_grpo.EstimatorParams(
        cfg.alpha, cfg.beta, relabel_lambda=cfg.relabel_lambda))
    advantages, weights = advantages.reshape(-1), weights.reshape(-1)         # [B]
    per_prompt = len(batch["rewards"][0])                                        # C·G
    mine = batch["mine"]
    advantages_mine, weights_mine = (t[mine.start:mine.stop].to(engine.device) for t in (advantages, weights))
    prompts = [batch["prompt_ids"][i // per_prompt] for i in mine]
    responses = batch["response_ids"]

    micro = torch.tensor_split(torch.arange(len(mine)), micro_batches(cfg, world))
    if any(rows.numel() == 0 for rows in micro):
        raise ValueError(f"{advantages.numel()} responses cannot be split over {world} ranks × {len(micro)} "
                         f"micro-batches (micro_batch_size={cfg.micro_batch_size})")
    z_batch = aggregate(_length_mask(batch["lengths"]), cfg.sampling.max_tokens).item()
    # Sums over this rank's micro-batches: loss share, entropy·tokens, |logprob gap|, tokens, clip·tokens, kl·tokens,
    # tokens with sampler logprobs.
    totals = torch.zeros(7, dtype=torch.float64)
    # The reference takes the policy's passes: at the initial weights the two are then bit-equal, the KL term's
    # gradient exactly 0 (other passes differ by round-off, which Adam would turn into lr-sized steps).
    share = not cfg.gradient_checkpointing
    for rows in micro:
        rows = rows.tolist()
        m_prompts, m_responses = [prompts[i] for i in rows], [responses[i] for i in rows]
        lengths = [len(r) for r in m_responses]
        m_resp = _length_mask(lengths).to(engine.device)
        logprobs, entropy, raw = response_logprobs(engine, m_prompts, m_responses, cfg.sampling.temperature, pad_id,
                                                   cfg.beta_h > 0, share_prompts=share)
        ref = None
        if ref_model is not None:
            with torch.no_grad():
                ref = response_logprobs(ref_model, m_prompts, m_responses, cfg.sampling.temperature, pad_id,
                                        share_prompts=share)[0]
        loss, stats = weighted_grpo.policy_loss(
            logprobs, logprobs.detach(), m_resp, advantages_mine[rows], weights_mine[rows], clip_eps=cfg.clip_eps,
            ref_logprobs=ref, beta_kl=cfg.beta_kl, entropy=entropy, beta_h=cfg.beta_h, loss_agg=loss_agg,
            max_len=cfg.sampling.max_tokens)
        # policy_loss normalises by this micro-batch's Z; scaled by world · Z / Z_batch, the sum over micro-batches
        # and DeepSpeed's mean over ranks make the full batch's loss.
        z = aggregate(m_resp, cfg.sampling.max_tokens).item()
        engine.backward(loss * (world * z / z_batch), scale_wrt_gas=False)
        if engine.is_gradient_accumulation_boundary() and engine.zero_optimization_stage() == 0:
            # ZeRO reports the gradient norm it clips with; stage 0 clips without keeping it
            grad_norm = torch.nn.utils.get_total_norm([p.grad for p in engine.module.parameters()
                                                       if p.grad is not None]).item()
        engine.step()  # DeepSpeed applies it once, at the accumulation boundary (the last micro-batch)
        n = m_resp.sum().item()
        # the health check, on the responses that came with sampler logprobs
        checked = [k for k, i in enumerate(rows) if batch["sampler_logprobs"][i]]
        gap = sum((raw[k, :lengths[k]] - torch.tensor(batch["sampler_logprobs"][rows[k]], device=raw.device)
                   ).abs().sum().item() for k in checked)
        totals += torch.tensor([stats["loss"] * z / z_batch, stats["entropy"] * n, gap, n,
                                stats["clip_frac"] * n, stats.get("kl", 0.0) * n,
                                sum(lengths[k] for k in checked)], dtype=torch.float64)
    if engine.zero_optimization_stage() > 0:
        grad_norm = engine.get_global_grad_norm()
    if world > 1:
        dist.all_reduce(totals)
    return {
        "loss": totals[0].item(),
        "entropy": totals[1].item() / totals[3].item(),
        "sync/logprob_gap": totals[2].item() / max(totals[6].item(), 1.0),
        "grad_norm": float(grad_norm) if grad_norm is not None else float("nan"),
        "adv/mean": advantages.mean().item(), "adv/std": advantages.std(unbiased=False).item(),
        "adv/abs_max": advantages.abs().max().item(), "weight/max": weights.max().item(),
        "clip_frac": totals[4].item() / totals[3].item(), "kl": totals[5].item() / totals[3].item(),
    }


# --- the loop -----------------------------------------------------------------------------------------------

def _profile(r: _Run) -> list[pairing.PromptStats]:
    """The pool's success profile: from cfg.profile, else K rollouts per prompt now, shared out over the ranks (saved
    as profile.jsonl; kept from the interrupted run when resuming)."""
    cfg, run = r.cfg, r.run
    if cfg.profile:
        stats = pairing.load_profile(cfg.profile)
    elif r.resuming and os.path.exists(run.file("profile.jsonl")):
        stats = pairing.load_profile(run.file("profile.jsonl"))
    else:
        from rlvr import profile

        path = run.file("profile.jsonl")  # resumed by profile_pool if a previous attempt was cut short
        settings = profile.ProfileSettings(k=cfg.profile_rollouts, sampling=cfg.sampling,
                                           seed=seeds.derived_seed(cfg.seed, "profile"))
        rows = profile.profile_pool(r.rollout, r.verifier, r.pool, settings, path,
                                    model=profile.model_key(cfg.model_dir),
                                    tokenizer=data.template_tokenizer(cfg.template, r.tokenizer), world=r.world)
        # From the rows, not the file: rank 0 may still be writing it while the other ranks get here.
        stats = [pairing.PromptStats(**{k: row[k] for k in ("id", "n", "successes", "p_hat", "lo", "hi")})
                 for row in rows]
    unknown = sorted({s.id for s in stats} - set(r.by_id))
    if unknown:
        raise ValueError(f"profile has prompt ids not in the pool {cfg.pool!r}: {unknown[:5]}")
    return stats


def _evaluate(r: _Run, step: int) -> dict:
    """Held-out avg@eval_n, shared out over the ranks; rank 0 writes the verdicts."""
    cfg = r.cfg
    held_out = Sampling(temperature=cfg.eval_temperature, top_p=1.0, max_tokens=cfg.sampling.max_tokens)
    ecfg = evaluate.EvalConfig(n=cfg.eval_n, ks=(1,), sampling=held_out,
                               seed=seeds.derived_seed(cfg.seed, "eval"), template=cfg.template)
    # The evaluation before training has its own bar; later ones show in the training bar's postfix.
    res = evaluate.evaluate_set(r.rollout, r.verifier, r.tokenizer, r.heldout, ecfg, r.run.eval_verdicts(step),
                                desc="eval (before training)" if step == 0 else None, world=r.world)
    interval = {f"heldout/accuracy_{end}": res[f"avg@n_{end}"] for end in ("lo", "hi") if f"avg@n_{end}" in res}
    return {"heldout/accuracy": res["avg@n"], **interval, "heldout/pass@1": res["pass@1"],
            "heldout/response_len": res["tokens_per_response"]}


class _Run:
    """Everything train() sets up once and its loop uses (rank 0 alone holds the metrics log)."""


def _setup(cfg: TrainConfig) -> _Run:
    """Distributed world, run dir (fresh, or resumed exactly), data, engines, the selector and the log."""
    cfg.validate()
    runtime.setup()
    r = _Run()
    r.cfg, r.wall_start = cfg, time.perf_counter()
    r.world = world = distributed.init()
    if cfg.hardware.nproc_per_node > world.size:
        raise ValueError(f"nproc_per_node={cfg.hardware.nproc_per_node}, but this process was not launched as one "
                         f"of that many ranks: run the train binary (it launches them) or torchrun")
    import deepspeed
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from rlvr.rollout import RolloutEngine

    cfg.model_dir = models.resolve(cfg.model_dir)  # file-locked: concurrent ranks wait for one build or import
    dtype = models.resolved_dtype(cfg.model_dir, cfg.hardware.dtype)
    _check_trainable(dtype)
    ds_config = _ds_config(cfg, world.size, dtype)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    # Every rank builds its engine (vLLM forms its groups over our world, collectively). Before the run directory
    # exists: device settings this machine cannot run fail first.
    r.rollout = RolloutEngine(cfg.model_dir, seed=cfg.seed, max_model_len=cfg.max_model_len,
                              **cfg.hardware.vllm_kwargs())
    if not cfg.output_dir:  # rank 0 names it: ranks' clocks may straddle a second
        cfg.output_dir = world.broadcast(os.path.join(str(runtime.cache_root()), "runs", f"{cfg.method}-"
                                                      f"{time.strftime('%Y%m%d-%H%M%S')}"))
    r.run = run = rundir.RunDir(cfg.output_dir)
    resume_ckpt = rundir.find_checkpoint(cfg.resume) if cfg.resume else None
    r.resuming = resume_ckpt is not None
    run.start(resume_ckpt, config.flat(cfg), world.rank)

    r.pool = _load_problems(cfg.pool, "train", cfg, cfg.pool_size)
    r.heldout = _load_problems(cfg.heldout, "heldout", cfg, cfg.heldout_size)
    r.sources = evaluate.provenance({"pool": cfg.pool, "heldout": cfg.heldout}, {"pool": r.pool, "heldout": r.heldout},
                                    cfg.synthetic_seed)
    r.by_id = {p.id: p for p in r.pool}
    r.tokenizer = AutoTokenizer.from_pretrained(cfg.model_dir)
    r.pad_id = r.tokenizer.pad_token_id if r.tokenizer.pad_token_id is not None else r.tokenizer.eos_token_id

    threads = runtime.restore_torch_threads(cfg.threads or max(1, len(os.sched_getaffinity(0)) // world.size))
    # Every rank its verifier client: an embedded server of its own unless --verifier_address names a shared one.
    r.verifier, r.record = cfg.verifier.open(), {}
    if world.is_main:
        r.record = provenance.run_record(ranks=world.size, threads=threads, ds_config=ds_config,
                                         verifier=provenance.verifier_record(r.verifier))
        files.write_json(run.file("config.json"), {**config.flat(cfg), **r.record})  # what ran, with the settings

    model = AutoModelForCausalLM.from_pretrained(cfg.model_dir, dtype=getattr(torch, dtype))
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    r.engine, _, _, _ = deepspeed.initialize(model=model, model_parameters=[p for p in model.parameters()
                                                                            if p.requires_grad],
                                             config=ds_config)
    r.ref_model = None
    if cfg.beta_kl > 0:
        r.ref_model = AutoModelForCausalLM.from_pretrained(cfg.model_dir, dtype=getattr(torch, dtype))
        r.ref_model.to(r.engine.device).eval()
        r.ref_model.requires_grad_(False)

    r.state = {"step": 0, "selector": None, "heldout_ids": [p.id for p in r.heldout], "accuracy_before": None,
               "config": config.flat(cfg), "ranks": world.size}
    if resume_ckpt:
        saved = rundir.load_checkpoint(r.engine, resume_ckpt, ranks=world.size)
        rundir.check_resumable(saved["config"], r.state["config"])
        r.state.update(saved, config=r.state["config"])
        r.rollout.sync_weights(r.engine.module.state_dict())

    # Every rank runs the selector (profiling, if it needs a profile, is shared out over the ranks); the rewards
    # it observes are every rank's, so all make the same picks.
    r.alarm = verdict_monitor.UngradedAlarm(cfg.max_ungraded_share) if world.is_main else None  # one warning
    r.selector = selection.SELECTORS.lookup(cfg.method).build(cfg, [p.id for p in r.pool], lambda: _profile(r))
    if r.state["selector"] is not None:
        r.selector.load_state_dict(r.state["selector"])
    r.metrics = (run_report.MetricsLog(run.path, keep_until=r.state["step"] if resume_ckpt else None)
                 if world.is_main else None)
    if r.state["accuracy_before"] is None:
        row = _evaluate(r, 0)
        r.state["accuracy_before"] = row["heldout/accuracy"]
        if world.is_main:
            r.metrics.write({"kind": "eval", "step": 0, **row})
    return r


def _step(r: _Run, step: int) -> dict | None:
    """One update on every rank: select → rollout, verify (own share) → gather verdicts → update (own share) →
    sync; rank 0 logs. Then the held-out evaluation and checkpoint when due. Returns rank 0's metrics row."""
    cfg, world = r.cfg, r.world
    times: dict[str, float] = {}
    t = time.perf_counter()
    pick = r.selector.next(step)
    prompts = [data.format_prompt(r.by_id[i].problem, data.template_tokenizer(cfg.template, r.tokenizer))
               for i in pick.ids]
    times["select"] = time.perf_counter() - t

    n = cfg.groups_per_prompt * cfg.rollouts_per_prompt  # C groups of G per prompt, cut apart in _update
    scored = scoring.score(r.rollout, prompts, n, cfg.sampling, r.verifier, [r.by_id[i].answer for i in pick.ids],
                           pick.ids, seeds.derived_seed(cfg.seed, "rollout", step), r.alarm, f"update {step}",
                           world=world, group=cfg.rollouts_per_prompt, logprobs=1)  # 1: the health check's
    times["rollout"], times["verify"], times["gather"] = scored.generate_s, scored.verify_s, scored.gather_s
    ours = [s for row in scored.samples for s in row]
    tokens_per_s = sum(len(s.token_ids) for s in ours) / max(scored.generate_s, 1e-9)  # this rank's engine
    lengths = [o.tokens for row in scored.outcomes for o in row]
    if min(lengths) == 0:
        raise RuntimeError(f"update {step}: the sampler returned an empty response "
                           f"(max_tokens={cfg.sampling.max_tokens})")
    batch = {"ids": pick.ids, "roles": pick.roles, "rewards": scored.rewards(), "lengths": lengths,
             "prompt_ids": [r.rollout.prompt_token_ids(p) for p in prompts], "mine": scored.mine,
             "response_ids": [s.token_ids for s in ours], "sampler_logprobs": [s.logprobs for s in ours]}

    t = time.perf_counter()
    r.rollout.sleep()  # --enable_sleep_mode: the engine's GPU memory is the update's until the sync
    r.engine.train()
    upd = _update(r.engine, batch, cfg, world.size, r.pad_id, r.ref_model)
    times["update"] = time.perf_counter() - t

    t = time.perf_counter()
    r.rollout.sync_weights(r.engine.module.state_dict())  # wakes a sleeping engine for the next rollouts
    times["sync"] = time.perf_counter() - t
    ids, roles, rewards = batch["ids"], batch["roles"], batch["rewards"]
    r.selector.observe(ids, rewards)
    row = None
    if world.is_main:
        row = {"kind": "update", "step": step, "prompts": ids, "roles": roles,
               "reward/mean": float(np.mean(rewards)),
               "reward/per_prompt": {i: float(np.mean(x)) for i, x in zip(ids, rewards)},
               "response_len": float(np.mean(lengths)), **upd, "lr": r.engine.get_lr()[0]}
        for role in (weighted_grpo.Q_PLUS, weighted_grpo.Q_MINUS):
            if role in roles:
                row[f"reward/{role}"] = float(np.mean(rewards[roles.index(role)]))
        row.update(r.selector.metrics())
        row.update(scored.verdict_metrics())
        row.update({f"time/{k}": round(v, 4) for k, v in times.items()})
        row["speed/rollout_tokens_per_s"] = round(tokens_per_s, 1)  # rank 0's engine; timing, like time/*
        r.metrics.write(row)

    if step % cfg.eval_every == 0 or step == cfg.steps:
        t = time.perf_counter()
        evaluated = _evaluate(r, step)
        if world.is_main:
            r.metrics.write({"kind": "eval", "step": step, **evaluated,
                             "time/eval": round(time.perf_counter() - t, 4)})
    if step % cfg.checkpoint_every == 0 or step == cfg.steps:
        r.state["step"] = step
        r.state["selector"] = r.selector.state_dict()
        r.run.save_checkpoint(r.engine, r.tokenizer, step, r.state, world.rank, world.size, cfg.keep_checkpoints)
    return row


def _finish(r: _Run) -> dict:
    """Ranks compare weight digests; rank 0 writes the selector's artifacts, plot, report.md and summary.json."""
    digests = r.world.all_gather(_weights_digest(r.engine.module))
    if len(set(digests)) != 1:
        raise RuntimeError(f"ranks ended with different weights (digests {digests}): data-parallel desync")
    r.verifier.close()
    if not r.world.is_main:
        return {}
    run, cfg = r.run, r.cfg
    evals = [row for row in r.metrics.rows if row.get("kind") == "eval"]
    before, after = evals[0], evals[-1]  # step 0 and the last update (metrics rows survive a resume)
    summary = {"run_dir": os.path.abspath(run.path), "report": os.path.abspath(run.file("report.md")),
               "model_dir": cfg.model_dir, "world_size": r.world.size, "steps": cfg.steps, "method": cfg.method,
               "accuracy_before": r.state["accuracy_before"], "accuracy_after": after["heldout/accuracy"],
               "accuracy_before_ci": [before.get("heldout/accuracy_lo"), before.get("heldout/accuracy_hi")],
               "accuracy_after_ci": [after.get("heldout/accuracy_lo"), after.get("heldout/accuracy_hi")],
               "heldout_problems": len(r.heldout), "eval_n": cfg.eval_n, "eval_temperature": cfg.eval_temperature,
               "weight_digests": digests, "wall_seconds": time.perf_counter() - r.wall_start, "data": r.sources,
               **r.record}
    for name, obj in r.selector.artifacts().items():
        files.write_json(run.file(name), obj, indent=1)
    run_report.plot_training(r.metrics.rows, run.file(os.path.join("plots", "training.png")))
    files.write_text(summary["report"], run_report.report_markdown(cfg, r.metrics.rows, r.state, summary, r.by_id))
    files.write_json(run.file("summary.json"), summary)
    r.metrics.close()
    return summary


def train(cfg: TrainConfig) -> dict:
    """Runs (or resumes) a training run; returns the summary also written to <output_dir>/summary.json (rank 0;
    other ranks return {})."""
    from tqdm import tqdm

    r = _setup(cfg)
    bar = tqdm(total=cfg.steps, initial=r.state["step"], desc="train", unit="update", disable=not r.world.is_main,
               file=sys.stderr, dynamic_ncols=True)
    for step in range(r.state["step"] + 1, cfg.steps + 1):
        row = _step(r, step)
        if row:  # rank 0; the latest held-out accuracy, then this update's numbers
            heldout = next(x for x in reversed(r.metrics.rows) if x.get("kind") == "eval")["heldout/accuracy"]
            postfix = {"heldout": f"{heldout:.1%}", "reward": f"{row['reward/mean']:.2f}", "loss": f"{row['loss']:.3f}",
                       "kl": f"{row['kl']:.3f}"}
            bar.set_postfix(postfix, refresh=False)
        bar.update(1)
    bar.close()
    return _finish(r)
