"""Weighted GRPO math against hand-computed values: advantages, pair weights, clipped token-level loss."""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr import weighted_grpo
from rlvr.weighted_grpo import NEUTRAL, Q_MINUS, Q_PLUS, group_advantages, pair_weights, policy_loss

EPS = 1e-6


# --- group_advantages ---------------------------------------------------------------------------------------

def test_advantages_rare_success_p_quarter():
    # p = 1/4, population std = √(1/4·3/4) = √3/4: success (3/4)/(√3/4) = √3, failure −(1/4)/(√3/4) = −1/√3.
    adv = group_advantages(torch.tensor([[1.0, 0.0, 0.0, 0.0]]))
    expected = torch.tensor([[math.sqrt(3), -1 / math.sqrt(3), -1 / math.sqrt(3), -1 / math.sqrt(3)]])
    torch.testing.assert_close(adv, expected, rtol=1e-5, atol=0)


def test_advantages_rare_failure_p_three_quarters():
    adv = group_advantages(torch.tensor([[1.0, 1.0, 0.0, 1.0]]))
    torch.testing.assert_close(adv[0, 2], torch.tensor(-math.sqrt(3)), rtol=1e-5, atol=0)
    torch.testing.assert_close(adv[0, 0], torch.tensor(1 / math.sqrt(3)), rtol=1e-5, atol=0)


@pytest.mark.parametrize("scale", ["std", "none"])
def test_all_equal_groups_give_exact_zero(scale):
    rewards = torch.tensor([[1.0] * 8, [0.0] * 8, [1.0, 0.0] * 4])
    adv = group_advantages(rewards, scale=scale)
    assert torch.equal(adv[:2], torch.zeros(2, 8))
    assert torch.isfinite(adv).all()
    assert adv[2].abs().min() > 0


def test_dr_grpo_is_mean_centred_only():
    adv = group_advantages(torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]]), scale="none")
    assert torch.equal(adv, torch.tensor([[0.75, -0.25, -0.25, -0.25], [0.25, 0.25, 0.25, -0.75]]))


@settings(max_examples=60, deadline=None)
@given(g=st.integers(2, 64), data=st.data())
def test_advantage_closed_form_for_binary_groups(g, data):
    c = data.draw(st.integers(1, g - 1))
    rewards = torch.tensor([[1.0] * c + [0.0] * (g - c)])
    adv = group_advantages(rewards, eps=EPS)
    p = c / g
    sigma = math.sqrt(p * (1 - p))
    shrink = sigma / (sigma + EPS)
    assert adv[0, 0].item() == pytest.approx(math.sqrt((1 - p) / p) * shrink, rel=1e-5)
    assert adv[0, -1].item() == pytest.approx(-math.sqrt(p / (1 - p)) * shrink, rel=1e-5)
    assert abs(adv.sum().item()) < 1e-4  # centred


def test_std_advantages_ignore_positive_affine_reward_maps():
    # Mapping outcomes to {+1, −λ} before per-group std normalisation changes nothing (docs/method.md).
    r = torch.tensor([[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]])
    lam = 3.0
    mapped = torch.where(r == 1, torch.tensor(1.0), torch.tensor(-lam))
    torch.testing.assert_close(group_advantages(mapped), group_advantages(r), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bad", [torch.zeros(4), torch.zeros(0, 4), torch.tensor([[float("nan"), 1.0]])])
def test_advantages_reject_bad_rewards(bad):
    with pytest.raises(ValueError, match="rewards"):
        group_advantages(bad)


def test_advantages_reject_unknown_scale():
    with pytest.raises(ValueError, match="scale"):
        group_advantages(torch.ones(1, 2), scale="max")


# --- pair_weights -------------------------------------------------------------------------------------------

PAIR = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]])


def test_pair_weights_hand_computed():
    # raw [[2,1,1,1],[1,1,1,3]], Σ = 11, P·G = 8 → scale 8/11.
    w = pair_weights(PAIR, [Q_PLUS, Q_MINUS], alpha=2.0, beta=3.0)
    expected = torch.tensor([[16 / 11, 8 / 11, 8 / 11, 8 / 11], [8 / 11, 8 / 11, 8 / 11, 24 / 11]])
    torch.testing.assert_close(w, expected)
    assert w.sum().item() == pytest.approx(8.0)


