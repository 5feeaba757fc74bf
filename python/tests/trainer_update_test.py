"""One Weighted GRPO update through a real DeepSpeed engine: split into micro-batches (gradient accumulation) or
with gradient checkpointing, it must leave the same weights and report the same statistics as the update done in
one pass — those two options trade memory for time, never the result."""
import copy
import json

import pytest

from rlvr import runtime

runtime.setup()

import torch  # noqa: E402

from rlvr import distributed, trainer, weighted_grpo  # noqa: E402

G = 4


def _batch() -> dict:
    """A (q+, q−) pair with G responses each, of different lengths, and mixed rewards (every group has signal)."""
    gen = torch.Generator().manual_seed(0)
    lengths = [3, 7, 5, 2, 6, 4, 8, 1]
    responses = [torch.randint(3, 60, (n,), generator=gen).tolist() for n in lengths]
    return {"rewards": [[1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0]],
            "roles": [weighted_grpo.Q_PLUS, weighted_grpo.Q_MINUS],
            "prompt_ids": [[5, 9, 11, 2], [7, 3, 2]], "lengths": lengths,
            "mine": range(len(lengths)), "response_ids": responses,  # one rank: it holds every response
            "sampler_logprobs": [[0.0] * n for n in lengths]}


@pytest.fixture(scope="module")
def base_model():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    distributed.init()
    torch.manual_seed(0)
    return Qwen2ForCausalLM(Qwen2Config(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                        tie_word_embeddings=False)).float()


@pytest.fixture(scope="module")
def ds_config(tmp_path_factory):
    """The default DeepSpeed config with Adam's ε = 1: the first step is then ≈ lr · g, linear in the gradient,
    instead of lr · sign(g), which would blow float round-off on near-zero gradients up to ±lr."""
    with open(trainer.DEFAULT_DS_CONFIG, encoding="utf-8") as f:
        ds = json.load(f)
    ds["optimizer"]["params"]["eps"] = 1.0
    path = tmp_path_factory.mktemp("ds") / "ds.json"
    path.write_text(json.dumps(ds))
    return str(path)


def _one_update(base_model, ds_config, batch=None, **options):
    import deepspeed

    cfg = trainer.TrainConfig(**{"rollouts_per_prompt": G, "beta_kl": 0.05, "alpha": 2.0, "beta": 2.0, "lr": 1.0,
                                 "ds_config": ds_config, **options})
    cfg.validate()
    model = copy.deepcopy(base_model)
    if cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    engine, _, _, _ = deepspeed.initialize(model=model, model_parameters=list(model.parameters()),
                                           config=trainer._ds_config(cfg, world=1))
    engine.train()
    stats = trainer._update(engine, batch or _batch(), cfg, world=1, pad_id=0,
                            ref_model=copy.deepcopy(base_model))
    return {k: v.detach().clone() for k, v in engine.module.state_dict().items()}, stats


@pytest.mark.parametrize("options", [{"micro_batch_size": 3}, {"micro_batch_size": 1},
                                     {"gradient_checkpointing": True, "micro_batch_size": 2}])
def test_micro_batches_and_checkpointing_leave_the_one_pass_result(base_model, ds_config, options):
    whole, whole_stats = _one_update(base_model, ds_config)
    split, split_stats = _one_update(base_model, ds_config, **options)
    moved = max((whole[k] - base_model.state_dict()[k]).abs().max().item() for k in whole)
    assert moved > 1e-4  # the update did something, so equality below means something
    for k in whole:
        torch.testing.assert_close(split[k], whole[k], rtol=1e-5, atol=1e-6, msg=k)
    for key in ("loss", "entropy", "kl", "grad_norm", "clip_frac"):
        assert split_stats[key] == pytest.approx(whole_stats[key], rel=1e-5, abs=1e-7), key


def test_micro_batch_count_is_the_same_on_every_rank():
    cfg = trainer.TrainConfig(rollouts_per_prompt=8, micro_batch_size=3)
    assert trainer.responses_per_update(cfg) == 16
    assert trainer.micro_batches(cfg, world=1) == 6      # 16 responses, ≤ 3 per pass
    assert trainer.micro_batches(cfg, world=2) == 3      # 8 per rank
    assert trainer.micro_batches(trainer.TrainConfig(rollouts_per_prompt=8), world=2) == 1
    pool = trainer.TrainConfig(method="pool_grpo", pool_batch=4, rollouts_per_prompt=8, micro_batch_size=5)
    # 32 responses = 4 groups of 8 over 3 ranks: 2, 1, 1 groups (no group cut) → 16 on the first → 4 passes each
    assert trainer.micro_batches(pool, world=3) == 4
    assert trainer.micro_batches(pool, world=8) == 1     # fewer groups than ranks: 4 responses each
    assert trainer._ds_config(cfg, world=2)["gradient_accumulation_steps"] == 3
    with pytest.raises(ValueError, match="micro_batch_size must be >= 0"):
        trainer.TrainConfig(micro_batch_size=-1).validate()


