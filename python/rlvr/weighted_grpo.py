"""Weighted GRPO: group-normalised advantages, pair-level outcome weights, and the clipped token-level loss.

The method's math, written once (docs/method.md explains every choice). Shapes:
    P prompts per update, G responses per prompt, B = P·G responses, T padded response length (tokens).
Rewards are binary verdicts r ∈ {0, 1}. Pure torch, no I/O.

Two named tables, two independent axes (verl's `register_adv_est` idea):
    ADV_ESTIMATORS     rewards [P, G] + each prompt's role → (advantages [P, G], loss weights [P, G])
    LOSS_AGGREGATIONS  the loss's normaliser Z (token mean, or Dr.GRPO's constant B · max_len)
Adding an estimator is one function with `@register_adv_est(name, loss_agg=...)` and its formula in the docstring;
the trainer's `--advantage` / `--loss_agg` choices and validation read the tables' keys.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from rlvr.pairing import NEUTRAL, Q_MINUS, Q_PLUS, ROLES  # a prompt's role: α on q+ wins, β on q− losses
from rlvr.registry import Registry



def _check_rewards(rewards: torch.Tensor) -> None:
    if not isinstance(rewards, torch.Tensor) or rewards.dim() != 2 or rewards.numel() == 0:
        shape = tuple(rewards.shape) if isinstance(rewards, torch.Tensor) else type(rewards).__name__
        raise ValueError(f"rewards must be a non-empty tensor of shape [P, G], got {shape}")
    if not torch.isfinite(rewards).all():
        raise ValueError("rewards must be finite")


def group_advantages(
    rewards: torch.Tensor, eps: float = 1e-6, scale: Literal["std", "none"] = "std"
) -> torch.Tensor:
    """Per-prompt group-relative advantages, rewards [P, G] → advantages [P, G].

        GRPO    (scale="std"):  A_i = (r_i − mean_j r_j) / (std_j r_j + ε)
        Dr.GRPO (scale="none"): A_i =  r_i − mean_j r_j

    std is the *population* std (divide by G): for binary rewards with group success rate p it equals √(p(1−p)),
    so a success gets exactly +√((1−p)/p) and a failure −√(p/(1−p)) (up to ε) — rare successes (small p, q+)
    and rare failures (large p, q−) carry the largest magnitudes. The sample std (divide by G−1) would only
    rescale every group by √((G−1)/G) yet break that closed form. An all-equal group's advantages are exactly 0
    (no NaN, no signal) in both modes, whatever the value it shares.
    """
    _check_rewards(rewards)
    if scale not in ("std", "none"):
        raise ValueError(f"scale must be 'std' (GRPO) or 'none' (Dr.GRPO), got {scale!r}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps!r}")
    rewards = rewards.to(torch.float32)
    centred = _zero_where_equal(rewards - rewards.mean(dim=1, keepdim=True), rewards, dim=1)  # [P, G]
    if scale == "none":
        return centred
    std = rewards.std(dim=1, unbiased=False, keepdim=True)  # [P, 1]
    return centred / (std + eps)


def _zero_where_equal(centred: torch.Tensor, rewards: torch.Tensor, dim: int) -> torch.Tensor:
    """centred with each all-equal group along dim set to exactly 0: a float mean of equal values need not equal
    them (relabelled q− rewards of −λ average to −λ ± 1 ulp), and ε = 1e-6 would blow that ulp up to an
    advantage of ~0.05 with no signal behind it."""
    same = (rewards == rewards.narrow(dim, 0, 1)).all(dim=dim, keepdim=True)
    return centred.masked_fill(same, 0.0)


def _check_binary_with_roles(rewards: torch.Tensor, roles: Sequence[str], who: str) -> None:
    _check_rewards(rewards)
    if not ((rewards == 0) | (rewards == 1)).all():
        raise ValueError(f"{who} needs binary rewards in {{0, 1}}")
    if len(roles) != rewards.shape[0]:
        raise ValueError(f"roles has {len(roles)} entries but rewards has P={rewards.shape[0]} prompts")
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise ValueError(f"roles must be in {ROLES}, got {bad[:3]}")


def pair_weights(rewards: torch.Tensor, roles: Sequence[str], alpha: float, beta: float) -> torch.Tensor:
    """Pair-level outcome weights, rewards [P, G] and roles [P] → weights [P, G].

        w̃_i = α  if r_i = 1 on a q+ prompt   (rare success on a hard-but-solvable prompt)
        w̃_i = β  if r_i = 0 on a q− prompt   (rare failure on an easy-but-brittle prompt)
        w̃_i = 1  otherwise
        w_i = w̃_i · P·G / Σ_j w̃_j          (batch total stays P·G: α, β move emphasis, not the step size)

    α = β = 1 gives all ones exactly, i.e. plain GRPO.
    """
    _check_binary_with_roles(rewards, roles, "pair_weights")
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not (isinstance(value, (int, float)) and value > 0 and value < float("inf")):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    is_plus = torch.tensor([r == Q_PLUS for r in roles], device=rewards.device).unsqueeze(1)   # [P, 1]
    is_minus = torch.tensor([r == Q_MINUS for r in roles], device=rewards.device).unsqueeze(1)  # [P, 1]
    raw = torch.ones(rewards.shape, dtype=torch.float32, device=rewards.device)               # [P, G]
    raw = torch.where(is_plus & (rewards == 1), torch.full_like(raw, float(alpha)), raw)
    raw = torch.where(is_minus & (rewards == 0), torch.full_like(raw, float(beta)), raw)
    return raw * (raw.numel() / raw.sum())


# --- loss aggregation: the normaliser Z of the token sums --------------------------------------------------

LossAggregation = Callable[[torch.Tensor, int], torch.Tensor]  # (mask [B, T], max_len) → Z, a 0-dim tensor
LOSS_AGGREGATIONS: Registry[LossAggregation] = Registry("loss aggregation")
register_loss_agg = LOSS_AGGREGATIONS.register
get_loss_agg = LOSS_AGGREGATIONS.lookup


@register_loss_agg("token")
def token_mean(mask: torch.Tensor, max_len: int) -> torch.Tensor:
    """Z = Σ_{i,t} m_{i,t}: every generated token of the batch weighs the same (long responses not diluted)."""
    return mask.sum()


@register_loss_agg("constant")
def constant_normaliser(mask: torch.Tensor, max_len: int) -> torch.Tensor:
    """Z = B · max_len (Dr.GRPO): no length bias. max_len is the generation budget and must be ≥ every response's
    Σ_t m_{i,t} (rows may also hold masked prompt tokens, so T itself is no bound)."""
    longest = int(mask.sum(dim=1).max().item())
    if max_len < longest:
        raise ValueError(f"max_len={max_len} is shorter than the longest response ({longest} tokens)")
    return torch.tensor(float(mask.shape[0] * max_len), dtype=mask.dtype)


# --- advantage estimators ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class EstimatorParams:
    """What an estimator may read besides the rewards and roles (TrainConfig fields of the same names)."""
    alpha: float = 1.0   # q+ successes' weight
    beta: float = 1.0    # q− failures' weight
    eps: float = 1e-6    # std floor of group normalisation
    relabel_lambda: float = 1.0  # λ of the +1 / −λ relabel readings (a q− failure's reward)


# rewards [P, G] (row p: prompt p's G responses; all prompts of one update, so an estimator may normalise per
# group or pooled over them), roles [P] (Q_PLUS / Q_MINUS / NEUTRAL) → (advantages [P, G], loss weights [P, G]).
AdvantageFn = Callable[[torch.Tensor, Sequence[str], EstimatorParams], tuple[torch.Tensor, torch.Tensor]]


@dataclass(frozen=True)
class Estimator:
    fn: AdvantageFn
    loss_agg: str   # the aggregation its recipe pairs it with, used when the run names none


ADV_ESTIMATORS: Registry[Estimator] = Registry("advantage estimator")
get_adv_estimator = ADV_ESTIMATORS.lookup


def register_adv_est(name: str, loss_agg: str) -> Callable[[AdvantageFn], AdvantageFn]:
    get_loss_agg(loss_agg)

    def register(fn: AdvantageFn) -> AdvantageFn:
        ADV_ESTIMATORS.add(name, Estimator(fn, loss_agg))
        return fn
    return register


@register_adv_est("grpo", loss_agg="token")
def grpo(rewards: torch.Tensor, roles: Sequence[str], params: EstimatorParams) -> tuple[torch.Tensor, torch.Tensor]:
    """Weighted GRPO, the loss-weight reading: std-normalised group advantages, pair weights on the loss terms.

        A_i = (r_i − mean_j r_j) / (std_j r_j + ε)            per prompt's group      (group_advantages)
        w_i = α on q+ successes, β on q− failures, 1 else, renormalised to total P·G    (pair_weights)

    α = β = 1, or neutral roles (the baselines), give w ≡ 1: plain GRPO.
    """
    return (group_advantages(rewards, params.eps, scale="std"),
            pair_weights(rewards, roles, params.alpha, params.beta))


@register_adv_est("drgrpo", loss_agg="constant")
def drgrpo(rewards: torch.Tensor, roles: Sequence[str], params: EstimatorParams) -> tuple[torch.Tensor, torch.Tensor]:
    """Dr.GRPO's centred advantages with the same pair weights: A_i = r_i − mean_j r_j (no std division)."""
    return (group_advantages(rewards, params.eps, scale="none"),
            pair_weights(rewards, roles, params.alpha, params.beta))