def test_pair_weights_alpha_beta_one_is_exactly_ones():
    assert torch.equal(pair_weights(PAIR, [Q_PLUS, Q_MINUS], 1.0, 1.0), torch.ones(2, 4))


def test_pair_weights_only_touch_rare_outcomes_of_their_role():
    # Failures on q+ and successes on q− keep raw weight 1; neutral prompts are never reweighted.
    assert torch.equal(pair_weights(PAIR, [NEUTRAL, NEUTRAL], 5.0, 7.0), torch.ones(2, 4))
    swapped = pair_weights(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), [Q_PLUS, Q_MINUS], 5.0, 7.0)
    assert torch.equal(swapped, torch.ones(2, 2))


@settings(max_examples=60, deadline=None)
@given(
    p=st.integers(1, 4), g=st.integers(1, 16), alpha=st.floats(0.1, 10), beta=st.floats(0.1, 10), data=st.data()
)
def test_pair_weights_total_is_batch_size_and_ratios_kept(p, g, alpha, beta, data):
    rewards = torch.tensor(data.draw(st.lists(st.lists(st.sampled_from([0.0, 1.0]), min_size=g, max_size=g),
                                              min_size=p, max_size=p)))
    roles = data.draw(st.lists(st.sampled_from([Q_PLUS, Q_MINUS, NEUTRAL]), min_size=p, max_size=p))
    w = pair_weights(rewards, roles, alpha, beta)
    assert w.sum().item() == pytest.approx(p * g, rel=1e-5)
    base = w[(rewards == 0) & torch.tensor([r != Q_MINUS for r in roles]).unsqueeze(1)]
    if base.numel():  # every weight is α, β or 1 times one common factor
        unit = base[0].item()
        for i, role in enumerate(roles):
            for j in range(g):
                raw = alpha if (role == Q_PLUS and rewards[i, j] == 1) else beta if (
                    role == Q_MINUS and rewards[i, j] == 0) else 1.0
                assert w[i, j].item() == pytest.approx(raw * unit, rel=1e-5)


def test_pair_weights_reject_bad_inputs():
    with pytest.raises(ValueError, match="roles has 1"):
        pair_weights(PAIR, [Q_PLUS], 1.0, 1.0)
    with pytest.raises(ValueError, match="roles must be"):
        pair_weights(PAIR, [Q_PLUS, "hard"], 1.0, 1.0)
    with pytest.raises(ValueError, match="binary"):
        pair_weights(PAIR * 0.5, [Q_PLUS, Q_MINUS], 1.0, 1.0)
    with pytest.raises(ValueError, match="alpha"):
        pair_weights(PAIR, [Q_PLUS, Q_MINUS], 0.0, 1.0)


# --- policy_loss --------------------------------------------------------------------------------------------