def test_loss_aggregation_is_its_own_axis(base_model, ds_config):
    drgrpo, drgrpo_stats = _one_update(base_model, ds_config, advantage="drgrpo")  # its own: constant B·max_len
    const, const_stats = _one_update(base_model, ds_config, advantage="drgrpo", loss_agg="constant")
    token, token_stats = _one_update(base_model, ds_config, advantage="drgrpo", loss_agg="token")
    assert const_stats["loss"] == drgrpo_stats["loss"]
    for k in drgrpo:
        assert torch.equal(const[k], drgrpo[k]), k
    # Token mean: Z = 36 tokens instead of 8 × 48 = 384, so the policy term is 384/36 times larger.
    assert abs(token_stats["loss"]) > 2 * abs(drgrpo_stats["loss"])


def test_relabel_lambda_reaches_the_estimator(base_model, ds_config):
    one, _ = _one_update(base_model, ds_config, advantage="relabel_pooled", relabel_lambda=1.0)
    three, _ = _one_update(base_model, ds_config, advantage="relabel_pooled", relabel_lambda=3.0)
    assert any(not torch.allclose(one[k], three[k]) for k in one)  # λ moves the pooled baseline: another update
    with pytest.raises(ValueError, match="relabel_lambda must be >= 0"):
        trainer.TrainConfig(relabel_lambda=-1.0).validate()


def test_groups_per_prompt_makes_c_groups_of_g(base_model, ds_config):
    both = _batch()  # the pair's 2 × G responses, here as one q+ prompt's C = 2 groups
    copies = {**both, "rewards": [both["rewards"][0] + both["rewards"][1]], "roles": [weighted_grpo.Q_PLUS],
              "prompt_ids": [both["prompt_ids"][0]]}
    rows = {**both, "roles": [weighted_grpo.Q_PLUS] * 2, "prompt_ids": [both["prompt_ids"][0]] * 2}
    c2, c2_stats = _one_update(base_model, ds_config, copies, groups_per_prompt=2)
    two, two_stats = _one_update(base_model, ds_config, rows)  # the same prompt written as two rows, C = 1
    for k in c2:
        torch.testing.assert_close(c2[k], two[k], rtol=1e-5, atol=1e-6, msg=k)
    assert c2_stats["loss"] == pytest.approx(two_stats["loss"], rel=1e-5)
    one_group, _ = _one_update(base_model, ds_config, copies, rollouts_per_prompt=2 * G)  # one group of 8 instead
    assert any(not torch.allclose(one_group[k], c2[k]) for k in c2)
    rewards, roles = trainer.group_rows([[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]], ["q-"], 3)
    assert rewards.tolist() == [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]] and roles == ["q-"] * 3
    with pytest.raises(ValueError, match="C·G rewards with C = 4"):
        trainer.group_rows([[1.0, 0.0, 0.0, 1.0, 1.0, 1.0]], ["q-"], 4)
    assert trainer.responses_per_update(trainer.TrainConfig(rollouts_per_prompt=8, groups_per_prompt=4)) == 64
    with pytest.raises(ValueError, match="groups_per_prompt"):
        trainer.TrainConfig(groups_per_prompt=0).validate()


@pytest.mark.parametrize("options", [{}, {"gradient_checkpointing": True}], ids=["shared_prompts", "checkpointing"])
def test_without_signal_the_weights_stay(base_model, ds_config, options, monkeypatch):
    """All-equal rewards give zero advantages, and at the initial weights the KL term's gradient is exactly zero,
    so an update must leave every weight bit-equal: the reference model has to take the policy's passes (with
    other passes their logprobs differ by round-off, which on SmolLM2 Adam turned into steps; on this small model
    the round-off is below float32's resolution, so the passes are checked too)."""
    passes = []
    real = trainer.response_logprobs
    monkeypatch.setattr(trainer, "response_logprobs",
                        lambda *a, **kw: passes.append(kw.get("share_prompts", True)) or real(*a, **kw))
    batch = {**_batch(), "rewards": [[0.0] * G, [1.0] * G]}
    weights, stats = _one_update(base_model, ds_config, batch, **options)
    assert passes == [not options.get("gradient_checkpointing", False)] * 2  # policy, then reference
    assert stats["kl"] == 0.0
    for k, v in base_model.state_dict().items():
        assert torch.equal(weights[k], v), k