# The +1 / −λ relabel readings. What is reported of the paper (second-hand) maps outcomes to +1 / −λ before
# normalisation. Where the normalisation spans exactly the set one affine map was applied to, the map cancels:
# (a·r + b − mean)/std = (r − mean)/std for a > 0. So a map applied to every response is a no-op under per-group
# and pooled normalisation alike; only a map that differs between the pair's prompts — −λ for failures on q−,
# the rare events the method amplifies, 0 elsewhere — can act, and it does once the normalisation pools both
# prompts or has no std. The three readings below are that map under each normalisation.

def relabel_rewards(rewards: torch.Tensor, roles: Sequence[str], lam: float) -> torch.Tensor:
    """Rewards [P, G] with q− failures relabelled −λ: r' = +1 for a success, −λ for a failure on a q− prompt,
    0 for other failures. On a q− row that is the positive affine map r ↦ (1 + λ)·r − λ; elsewhere the identity
    (λ = 0: no change at all)."""
    _check_binary_with_roles(rewards, roles, "relabel_rewards")
    if not (isinstance(lam, (int, float)) and 0 <= lam < float("inf")):
        raise ValueError(f"relabel_lambda must be a finite number >= 0, got {lam!r}")
    is_minus = torch.tensor([r == Q_MINUS for r in roles], device=rewards.device).unsqueeze(1)  # [P, 1]
    rewards = rewards.to(torch.float32)
    return torch.where(is_minus, rewards * (1.0 + lam) - lam, rewards)