def _batch(b=4, t=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    logp = -torch.rand(b, t, generator=g) * 3
    old = logp + 0.3 * (torch.rand(b, t, generator=g) - 0.5)
    mask = torch.ones(b, t)
    mask[1, 3:] = 0
    mask[3, 1:] = 0
    return logp, old, mask


def _grpo_reference(logp, old, mask, adv, clip_eps=0.2):
    """Plain GRPO written independently, token by token."""
    total, count = 0.0, 0
    for i in range(logp.shape[0]):
        for t in range(logp.shape[1]):
            if mask[i, t]:
                ratio = math.exp(logp[i, t].item() - old[i, t].item())
                a = adv[i].item()
                total += min(ratio * a, min(max(ratio, 1 - clip_eps), 1 + clip_eps) * a)
                count += 1
    return -total / count


def test_alpha_beta_one_reduces_exactly_to_grpo():
    rewards = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    adv = group_advantages(rewards).reshape(-1)
    logp, old, mask = _batch()
    w = pair_weights(rewards, [Q_PLUS, Q_MINUS], 1.0, 1.0).reshape(-1)
    weighted, _ = policy_loss(logp, old, mask, adv, w)
    plain, _ = policy_loss(logp, old, mask, adv, torch.ones(4))
    assert torch.equal(weighted, plain)
    assert weighted.item() == pytest.approx(_grpo_reference(logp, old, mask, adv), rel=1e-6)


def test_policy_loss_hand_computed():
    # Two responses, on-policy except one token: ratios [[1, 2], [1, 1]], A = [+1, −1], w = [2, 1], 4 tokens.
    logp = torch.tensor([[-1.0, -1.0 + math.log(2.0)], [-2.0, -2.0]])
    old = torch.tensor([[-1.0, -1.0], [-2.0, -2.0]])
    loss, stats = policy_loss(logp, old, torch.ones(2, 2), torch.tensor([1.0, -1.0]), torch.tensor([2.0, 1.0]))
    # token terms w·min(ρA, clip(ρ)A): 2·1, 2·min(2, 1.2) = 2.4, 1·(−1), 1·(−1) → Σ = 2.4, L = −2.4/4
    assert loss.item() == pytest.approx(-0.6, rel=1e-6)
    assert stats["clip_frac"] == pytest.approx(0.25)
    assert stats["ratio_mean"] == pytest.approx(1.25, rel=1e-6)
    assert stats["ratio_max"] == pytest.approx(2.0, rel=1e-6)
    assert stats["num_tokens"] == 4.0


@pytest.mark.parametrize(
    "ratio, adv, clipped",
    [(1.5, 1.0, True), (0.5, 1.0, False), (0.5, -1.0, True), (1.5, -1.0, False), (1.1, 1.0, False)],
)
def test_clipping_zeroes_gradient_only_outside_trust_region(ratio, adv, clipped):
    old = torch.tensor([[-1.0]])
    logp = (old + math.log(ratio)).requires_grad_(True)
    loss, stats = policy_loss(logp, old, torch.ones(1, 1), torch.tensor([adv]), torch.ones(1), clip_eps=0.2)
    loss.backward()
    expected_value = -min(ratio * adv, min(max(ratio, 0.8), 1.2) * adv)
    assert loss.item() == pytest.approx(expected_value, rel=1e-6)
    assert stats["clip_frac"] == (1.0 if clipped else 0.0)
    if clipped:
        assert logp.grad.item() == 0.0
    else:  # d/dlogp of −ρA = −ρA
        assert logp.grad.item() == pytest.approx(-ratio * adv, rel=1e-6)


def test_gradient_signs_push_q_plus_success_up_and_q_minus_failure_down():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]])  # q+ then q−
    adv = group_advantages(rewards).reshape(-1)
    w = pair_weights(rewards, [Q_PLUS, Q_MINUS], 2.0, 2.0).reshape(-1)
    old = -torch.ones(8, 3)
    logp = old.clone().requires_grad_(True)  # on-policy: ρ = 1
    loss, _ = policy_loss(logp, old, torch.ones(8, 3), adv, w)
    loss.backward()
    grad = logp.grad.sum(dim=1)
    assert grad[0] < 0  # gradient descent raises the q+ success's log-probability
    assert grad[7] > 0  # and lowers the q− rare failure's
    # on-policy, d L / d logp_{i,t} = −w_i A_i / Z exactly
    torch.testing.assert_close(logp.grad, (-(w * adv) / 24).unsqueeze(1).expand(8, 3), rtol=1e-5, atol=1e-7)


def test_weights_amplify_rare_events():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 0.0]])
    adv = group_advantages(rewards).reshape(-1)
    old = -torch.ones(8, 2)

    def grads(alpha, beta):
        logp = old.clone().requires_grad_(True)
        w = pair_weights(rewards, [Q_PLUS, Q_MINUS], alpha, beta).reshape(-1)
        policy_loss(logp, old, torch.ones(8, 2), adv, w)[0].backward()
        return logp.grad.abs().sum(dim=1)

    plain, weighted = grads(1.0, 1.0), grads(3.0, 3.0)
    assert weighted[0] > plain[0] and weighted[7] > plain[7]  # rare events gain emphasis
    assert weighted[1] < plain[1]                             # common outcomes give some up


def test_masked_tokens_do_not_matter():
    logp, old, mask = _batch()
    adv, w = torch.tensor([1.0, -0.5, 0.3, 2.0]), torch.tensor([1.0, 2.0, 0.5, 1.0])
    base, _ = policy_loss(logp, old, mask, adv, w)
    noisy = torch.where(mask.bool(), logp, torch.full_like(logp, 5.0))
    assert torch.equal(policy_loss(noisy, old, mask, adv, w)[0], base)


