"""The RLVR training loop: choose prompts → vLLM rollouts → verify → Weighted GRPO update (DeepSpeed) → sync.

One update, in order (each phase is timed and logged as `time/<phase>`):
    select    prompts for this update by `method`:
                pairs_wgrpo    one (q+, q−) pair from the PairSampler (fixed / resample / online bands)
                variance_grpo  the two prompts with the largest profile p̂(1−p̂), or the largest historical
                               variance of per-epoch training accuracy when `history` (a pool_grpo run's
                               accuracy_by_epoch.json) is given — chosen once, trained every update
                pool_grpo      `pool_batch` prompts per update, walking the pool in a fresh permutation per epoch
    rollout   G samples per prompt from the RolloutEngine with seed f(seed, step)      (rank 0)
    verify    binary rewards from the C++ verifier                                      (rank 0)
    update    advantages and pair weights (weighted_grpo), per-token logprobs from the DeepSpeed model, the
              clipped loss, engine.backward/step per micro-batch, one optimiser step   (every rank, own shard)
    sync      the updated weights into the running vLLM engine, in place               (rank 0)

Choices this module makes (docs/ARCHITECTURE.md has the contracts it relies on):
- Old logprobs: recomputed by the trainer model before the update, in the same forward pass and detached. We take
  one optimiser step per rollout batch, so these equal the current policy's exactly and ρ = 1 at the step (the
  PPO clip is inert, as in on-policy GRPO); vLLM's sampler logprobs differ from the trainer's by kernel round-off,
  so using them would inject noise into ρ. They serve as a health check instead: `sync/logprob_gap` is the mean
  |vLLM − trainer| logprob over response tokens at temperature 1, which jumps if a weight sync goes wrong.
- The policy is the model at the sampling temperature (logits / T), the distribution the samples came from.
- Ranks: rank 0 alone samples and verifies, then broadcasts the batch; every rank trains on its contiguous shard of
  the responses with its loss rescaled so that DeepSpeed's gradient mean equals the full batch's token-level loss.
  Every rank still constructs the vLLM engine: in-process vLLM builds its process groups over the trainer's
  world, collectively, so a rank that skipped it would leave rank 0 blocked (measured). Ranks finish by comparing
  weight digests (all-gathered) and fail loudly if they ever differ.
- Exact resume: a checkpoint holds the DeepSpeed state (model + optimiser), RNG states, the sampler's state_dict,
  the step and the run's history; every random choice after that is derived from (seed, step), so a resumed run
  samples, trains and logs exactly what the uninterrupted run would (tested, timings aside).
- DeepSpeed's config comes from a JSON file (configs/ds_cpu.json: ZeRO-2, torch's fused AdamW — `torch_adam`
  avoids JIT-compiling DeepSpeed's fused Adam op on CPU). `lr` here overrides the file's optimiser lr. On one rank
  the trainer runs ZeRO stage 0 (nothing to partition), unless the file offloads.
- The loss scores response tokens only: logits, softmaxes and the entropy are computed from the first response
  position of a micro-batch on (HF's logits_to_keep), not over the prompt.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import shutil
import socket
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from rlvr import (benchmarks, console, data, evaluate, models, pairing, provenance, run_report, runtime, synthetic,
                  verdict_monitor, weighted_grpo)

METHODS = ("pairs_wgrpo", "variance_grpo", "pool_grpo")
PAIR_PROMPTS = 2  # prompts per update of pairs_wgrpo (q+, q−) and variance_grpo (its top two); pool_grpo: pool_batch
SYNTHETIC = "synthetic"
DEFAULT_DS_CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "configs",
                                 "ds_cpu.json")


@dataclass
class TrainConfig:
    """Plain values; saved as the run's config.json."""
    output_dir: str = ""              # run directory; "" → <cache>/runs/<method>-<date-time>
    model_dir: str = ""               # HF model dir or named model (models.py); "" → the tiny model (built on first use)
    pool: str = SYNTHETIC             # prompt pool file or benchmark spec (benchmarks.py), or the synthetic train split
    heldout: str = SYNTHETIC          # held-out set file or benchmark spec, or the synthetic task's held-out split
    synthetic_seed: int = 0
    pool_size: int = 64               # synthetic pool size (files: 0 = all)
    heldout_size: int = 64            # held-out problems evaluated (0 = all)
    template: str = "auto"            # "auto": chat template when the tokenizer has one; "plain": never
    method: str = "pairs_wgrpo"
    steps: int = 50
    rollouts_per_prompt: int = 8      # G
    groups_per_prompt: int = 1        # C: each chosen prompt is C GRPO groups of G rollouts per update (1-shot RLVR's
                                      # rows of duplicated prompts); C = 1: one group per prompt
    pool_batch: int = 4               # prompts per update for pool_grpo
    # pairing (pairs_wgrpo) and profiling
    pairing: str = "resample"         # fixed | resample | online
    pair_rule: str = "point"          # band edge on p̂ ("point") or on the Wilson bound ("interval")
    p_low: float = 0.3
    p_high: float = 0.7
    online_decay: float = 0.75
    profile: str = ""                 # a profile JSONL to use; "" → profile the pool now (written to the run dir)
    profile_rollouts: int = 16        # K
    history: str = ""                 # variance_grpo: accuracy_by_epoch.json of a pool_grpo run
    # Weighted GRPO
    alpha: float = 2.0
    beta: float = 2.0
    advantage: str = "grpo"           # a weighted_grpo.ADV_ESTIMATORS key: grpo (std-normalised) | drgrpo (centred)
                                      # | relabel_group | relabel_pooled | relabel_drgrpo (the +1/−λ readings)
    relabel_lambda: float = 1.0       # λ of the relabel readings: a failure on q− is rewarded −λ
    loss_agg: str = ""                # a weighted_grpo.LOSS_AGGREGATIONS key; "" → the estimator's own
                                      # (grpo: token mean, drgrpo: the constant B · max_tokens)
    clip_eps: float = 0.2
    beta_kl: float = 0.05             # k3 KL to the initial model: the tiny model keeps its arithmetic while RL fixes
                                      # its habit (one run, lr 2e-4, 36 updates: held-out 20.5% -> 25.8%; without
                                      # KL the same run fell to 12% at update 30 before recovering to 24%)
    beta_h: float = 0.0
    # sampling
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 48
    max_model_len: int = 512
    # optimisation
    ds_config: str = ""               # DeepSpeed JSON; "" → configs/ds_cpu.json
    lr: float = 0.0                   # > 0 overrides the DeepSpeed config's optimiser lr
    micro_batch_size: int = 0         # responses per forward/backward on a rank, accumulated into one step; 0 → all
    gradient_checkpointing: bool = False  # recompute activations in backward (long responses on real models)
    # evaluation, checkpoints, logging
    eval_every: int = 10              # held-out evaluation every N updates (and before the first, after the last)
    eval_n: int = 8                   # samples per held-out problem (1 with eval_temperature 0: greedy), at
    eval_temperature: float = 0.6     # the rollouts' usual T = 0.6: one greedy answer per problem hides an effect
    checkpoint_every: int = 10
    keep_checkpoints: int = 2
    resume: str = ""                  # a run dir (its latest checkpoint) or a checkpoint dir
    verifier_address: str = ""        # "" → start the embedded C++ verifier on a free loopback port
    verifier_retry_s: float = 300.0   # how long updates wait for an unavailable (restarting) verifier before failing
    max_ungraded_share: float = 0.5   # warn (once) when more of an update's responses than this are not graded
    verifier_auth_token_file: str = ""  # a protected verifier's bearer token, as a file: it stays out of config.json
    verifier_tls_ca: str = ""         # PEM CA certificate of a TLS verifier
    seed: int = 0
    # Torch threads per rank (trainer and in-process vLLM); 0 → cores / ranks. 1 by default: for small models the
    # gain of a second thread is small, and on a busy machine idle OpenMP workers spin — measured 13-40x slower
    # forward/backward with 2 threads than with 1 while other jobs held the 2 cores.
    threads: int = 1
    extra: dict = field(default_factory=dict)  # free-form notes kept in config.json

    def validate(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        if self.pairing not in pairing.STRATEGIES:
            raise ValueError(f"pairing must be one of {pairing.STRATEGIES}, got {self.pairing!r}")
        weighted_grpo.get_adv_estimator(self.advantage)
        if self.loss_agg:
            weighted_grpo.get_loss_agg(self.loss_agg)
        if self.template not in ("auto", "plain"):
            raise ValueError(f"template must be 'auto' or 'plain', got {self.template!r}")
        for name in ("steps", "max_tokens", "eval_n", "profile_rollouts", "pool_batch", "eval_every",
                     "checkpoint_every", "keep_checkpoints"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.max_ungraded_share <= 1:
            raise ValueError(f"max_ungraded_share must be in [0, 1], got {self.max_ungraded_share}")
        if self.relabel_lambda < 0:
            raise ValueError(f"relabel_lambda must be >= 0 (a q- failure's reward is -lambda), got {self.relabel_lambda}")
        if self.micro_batch_size < 0:
            raise ValueError(f"micro_batch_size must be >= 0 (0: a rank's whole shard at once), got "
                             f"{self.micro_batch_size}")
        if self.groups_per_prompt < 1:
            raise ValueError(f"groups_per_prompt (C) must be >= 1, got {self.groups_per_prompt}")
        if self.rollouts_per_prompt < 2:
            raise ValueError(f"rollouts_per_prompt (G) must be >= 2 for a group baseline, got "
                             f"{self.rollouts_per_prompt}")
        if self.history and self.method != "variance_grpo":
            raise ValueError("history (a per-epoch accuracy table) is only used by method=variance_grpo")
        for path_field in ("profile", "history", "ds_config"):
            path = getattr(self, path_field)
            if path and not os.path.isfile(path):
                raise FileNotFoundError(f"{path_field}: no file at {path!r}")
        from rlvr import verifier_client

        verifier_client.connection_options(self.verifier_auth_token_file, self.verifier_tls_ca)  # fail before vLLM


# --- small helpers ------------------------------------------------------------------------------------------

def derived_seed(seed: int, *parts) -> int:
    """A 31-bit seed that depends only on (seed, parts): per-step rollout seeds survive a resume unchanged."""
    digest = hashlib.blake2b(":".join(map(str, (seed,) + parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _init_distributed():
    """torch.distributed over gloo through DeepSpeed; a plain `python` run becomes a world of one."""
    import deepspeed
    import torch.distributed as dist

    if "RANK" not in os.environ:  # not launched by torchrun / the deepspeed launcher
        os.environ.update(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1",
                          MASTER_PORT=str(_free_port()))
    if not dist.is_initialized():
        with console.library_prints():
            deepspeed.init_distributed(dist_backend="gloo")
    return dist.get_rank(), dist.get_world_size()


def _broadcast(obj, rank: int, world: int):
    if world == 1:
        return obj
    import torch.distributed as dist

    box = [obj if rank == 0 else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def _load_problems(spec: str, split: str, cfg: TrainConfig, limit: int) -> list[data.Problem]:
    if spec == SYNTHETIC:
        train, heldout = synthetic.make_task(seed=cfg.synthetic_seed, n_train=cfg.pool_size,
                                             n_heldout=cfg.heldout_size)
        return train if split == "train" else heldout
    return benchmarks.load(spec, limit=limit or None)


def responses_per_update(cfg: TrainConfig) -> int:
    """B = prompts per update × C × G: a pair or two variance picks, or pool_grpo's batch."""
    return (cfg.pool_batch if cfg.method == "pool_grpo" else PAIR_PROMPTS) * cfg.groups_per_prompt * \
        cfg.rollouts_per_prompt


def group_rows(rewards: list[list[float]], roles: list[str], groups: int):
    """Each prompt's C·G rewards as C GRPO groups of G: (rewards [P·C, G], roles [P·C]); row r is copy r % C of
    prompt r // C, its responses the prompt's samples (r % C)·G … (r % C + 1)·G − 1."""
    import torch

    per_prompt = torch.tensor(rewards, dtype=torch.float32)  # [P, C·G]
    if per_prompt.dim() != 2 or per_prompt.shape[1] % groups:
        raise ValueError(f"each prompt needs C·G rewards with C = {groups}, got shape {tuple(per_prompt.shape)}")
    return per_prompt.reshape(per_prompt.shape[0] * groups, -1), [r for r in roles for _ in range(groups)]


def micro_batches(cfg: TrainConfig, world: int) -> int:
    """Forward/backward passes per update on every rank (the same count on all: DeepSpeed reduces in step)."""
    shard = -(-responses_per_update(cfg) // world)
    return 1 if cfg.micro_batch_size == 0 else -(-shard // cfg.micro_batch_size)


def _ds_config(cfg: TrainConfig, world: int = 1) -> dict:
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
    # One optimiser step per update, accumulated over micro_batches(); the batch size is ours, not DeepSpeed's.
    ds.pop("train_batch_size", None)
    ds["train_micro_batch_size_per_gpu"] = 1
    ds["gradient_accumulation_steps"] = micro_batches(cfg, world)
    return ds


def _weights_digest(module) -> str:
    h = hashlib.sha256()
    for name, p in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


# --- selection ----------------------------------------------------------------------------------------------

class PoolWalk:
    """pool_grpo's batches: the pool in a permutation per epoch, derived from (seed, epoch) — no state to save."""

    def __init__(self, ids: list[str], batch: int, seed: int):
        if batch > len(ids):
            raise ValueError(f"pool_batch={batch} exceeds the pool size {len(ids)}")
        self.ids, self.batch, self.seed = ids, batch, seed
        self._perms: dict[int, list[str]] = {}

    def _perm(self, epoch: int) -> list[str]:
        if epoch not in self._perms:
            order = list(self.ids)
            random.Random(derived_seed(self.seed, "epoch", epoch)).shuffle(order)
            self._perms = {epoch: order}
        return self._perms[epoch]

    def batch_at(self, step: int) -> list[tuple[str, int]]:
        """(prompt id, epoch) for update `step` (1-based)."""
        n = len(self.ids)
        return [(self._perm(k // n)[k % n], k // n) for k in range((step - 1) * self.batch, step * self.batch)]


# --- the update ---------------------------------------------------------------------------------------------

def token_batch(prompt_ids: list[list[int]], response_ids: list[list[int]], pad_id: int):
    """Right-padded input ids [B, L], attention mask [B, L] and response mask [B, L−1] (aligned with the
    next-token logprobs: position t scores token t+1)."""
    import torch

    lengths = [len(p) + len(r) for p, r in zip(prompt_ids, response_ids)]
    width = max(lengths)
    ids = torch.full((len(lengths), width), pad_id, dtype=torch.long)
    attn = torch.zeros((len(lengths), width), dtype=torch.long)
    resp = torch.zeros((len(lengths), width - 1), dtype=torch.float32)
    for i, (p, r) in enumerate(zip(prompt_ids, response_ids)):
        ids[i, :lengths[i]] = torch.tensor(p + r, dtype=torch.long)
        attn[i, :lengths[i]] = 1
        resp[i, len(p) - 1:lengths[i] - 1] = 1.0
    return ids, attn, resp


def token_logprobs(model, ids, attn, temperature: float, first: int = 0, entropy_grad: bool = False):
    """Per-token logprobs of ids[:, first+1:] and the policy entropy, both [B, L−1−first], under logits /
    temperature; also the temperature-1 logprobs (detached) for comparing against the sampler's. `first` skips
    positions nobody scores (the shortest prompt's): the vocabulary projection and softmaxes run on the rest
    only. The entropy carries gradients only with `entropy_grad` (an entropy bonus)."""
    import torch

    out = model(input_ids=ids, attention_mask=attn, logits_to_keep=ids.shape[1] - first)
    logits = out.logits[:, :-1].float()  # [B, L−1−first, V]
    target = ids[:, first + 1:].unsqueeze(-1)
    logp_all = torch.log_softmax(logits / temperature, dim=-1)
    logprobs = logp_all.gather(-1, target).squeeze(-1)
    with torch.set_grad_enabled(entropy_grad and torch.is_grad_enabled()):
        entropy = -(logp_all.exp() * logp_all).sum(-1)
    with torch.no_grad():
        raw = (logprobs.detach() if temperature == 1.0  # logits / 1 is logits exactly: no second softmax
               else torch.log_softmax(logits, dim=-1).gather(-1, target).squeeze(-1))
    return logprobs, entropy, raw


def _update(engine, batch: dict, cfg: TrainConfig, rank: int, world: int, pad_id: int, ref_model) -> dict:
    """Weighted GRPO step on this rank's shard of the broadcast batch. Returns the update's statistics."""
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
    prompts = [batch["prompt_ids"][i // per_prompt] for i in range(advantages.numel())]
    ids, attn, resp = token_batch(prompts, batch["response_ids"], pad_id)
    sampler_lp = torch.zeros_like(resp)
    for i, (p, lp) in enumerate(zip(prompts, batch["sampler_logprobs"])):
        sampler_lp[i, len(p) - 1:len(p) - 1 + len(lp)] = torch.tensor(lp)

    shard = torch.tensor_split(torch.arange(advantages.numel()), world)[rank]  # this rank's responses
    micro = torch.tensor_split(shard, micro_batches(cfg, world))
    if any(rows.numel() == 0 for rows in micro):
        raise ValueError(f"{advantages.numel()} responses cannot be split over {world} ranks × {len(micro)} "
                         f"micro-batches (micro_batch_size={cfg.micro_batch_size})")
    z_batch = aggregate(resp, cfg.max_tokens).item()
    # Sums over this rank's micro-batches: loss share, entropy·tokens, |logprob gap|, tokens, clip·tokens, kl·tokens.
    totals = torch.zeros(6, dtype=torch.float64)
    for rows in micro:
        width = int(attn[rows].sum(1).max().item())  # drop the columns that are padding in every row here
        # and the positions before the first response token of any row here (prompt tokens score nothing)
        first = min(len(prompts[i]) for i in rows.tolist()) - 1
        m_ids, m_attn, m_resp = ids[rows, :width], attn[rows, :width], resp[rows, first:width - 1]
        logprobs, entropy, raw = token_logprobs(engine, m_ids, m_attn, cfg.temperature, first, cfg.beta_h > 0)
        ref = None
        if ref_model is not None:
            with torch.no_grad():
                ref = token_logprobs(ref_model, m_ids, m_attn, cfg.temperature, first)[0]
        loss, stats = weighted_grpo.policy_loss(
            logprobs, logprobs.detach(), m_resp, advantages[rows], weights[rows], clip_eps=cfg.clip_eps,
            ref_logprobs=ref, beta_kl=cfg.beta_kl, entropy=entropy, beta_h=cfg.beta_h, loss_agg=loss_agg,
            max_len=cfg.max_tokens)
        # policy_loss normalises by this micro-batch's Z; scaled by world · Z / Z_batch, the sum over micro-batches
        # and DeepSpeed's mean over ranks make the full batch's loss.
        z = aggregate(m_resp, cfg.max_tokens).item()
        engine.backward(loss * (world * z / z_batch), scale_wrt_gas=False)
        if engine.is_gradient_accumulation_boundary() and engine.zero_optimization_stage() == 0:
            # ZeRO reports the gradient norm it clips with; stage 0 clips without keeping it
            grad_norm = torch.nn.utils.get_total_norm([p.grad for p in engine.module.parameters()
                                                       if p.grad is not None]).item()
        engine.step()  # DeepSpeed applies it once, at the accumulation boundary (the last micro-batch)
        n = m_resp.sum().item()
        gap = ((raw - sampler_lp[rows, first:width - 1]).abs() * m_resp).sum().item()
        totals += torch.tensor([stats["loss"] * z / z_batch, stats["entropy"] * n, gap, n,
                                stats["clip_frac"] * n, stats.get("kl", 0.0) * n], dtype=torch.float64)
    if engine.zero_optimization_stage() > 0:
        grad_norm = engine.get_global_grad_norm()
    if world > 1:
        dist.all_reduce(totals)
    return {
        "loss": totals[0].item(),
        "entropy": totals[1].item() / totals[3].item(),
        "sync/logprob_gap": totals[2].item() / totals[3].item(),
        "grad_norm": float(grad_norm) if grad_norm is not None else float("nan"),
        "adv/mean": advantages.mean().item(), "adv/std": advantages.std(unbiased=False).item(),
        "adv/abs_max": advantages.abs().max().item(), "weight/max": weights.max().item(),
        "clip_frac": totals[4].item() / totals[3].item(), "kl": totals[5].item() / totals[3].item(),
    }


# --- checkpoints --------------------------------------------------------------------------------------------

def _ckpt_name(step: int) -> str:
    return f"step_{step:06d}"


def find_checkpoint(path: str) -> str:
    """A checkpoint dir as given, or a run dir's latest checkpoint."""
    if os.path.isfile(os.path.join(path, "trainer_state.pt")):
        return path
    latest = os.path.join(path, "checkpoints", "latest")
    if os.path.isfile(latest):
        with open(latest) as f:
            return os.path.join(path, "checkpoints", f.read().strip())
    raise FileNotFoundError(f"resume {path!r}: neither a checkpoint dir (trainer_state.pt) nor a run dir with "
                            f"checkpoints/latest")


def _save_checkpoint(engine, tokenizer, run_dir: str, step: int, state: dict, rank: int, world: int,
                     keep: int) -> str:
    """checkpoints/step_N/{ds/, hf/, trainer_state.pt}, written under a temporary name and renamed."""
    import torch
    import torch.distributed as dist

    root = os.path.join(run_dir, "checkpoints")
    final = os.path.join(root, _ckpt_name(step))
    tmp = final + ".tmp"
    if rank == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
    if world > 1:
        dist.barrier()
    engine.save_checkpoint(os.path.join(tmp, "ds"), tag="state")
    if world > 1:
        dist.barrier()
    if rank == 0:
        engine.module.save_pretrained(os.path.join(tmp, "hf"))  # what evaluate.py loads
        tokenizer.save_pretrained(os.path.join(tmp, "hf"))
        state = dict(state, rng={"python": random.getstate(), "numpy": np.random.get_state(),
                                 "torch": torch.get_rng_state()})
        torch.save(state, os.path.join(tmp, "trainer_state.pt"))
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        run_report.write_atomic(os.path.join(root, "latest"), _ckpt_name(step) + "\n")
        done = sorted(d for d in os.listdir(root) if d.startswith("step_") and not d.endswith(".tmp"))
        for old in done[:-keep]:
            shutil.rmtree(os.path.join(root, old), ignore_errors=True)
    if world > 1:
        dist.barrier()
    return final


# Settings a resumed run may change; any other difference would silently make it a different experiment.
_RESUME_MAY_CHANGE = ("output_dir", "resume", "steps", "eval_every", "checkpoint_every", "keep_checkpoints",
                      "verifier_address", "verifier_retry_s", "verifier_auth_token_file", "verifier_tls_ca",
                      "max_ungraded_share", "threads",
                      "micro_batch_size", "gradient_checkpointing", "extra")  # the last: memory only


def _check_resumable(saved: dict, now: dict) -> None:
    diff = {k: (saved.get(k), v) for k, v in now.items() if k not in _RESUME_MAY_CHANGE and saved.get(k) != v}
    if diff:
        raise ValueError("resume: the checkpoint was written with other settings; " + ", ".join(
            f"{k}={old!r} (now {new!r})" for k, (old, new) in sorted(diff.items())))


def _load_checkpoint(engine, ckpt: str) -> dict:
    import torch

    engine.load_checkpoint(os.path.join(ckpt, "ds"), tag="state")
    state = torch.load(os.path.join(ckpt, "trainer_state.pt"), weights_only=False)
    rng = state.pop("rng")
    random.setstate(rng["python"])
    np.random.set_state(rng["numpy"])
    torch.set_rng_state(rng["torch"])
    return state


# --- the loop -----------------------------------------------------------------------------------------------

def _profile(cfg: TrainConfig, engine, verifier, tokenizer, problems, run_dir: str) -> list[pairing.PromptStats]:
    """The pool's success profile: from cfg.profile, else K rollouts per prompt now (saved as profile.jsonl)."""
    if cfg.profile:
        return pairing.load_profile(cfg.profile)
    from rlvr import profile

    path = os.path.join(run_dir, "profile.jsonl")  # resumed by profile_pool if a previous attempt was cut short
    settings = profile.ProfileSettings(k=cfg.profile_rollouts, temperature=cfg.temperature, top_p=cfg.top_p,
                                       max_tokens=cfg.max_tokens, seed=derived_seed(cfg.seed, "profile"))
    profile.profile_pool(engine, verifier, problems, settings, path, model=profile.model_key(cfg.model_dir),
                         tokenizer=tokenizer if cfg.template == "auto" else None)
    return pairing.load_profile(path)


def _evaluate(engine, verifier, tokenizer, problems, cfg: TrainConfig, run_dir: str, step: int) -> dict:
    ecfg = evaluate.EvalConfig(n=cfg.eval_n, ks=(1,), temperature=cfg.eval_temperature, top_p=1.0,
                               max_tokens=cfg.max_tokens, seed=derived_seed(cfg.seed, "eval"), template=cfg.template)
    os.makedirs(os.path.join(run_dir, "eval"), exist_ok=True)
    verdicts = os.path.join(run_dir, "eval", f"step_{step:06d}.verdicts.jsonl")
    # The evaluation before training has its own bar; later ones show in the training bar's postfix.
    res = evaluate.evaluate_set(engine, verifier, tokenizer, problems, ecfg, verdicts,
                                desc="eval (before training)" if step == 0 else None)
    interval = {f"heldout/accuracy_{end}": res[f"avg@n_{end}"] for end in ("lo", "hi") if f"avg@n_{end}" in res}
    return {"heldout/accuracy": res["avg@n"], **interval, "heldout/pass@1": res["pass@1"],
            "heldout/response_len": res["tokens_per_response"]}


def train(cfg: TrainConfig) -> dict:
    """Runs (or resumes) a training run; returns the summary also written to <output_dir>/summary.json."""
    cfg.validate()
    runtime.setup()
    wall_start = time.perf_counter()
    rank, world = _init_distributed()
    import deepspeed
    import torch
    import torch.distributed as dist
    from tqdm import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from rlvr.rollout import RolloutEngine

    cfg.model_dir = models.resolve(cfg.model_dir)  # file-locked: concurrent ranks wait for one build or import
    if not cfg.output_dir:  # rank 0 names it: ranks' clocks may straddle a second
        cfg.output_dir = _broadcast(os.path.join(str(runtime.cache_root()), "runs", f"{cfg.method}-"
                                                 f"{time.strftime('%Y%m%d-%H%M%S')}"), rank, world)
    run_dir = cfg.output_dir
    resume_ckpt = find_checkpoint(cfg.resume) if cfg.resume else None
    if not resume_ckpt and os.path.isdir(os.path.join(run_dir, "checkpoints")):
        raise FileExistsError(f"output_dir {run_dir} already holds a run (checkpoints/); resume it with "
                              f"resume={run_dir!r} or choose another output_dir")
    if rank == 0:
        os.makedirs(os.path.join(run_dir, "plots"), exist_ok=True)
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)

    pool = _load_problems(cfg.pool, "train", cfg, cfg.pool_size)
    heldout = _load_problems(cfg.heldout, "heldout", cfg, cfg.heldout_size)
    sources = evaluate.provenance({"pool": cfg.pool, "heldout": cfg.heldout}, {"pool": pool, "heldout": heldout},
                                  cfg.synthetic_seed)
    by_id = {p.id: p for p in pool}
    tokenizer = AutoTokenizer.from_pretrained(cfg.model_dir)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    template_tok = tokenizer if cfg.template == "auto" else None

    # Every rank builds the engine (vLLM forms its groups over our world collectively); rank 0 samples.
    rollout = RolloutEngine(cfg.model_dir, seed=cfg.seed, max_model_len=cfg.max_model_len)
    threads = runtime.restore_torch_threads(cfg.threads or max(1, len(os.sched_getaffinity(0)) // world))
    ds_config = _ds_config(cfg, world)
    verifier, record = None, None
    if rank == 0:
        from rlvr import verifier_client

        verifier = verifier_client.open_verifier(
            cfg.verifier_address or None, retry_window_s=cfg.verifier_retry_s,
            **verifier_client.connection_options(cfg.verifier_auth_token_file, cfg.verifier_tls_ca))
        record = provenance.run_record(ranks=world, threads=threads, ds_config=ds_config,
                                       verifier=provenance.verifier_record(verifier))
        run_report.write_atomic(os.path.join(run_dir, "config.json"),
                                json.dumps({**dataclasses.asdict(cfg), **record}, indent=2) + "\n")

    model = AutoModelForCausalLM.from_pretrained(cfg.model_dir, dtype=torch.float32)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    engine, _, _, _ = deepspeed.initialize(model=model, model_parameters=[p for p in model.parameters()
                                                                          if p.requires_grad],
                                           config=ds_config)
    ref_model = None
    if cfg.beta_kl > 0:
        ref_model = AutoModelForCausalLM.from_pretrained(cfg.model_dir, dtype=torch.float32).eval()
        ref_model.requires_grad_(False)

    state = {"step": 0, "sampler": None, "acc_by_epoch": {}, "last_pair": None, "band_empty_updates": 0,
             "heldout_ids": [p.id for p in heldout], "accuracy_before": None, "config": dataclasses.asdict(cfg)}
    if resume_ckpt:
        saved = _load_checkpoint(engine, resume_ckpt)
        _check_resumable(saved["config"], state["config"])
        state.update(saved, config=state["config"])
        if rank == 0:
            rollout.sync_weights(engine.module.state_dict())
        src_run = os.path.dirname(os.path.dirname(os.path.abspath(resume_ckpt)))
        if rank == 0 and os.path.abspath(src_run) != os.path.abspath(run_dir):
            for name in ("metrics.jsonl", "profile.jsonl"):  # carry the history into the new run dir
                if os.path.exists(os.path.join(src_run, name)):
                    shutil.copyfile(os.path.join(src_run, name), os.path.join(run_dir, name))

    # Selection set-up (rank 0 decides; every rank follows the broadcast batch).
    sampler, fixed_prompts, walk = None, None, None
    if rank == 0:
        if cfg.method == "pool_grpo":
            walk = PoolWalk([p.id for p in pool], cfg.pool_batch, cfg.seed)
        elif cfg.method == "variance_grpo" and cfg.history:
            with open(cfg.history, encoding="utf-8") as f:
                fixed_prompts = pairing.select_by_historical_variance(json.load(f), k=PAIR_PROMPTS)
        else:
            profile_path = os.path.join(run_dir, "profile.jsonl")
            if resume_ckpt and not cfg.profile and os.path.exists(profile_path):
                stats = pairing.load_profile(profile_path)
            else:
                stats = _profile(cfg, rollout, verifier, tokenizer, pool, run_dir)
            unknown = sorted({s.id for s in stats} - set(by_id))
            if unknown:
                raise ValueError(f"profile has prompt ids not in the pool {cfg.pool!r}: {unknown[:5]}")
            if cfg.method == "variance_grpo":
                fixed_prompts = pairing.select_by_profile_variance(stats, k=PAIR_PROMPTS)
            else:
                sampler = pairing.PairSampler(stats, strategy=cfg.pairing, p_low=cfg.p_low, p_high=cfg.p_high,
                                              seed=cfg.seed, rule=cfg.pair_rule, decay=cfg.online_decay)
                if state["sampler"] is not None:
                    sampler.load_state_dict(state["sampler"])
        metrics = run_report.MetricsLog(run_dir, keep_until=state["step"] if resume_ckpt else None)
        if state["accuracy_before"] is None:
            row = _evaluate(rollout, verifier, tokenizer, heldout, cfg, run_dir, 0)
            state["accuracy_before"] = row["heldout/accuracy"]
            metrics.write({"kind": "eval", "step": 0, **row})

    alarm = verdict_monitor.UngradedAlarm(cfg.max_ungraded_share)
    start_step = state["step"]
    bar = tqdm(total=cfg.steps, initial=start_step, desc="train", unit="update", disable=rank != 0,
               file=sys.stderr, dynamic_ncols=True)
    postfix = {"heldout": f"{state['accuracy_before']:.1%}"} if rank == 0 else {}  # the latest evaluation
    for step in range(start_step + 1, cfg.steps + 1):
        times: dict[str, float] = {}
        t = time.perf_counter()
        batch = None
        if rank == 0:
            if sampler is not None:
                try:
                    pair = list(sampler.next_pair())
                except ValueError:  # online re-estimation emptied a band: keep training the last pair
                    if cfg.pairing != "online" or state["last_pair"] is None:
                        raise
                    pair = state["last_pair"]
                    state["band_empty_updates"] += 1
                ids, roles, epochs = pair, [weighted_grpo.Q_PLUS, weighted_grpo.Q_MINUS], None
                state["last_pair"] = pair
            elif walk is not None:
                picked = walk.batch_at(step)
                ids, epochs = [i for i, _ in picked], [e for _, e in picked]
                roles = [weighted_grpo.NEUTRAL] * len(ids)
            else:
                ids, roles, epochs = list(fixed_prompts), [weighted_grpo.NEUTRAL] * PAIR_PROMPTS, None
            prompts = [data.format_prompt(by_id[i].problem, template_tok) for i in ids]
            times["select"] = time.perf_counter() - t

            t = time.perf_counter()
            n = cfg.groups_per_prompt * cfg.rollouts_per_prompt  # C groups of G per prompt, cut apart in _update
            samples = rollout.generate(prompts, n=n, temperature=cfg.temperature,
                                       top_p=cfg.top_p, max_tokens=cfg.max_tokens,
                                       seed=derived_seed(cfg.seed, "rollout", step))
            times["rollout"] = time.perf_counter() - t

            t = time.perf_counter()
            flat = [s for per in samples for s in per]
            golds = [by_id[i].answer for i in ids for _ in range(n)]
            verdicts = verifier.verify([s.text for s in flat], golds, [f"{i}#{j}" for i in ids for j in range(n)],
                                       [s.truncated for s in flat])
            rewards = [[float(verdicts[p * n + j].correct) for j in range(n)] for p in range(len(ids))]
            verdict_row = verdict_monitor.verdict_metrics(verdicts)
            alarm.check(verdicts, [s.text for s in flat], f"update {step}")
            times["verify"] = time.perf_counter() - t
            batch = {"ids": ids, "roles": roles, "epochs": epochs, "rewards": rewards,
                     "prompt_ids": [rollout.prompt_token_ids(p) for p in prompts],
                     "response_ids": [s.token_ids for s in flat], "sampler_logprobs": [s.logprobs for s in flat]}
        t = time.perf_counter()
        batch = _broadcast(batch, rank, world)
        if any(len(r) == 0 for r in batch["response_ids"]):
            raise RuntimeError(f"update {step}: the sampler returned an empty response (max_tokens={cfg.max_tokens})")
        times["broadcast"] = time.perf_counter() - t

        t = time.perf_counter()
        engine.train()
        upd = _update(engine, batch, cfg, rank, world, pad_id, ref_model)
        times["update"] = time.perf_counter() - t

        if rank == 0:
            t = time.perf_counter()
            rollout.sync_weights(engine.module.state_dict())
            times["sync"] = time.perf_counter() - t
            ids, roles, rewards = batch["ids"], batch["roles"], batch["rewards"]
            if sampler is not None and cfg.pairing == "online":
                for i, r in zip(ids, rewards):
                    sampler.update(i, int(sum(r)), len(r))
            if batch["epochs"] is not None:
                for i, e, r in zip(ids, batch["epochs"], rewards):
                    state["acc_by_epoch"].setdefault(i, {})[str(e)] = float(np.mean(r))
            row = {"kind": "update", "step": step, "prompts": ids, "roles": roles,
                   "reward/mean": float(np.mean(rewards)),
                   "reward/per_prompt": {i: float(np.mean(r)) for i, r in zip(ids, rewards)},
                   "response_len": float(np.mean([len(r) for r in batch["response_ids"]])), **upd,
                   "lr": engine.get_lr()[0]}
            for role in (weighted_grpo.Q_PLUS, weighted_grpo.Q_MINUS):
                if role in roles:
                    row[f"reward/{role}"] = float(np.mean(rewards[roles.index(role)]))
            if sampler is not None:
                row["pairing/band_empty_updates"] = state["band_empty_updates"]
            row.update(verdict_row)
            row.update({f"time/{k}": round(v, 4) for k, v in times.items()})
            metrics.write(row)
            postfix.update(reward=f"{row['reward/mean']:.2f}", loss=f"{upd['loss']:.3f}", kl=f"{upd['kl']:.3f}")
            bar.set_postfix(postfix, refresh=False)
        bar.update(1)

        if rank == 0 and (step % cfg.eval_every == 0 or step == cfg.steps):
            t = time.perf_counter()
            row = _evaluate(rollout, verifier, tokenizer, heldout, cfg, run_dir, step)
            metrics.write({"kind": "eval", "step": step, **row, "time/eval": round(time.perf_counter() - t, 4)})
            postfix["heldout"] = f"{row['heldout/accuracy']:.1%}"
            bar.set_postfix(postfix)
        if step % cfg.checkpoint_every == 0 or step == cfg.steps:
            state["step"] = step
            if rank == 0:
                state["sampler"] = sampler.state_dict() if sampler is not None else None
            _save_checkpoint(engine, tokenizer, run_dir, step, state, rank, world, cfg.keep_checkpoints)
    bar.close()

    digests = [None] * world
    mine = _weights_digest(engine.module)
    if world > 1:
        dist.all_gather_object(digests, mine)
    else:
        digests = [mine]
    if len(set(digests)) != 1:
        raise RuntimeError(f"ranks ended with different weights (digests {digests}): data-parallel desync")
    summary = {}
    if rank == 0:
        evals = [r for r in metrics.rows if r.get("kind") == "eval"]
        before, after = evals[0], evals[-1]  # step 0 and the last update (metrics rows survive a resume)
        summary = {"run_dir": os.path.abspath(run_dir), "report": os.path.abspath(os.path.join(run_dir, "report.md")),
                   "model_dir": cfg.model_dir, "world_size": world, "steps": cfg.steps, "method": cfg.method,
                   "accuracy_before": state["accuracy_before"], "accuracy_after": after["heldout/accuracy"],
                   "accuracy_before_ci": [before.get("heldout/accuracy_lo"), before.get("heldout/accuracy_hi")],
                   "accuracy_after_ci": [after.get("heldout/accuracy_lo"), after.get("heldout/accuracy_hi")],
                   "heldout_problems": len(heldout), "eval_n": cfg.eval_n, "eval_temperature": cfg.eval_temperature,
                   "weight_digests": digests, "wall_seconds": time.perf_counter() - wall_start, "data": sources, **record}
        if cfg.method == "pool_grpo":
            run_report.write_atomic(os.path.join(run_dir, "accuracy_by_epoch.json"),
                          json.dumps({i: [acc[k] for k in sorted(acc, key=int)]
                                      for i, acc in state["acc_by_epoch"].items()}, indent=1) + "\n")
        run_report.plot_training(metrics.rows, os.path.join(run_dir, "plots", "training.png"))
        run_report.write_atomic(summary["report"],
                                run_report.report_markdown(cfg, metrics.rows, state, summary, by_id))
        run_report.write_atomic(os.path.join(run_dir, "summary.json"), json.dumps(summary, indent=2) + "\n")
        metrics.close()
        verifier.close()
    return summary