def pooled_advantages(rewards: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """Advantages normalised over every response of the update at once, rewards [P, G] → [P, G]:

        A_i = (r_i − mean_all r) / (std_all r + ε)      (population std over all P·G responses)

    For a pair, one baseline and one scale for both prompts' responses. All-equal rewards give exactly 0."""
    _check_rewards(rewards)
    flat = rewards.to(torch.float32).reshape(-1)
    centred = _zero_where_equal(flat - flat.mean(), flat, dim=0)
    return (centred / (flat.std(unbiased=False) + eps)).reshape(rewards.shape)


def _unit_weights(rewards: torch.Tensor) -> torch.Tensor:
    return torch.ones(rewards.shape, dtype=torch.float32, device=rewards.device)


@register_adv_est("relabel_group", loss_agg="token")
def relabel_group(rewards: torch.Tensor, roles: Sequence[str],
                  params: EstimatorParams) -> tuple[torch.Tensor, torch.Tensor]:
    """+1 / −λ relabel, then GRPO's per-group normalisation; weights 1:

        A_i = (r'_i − mean_j r'_j) / (std_j r'_j + ε)     per prompt's group,   r' = relabel_rewards(r)

    Kept as the reading the relabel literally describes: each group's map is affine, so this equals plain GRPO
    (α = β = 1) up to ε (tested)."""
    return (group_advantages(relabel_rewards(rewards, roles, params.relabel_lambda), params.eps, scale="std"),
            _unit_weights(rewards))


@register_adv_est("relabel_pooled", loss_agg="token")
def relabel_pooled(rewards: torch.Tensor, roles: Sequence[str],
                   params: EstimatorParams) -> tuple[torch.Tensor, torch.Tensor]:
    """+1 / −λ relabel, normalised over the whole update (both prompts of the pair together); weights 1:

        A_i = (r'_i − mean_all r') / (std_all r' + ε),    r' = relabel_rewards(r)          (pooled_advantages)

    Example, G = 4, λ = 1: q+ [1, 0, 0, 0] and q− [1, 1, 1, 0] → r' = [1, 0, 0, 0 | 1, 1, 1, −1], mean 3/8,
    std 0.696: the q− failure gets −1.98 (GRPO: −√3), the q+ success +0.90 (GRPO: +√3)."""
    return pooled_advantages(relabel_rewards(rewards, roles, params.relabel_lambda), params.eps), \
        _unit_weights(rewards)


@register_adv_est("relabel_drgrpo", loss_agg="constant")
def relabel_drgrpo(rewards: torch.Tensor, roles: Sequence[str],
                   params: EstimatorParams) -> tuple[torch.Tensor, torch.Tensor]:
    """+1 / −λ relabel, centred per group without the std (Dr.GRPO, with its constant normaliser); weights 1:

        A_i = r'_i − mean_j r'_j,    r' = relabel_rewards(r)

    On q− rows this is (1 + λ) × Dr.GRPO's advantage, elsewhere Dr.GRPO's: the relabel scales the easy prompt's
    whole group against the hard one's."""
    return (group_advantages(relabel_rewards(rewards, roles, params.relabel_lambda), params.eps, scale="none"),
            _unit_weights(rewards))


def _masked_sum(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum()


def policy_loss(
    logprobs: torch.Tensor,
    old_logprobs: torch.Tensor,
    mask: torch.Tensor,
    advantages: torch.Tensor,
    weights: torch.Tensor,
    clip_eps: float = 0.2,
    ref_logprobs: torch.Tensor | None = None,
    beta_kl: float = 0.0,
    entropy: torch.Tensor | None = None,
    beta_h: float = 0.0,
    loss_agg: str = "token",
    max_len: int | None = None,
) -> tuple[torch.Tensor, dict[str, float]]:
    """PPO-clipped Weighted GRPO loss, token level. Returns (scalar loss, stats of floats).

    Inputs: logprobs, old_logprobs, mask, ref_logprobs, entropy [B, T]; advantages, weights [B].
    old_logprobs are the rollout (sampler) policy's, treated as constants.

        ρ_{i,t} = exp(log π_θ(o_{i,t}) − log π_old(o_{i,t}))
        L_PG = − 1/Z · Σ_i w_i Σ_t m_{i,t} · min(ρ_{i,t} A_i, clip(ρ_{i,t}, 1 − ε_c, 1 + ε_c) A_i)
        KL   =   1/Z · Σ_{i,t} m_{i,t} · (e^{x} − x − 1),  x = log π_ref − log π_θ   (k3 estimator, ≥ 0)
        H    =   1/Z · Σ_{i,t} m_{i,t} · H_{i,t}
        L    = L_PG + β_KL · KL − β_H · H

    Z comes from LOSS_AGGREGATIONS[loss_agg]: Σ_{i,t} m_{i,t} ("token") or B · max_len ("constant", Dr.GRPO;
    max_len is the generation budget, defaulting to T).
    Weights multiply only the policy-gradient term; KL and entropy regularise the policy as a whole.
    Row i of the [B, ·] inputs is response i mod G of prompt i // G, i.e. `pair_weights(...).reshape(-1)`.
    Stats report per-token means (Σ m·x / Σ m) whatever the normaliser, so runs stay comparable.
    """
    if logprobs.dim() != 2:
        raise ValueError(f"logprobs must have shape [B, T], got {tuple(logprobs.shape)}")
    b, t = logprobs.shape
    for name, x in (("old_logprobs", old_logprobs), ("mask", mask), ("ref_logprobs", ref_logprobs),
                    ("entropy", entropy)):
        if x is not None and tuple(x.shape) != (b, t):
            raise ValueError(f"{name} must have shape [B, T] = {(b, t)}, got {tuple(x.shape)}")
    for name, x in (("advantages", advantages), ("weights", weights)):
        if tuple(x.shape) != (b,):
            raise ValueError(f"{name} must have shape [B] = ({b},), got {tuple(x.shape)}")
    if not 0 < clip_eps < 1:
        raise ValueError(f"clip_eps must lie in (0, 1), got {clip_eps!r}")
    if beta_kl < 0 or beta_h < 0:
        raise ValueError(f"beta_kl and beta_h must be ≥ 0, got beta_kl={beta_kl}, beta_h={beta_h}")
    if beta_kl > 0 and ref_logprobs is None:
        raise ValueError("beta_kl > 0 needs ref_logprobs")
    if beta_h > 0 and entropy is None:
        raise ValueError("beta_h > 0 needs entropy")

    m = mask.to(logprobs.dtype)  # [B, T]
    n_tokens = m.sum()
    if n_tokens.item() == 0:
        raise ValueError("mask selects no tokens")
    z = get_loss_agg(loss_agg)(m, t if max_len is None else max_len)

    adv = advantages.detach().to(logprobs.dtype).unsqueeze(1)  # [B, 1]
    w = weights.detach().to(logprobs.dtype).unsqueeze(1)       # [B, 1]
    ratio = torch.exp(logprobs - old_logprobs.detach())        # [B, T]
    clipped = torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps)
    surrogate = torch.minimum(ratio * adv, clipped * adv)      # [B, T]
    pg_loss = -_masked_sum(w * surrogate, m) / z
    loss = pg_loss

    stats: dict[str, float] = {}
    if ref_logprobs is not None:
        x = ref_logprobs.detach() - logprobs
        k3 = torch.exp(x) - x - 1.0  # [B, T]
        loss = loss + beta_kl * _masked_sum(k3, m) / z
        stats["kl"] = (_masked_sum(k3.detach(), m) / n_tokens).item()
    if entropy is not None:
        ent = _masked_sum(entropy, m) / z
        loss = loss - beta_h * ent
        stats["entropy"] = (_masked_sum(entropy.detach(), m) / n_tokens).item()

    with torch.no_grad():
        # The clipped branch is the active one (and has zero gradient) exactly in these two cases.
        is_clipped = ((ratio > 1.0 + clip_eps) & (adv > 0)) | ((ratio < 1.0 - clip_eps) & (adv < 0))
        stats.update(
            loss=loss.item(),
            pg_loss=pg_loss.item(),
            clip_frac=(_masked_sum(is_clipped.to(m.dtype), m) / n_tokens).item(),
            ratio_mean=(_masked_sum(ratio, m) / n_tokens).item(),
            ratio_max=ratio.masked_fill(m == 0, float("-inf")).max().item(),
            adv_mean=advantages.float().mean().item(),
            adv_std=advantages.float().std(unbiased=False).item(),
            adv_abs_max=advantages.float().abs().max().item(),
            weight_mean=weights.float().mean().item(),
            weight_max=weights.float().max().item(),
            num_tokens=n_tokens.item(),
        )
    return loss, stats