def test_constant_length_norm_divides_by_batch_times_max_len():
    logp, old, mask = _batch()
    adv, w = torch.tensor([1.0, -0.5, 0.3, 2.0]), torch.ones(4)
    token, _ = policy_loss(logp, old, mask, adv, w)
    const, _ = policy_loss(logp, old, mask, adv, w, loss_agg="constant", max_len=8)
    assert const.item() == pytest.approx(token.item() * mask.sum().item() / (4 * 8), rel=1e-6)
    default, _ = policy_loss(logp, old, mask, adv, w, loss_agg="constant")
    assert default.item() == pytest.approx(token.item() * mask.sum().item() / (4 * 5), rel=1e-6)
    # rows holding masked prompt tokens: max_len bounds the responses (≤ 2 tokens here), not T = 5
    prompt_masked = mask.clone()
    prompt_masked[:, :3] = 0
    short, _ = policy_loss(logp, old, prompt_masked, adv, w, loss_agg="constant", max_len=2)
    token_short, _ = policy_loss(logp, old, prompt_masked, adv, w)
    assert short.item() == pytest.approx(token_short.item() * prompt_masked.sum().item() / (4 * 2), rel=1e-6)


def test_k3_kl_value_gradient_and_zero_at_reference():
    logp = torch.tensor([[-1.0, -2.0]], requires_grad=True)
    ref = torch.tensor([[-1.0 + math.log(2.0), -2.0]])  # x = log 2 on token 0, 0 on token 1
    zero_adv, ones = torch.zeros(1), torch.ones(1)
    loss, stats = policy_loss(logp, logp.detach(), torch.ones(1, 2), zero_adv, ones, ref_logprobs=ref, beta_kl=0.5)
    k3 = 2.0 - math.log(2.0) - 1.0
    assert stats["kl"] == pytest.approx(k3 / 2, rel=1e-6)
    assert loss.item() == pytest.approx(0.5 * k3 / 2, rel=1e-6)
    loss.backward()
    # d/dlogp (e^x − x − 1) with x = ref − logp is 1 − e^x: −1 on token 0 (pulls logp toward ref), 0 on token 1
    torch.testing.assert_close(logp.grad, torch.tensor([[0.5 * (1 - 2.0) / 2, 0.0]]))
    _, at_ref = policy_loss(logp.detach(), logp.detach(), torch.ones(1, 2), zero_adv, ones,
                            ref_logprobs=logp.detach())
    assert at_ref["kl"] == 0.0


def test_entropy_bonus_lowers_loss():
    logp, old, mask = _batch()
    adv, w = torch.tensor([1.0, -0.5, 0.3, 2.0]), torch.ones(4)
    ent = torch.full_like(logp, 0.7)
    base, _ = policy_loss(logp, old, mask, adv, w, entropy=ent)
    bonus, stats = policy_loss(logp, old, mask, adv, w, entropy=ent, beta_h=0.1)
    assert bonus.item() == pytest.approx(base.item() - 0.1 * 0.7, rel=1e-6)
    assert stats["entropy"] == pytest.approx(0.7)


def test_stats_are_plain_floats():
    logp, old, mask = _batch()
    _, stats = policy_loss(logp, old, mask, torch.ones(4), torch.ones(4), ref_logprobs=old,
                           entropy=torch.ones_like(logp))
    assert {"loss", "pg_loss", "clip_frac", "kl", "entropy", "ratio_mean", "adv_mean", "adv_std",
            "weight_mean", "num_tokens"} <= set(stats)
    assert all(type(v) is float for v in stats.values())


def test_policy_loss_rejects_bad_inputs():
    logp, old, mask = _batch()
    adv, w = torch.ones(4), torch.ones(4)
    with pytest.raises(ValueError, match="old_logprobs must have shape"):
        policy_loss(logp, old[:, :2], mask, adv, w)
    with pytest.raises(ValueError, match="weights must have shape"):
        policy_loss(logp, old, mask, adv, torch.ones(3))
    with pytest.raises(ValueError, match="no tokens"):
        policy_loss(logp, old, torch.zeros_like(mask), adv, w)
    with pytest.raises(ValueError, match="ref_logprobs"):
        policy_loss(logp, old, mask, adv, w, beta_kl=0.1)
    with pytest.raises(ValueError, match=r"loss aggregation must be one of \['constant', 'token'\], got 'seq'"):
        policy_loss(logp, old, mask, adv, w, loss_agg="seq")
    with pytest.raises(ValueError, match="longest response"):
        policy_loss(logp, old, mask, adv, w, loss_agg="constant", max_len=4)


# --- registries -----------------------------------------------------------------------------------------------

def test_estimators_grpo_and_drgrpo_by_hand():
    # q+ with one success of 4 (p = 1/4), q− with one failure of 4 (p = 3/4); α = 2, β = 3.
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]])
    params = weighted_grpo.EstimatorParams(alpha=2.0, beta=3.0)
    adv, w = weighted_grpo.get_adv_estimator("grpo").fn(rewards, [Q_PLUS, Q_MINUS], params)
    s3 = math.sqrt(3.0)
    torch.testing.assert_close(adv, torch.tensor([[s3, -1 / s3, -1 / s3, -1 / s3], [1 / s3, 1 / s3, -s3, 1 / s3]]),
                               rtol=1e-5, atol=1e-5)
    # raw weights [2,1,1,1 | 1,1,3,1], total 11 → × 8/11
    torch.testing.assert_close(w, torch.tensor([[2.0, 1, 1, 1], [1, 1, 3, 1]]) * 8 / 11)
    adv, w2 = weighted_grpo.get_adv_estimator("drgrpo").fn(rewards, [Q_PLUS, Q_MINUS], params)
    torch.testing.assert_close(adv, torch.tensor([[0.75, -0.25, -0.25, -0.25], [0.25, 0.25, -0.75, 0.25]]))
    assert torch.equal(w2, w)


def test_each_estimator_names_its_default_aggregation():
    assert weighted_grpo.get_adv_estimator("grpo").loss_agg == "token"
    assert weighted_grpo.get_adv_estimator("drgrpo").loss_agg == "constant"
    mask = torch.tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    assert weighted_grpo.get_loss_agg("token")(mask, 8).item() == 3.0
    assert weighted_grpo.get_loss_agg("constant")(mask, 8).item() == 16.0


def test_registries_reject_unknown_and_repeated_names():
    with pytest.raises(ValueError, match=r"advantage estimator must be one of \['drgrpo', 'grpo'.*got 'ppo'"):
        weighted_grpo.get_adv_estimator("ppo")
    with pytest.raises(ValueError, match="registered twice"):
        weighted_grpo.register_adv_est("grpo", loss_agg="token")(weighted_grpo.grpo)
    with pytest.raises(ValueError, match="registered twice"):
        weighted_grpo.register_loss_agg("token")(weighted_grpo.token_mean)
    with pytest.raises(ValueError, match="loss aggregation must be one of"):
        weighted_grpo.register_adv_est("new", loss_agg="sequence")


def test_a_registered_estimator_is_a_valid_trainer_choice():
    from rlvr import trainer

    with pytest.raises(ValueError, match=r"advantage must be one of \['grpo', 'drgrpo', .*\], got 'halved'"):
        trainer.TrainConfig(advantage="halved").validate()

    @weighted_grpo.register_adv_est("halved", loss_agg="token")
    def halved(rewards, roles, params):
        adv, w = weighted_grpo.grpo(rewards, roles, params)
        return adv / 2, w

    try:
        trainer.TrainConfig(advantage="halved").validate()
        trainer.TrainConfig(advantage="grpo", loss_agg="constant").validate()  # the two axes are independent
        with pytest.raises(ValueError, match=r"loss_agg must be one of \['', 'token', 'constant'\]"):
            trainer.TrainConfig(loss_agg="sequence").validate()
    finally:
        del weighted_grpo.ADV_ESTIMATORS["halved"]


# --- the +1 / −λ relabel readings -----------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(g=st.integers(2, 8), roles=st.lists(st.sampled_from([Q_PLUS, Q_MINUS, NEUTRAL]), min_size=1, max_size=4),
       lam=st.floats(0.0, 5.0), data=st.data())
def test_relabel_with_per_group_normalisation_is_grpo(g, roles, lam, data):
    rewards = torch.tensor(data.draw(st.lists(st.lists(st.sampled_from([0.0, 1.0]), min_size=g, max_size=g),
                                              min_size=len(roles), max_size=len(roles))))
    plain = weighted_grpo.EstimatorParams()  # α = β = 1: GRPO
    adv, w = weighted_grpo.get_adv_estimator("relabel_group").fn(
        rewards, roles, weighted_grpo.EstimatorParams(relabel_lambda=lam))
    grpo_adv, grpo_w = weighted_grpo.grpo(rewards, roles, plain)
    torch.testing.assert_close(adv, grpo_adv, rtol=1e-4, atol=1e-4)  # equal up to ε / (1 + λ)
    assert torch.equal(w, grpo_w) and torch.equal(w, torch.ones_like(w))


def test_relabel_map_by_hand():
    rewards = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    out = weighted_grpo.relabel_rewards(rewards, [Q_PLUS, Q_MINUS, NEUTRAL], 2.0)
    assert out.tolist() == [[1.0, 0.0], [1.0, -2.0], [1.0, 0.0]]
    assert torch.equal(weighted_grpo.relabel_rewards(rewards, [Q_MINUS] * 3, 0.0), rewards)
    with pytest.raises(ValueError, match="relabel_lambda"):
        weighted_grpo.relabel_rewards(rewards, [Q_MINUS] * 3, -1.0)
    with pytest.raises(ValueError, match="binary"):
        weighted_grpo.relabel_rewards(rewards * 0.5, [Q_MINUS] * 3, 1.0)


def test_relabel_pooled_over_the_pair_by_hand():
    # G = 4, λ = 1: r' = [1, 0, 0, 0 | 1, 1, 1, −1]; mean 3/8, population variance 5/8 − 9/64 = 31/64.
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]])
    adv, w = weighted_grpo.get_adv_estimator("relabel_pooled").fn(rewards, [Q_PLUS, Q_MINUS],
                                                                  weighted_grpo.EstimatorParams(relabel_lambda=1.0))
    sd = math.sqrt(31 / 64)
    expect = (torch.tensor([[1.0, 0, 0, 0], [1, 1, -1, 1]]) - 3 / 8) / sd
    torch.testing.assert_close(adv, expect, rtol=1e-5, atol=1e-5)
    assert adv[1, 2].item() == pytest.approx(-1.976, abs=1e-3) and adv[0, 0].item() == pytest.approx(0.898, abs=1e-3)
    assert torch.equal(w, torch.ones(2, 4))
    # Unlike per-group normalisation, λ acts: the q− failure goes further below the pooled baseline.
    more, _ = weighted_grpo.relabel_pooled(rewards, [Q_PLUS, Q_MINUS], weighted_grpo.EstimatorParams(relabel_lambda=3))
    assert more[1, 2] < adv[1, 2] - 0.1
    # All rewards equal → exactly 0, no NaN.
    assert torch.equal(weighted_grpo.pooled_advantages(torch.ones(2, 4)), torch.zeros(2, 4))


def test_relabel_without_std_scales_the_q_minus_group():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]])
    est = weighted_grpo.get_adv_estimator("relabel_drgrpo")
    assert est.loss_agg == "constant"
    adv, w = est.fn(rewards, [Q_PLUS, Q_MINUS], weighted_grpo.EstimatorParams(relabel_lambda=1.0))
    # q+ as Dr.GRPO; q− (1 + λ) = 2 × Dr.GRPO's [0.25, 0.25, −0.75, 0.25]
    torch.testing.assert_close(adv, torch.tensor([[0.75, -0.25, -0.25, -0.25], [0.5, 0.5, -1.5, 0.5]]))
    assert torch.equal(w, torch.ones(2, 4))


@pytest.mark.parametrize("lam", [0.3, 1.0, 1.2004598304931948, 4.7])
@pytest.mark.parametrize("name", ["relabel_group", "relabel_pooled", "relabel_drgrpo"])
def test_relabelled_all_equal_groups_carry_no_advantage(name, lam):
    # −λ and (1 + λ)·1 − λ are not exact in float32, so a float mean of three equal values may miss them by an ulp;
    # with ε = 1e-6 that ulp once became advantages of 0.056 on an all-correct q− group (hypothesis found it).
    for row in ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0]):
        adv, _ = weighted_grpo.get_adv_estimator(name).fn(
            torch.tensor([row]), [Q_MINUS], weighted_grpo.EstimatorParams(relabel_lambda=lam))
        assert torch.equal(adv, torch.zeros(1, 3)), (row, adv)
