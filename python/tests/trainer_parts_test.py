"""The trainer's pure pieces: response logprobs over shared prompts and masks, per-step seeds, config validation,
and the metrics log a resumed run reopens."""
import json

import pytest
import torch

from rlvr import config, rundir, run_report, seeds, trainer


def _small_qwen2():
    import transformers

    torch.manual_seed(0)
    cfg = transformers.Qwen2Config(vocab_size=40, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    return transformers.Qwen2ForCausalLM(cfg).float()


def _whole_sequence_logprobs(model, prompt, response, temperature):
    """The reference: one forward pass over prompt + response, position t scoring token t+1."""
    ids = torch.tensor([prompt + response])
    logits = model(input_ids=ids).logits[0, len(prompt) - 1:-1].float()
    return torch.log_softmax(logits / temperature, -1).gather(-1, torch.tensor(response)[:, None])[:, 0]


@pytest.mark.parametrize("share_prompts", [True, False], ids=["shared_prompts", "whole_sequences"])
def test_response_logprobs_equal_whole_sequence_logprobs(share_prompts):
    # Two rows share prompt A (a group), one has prompt B; lengths 4, 1 and 3 (a length-1 response is scored by the
    # prompt's last position alone).
    model = _small_qwen2()
    prompts = [[3, 4, 5, 6], [3, 4, 5, 6], [7, 8]]
    responses = [[9, 10, 11, 12], [13], [14, 15, 2]]
    logprobs, entropy, raw = trainer.response_logprobs(model, prompts, responses, temperature=0.7, pad_id=0,
                                                       share_prompts=share_prompts)
    mask = trainer._length_mask([len(r) for r in responses])
    assert logprobs.shape == entropy.shape == raw.shape == mask.shape == (3, 4)
    for i, (p, r) in enumerate(zip(prompts, responses)):
        expect = _whole_sequence_logprobs(model, p, r, 0.7)
        assert torch.allclose(logprobs[i, :len(r)], expect, atol=1e-5), i
        assert torch.allclose(raw[i, :len(r)], _whole_sequence_logprobs(model, p, r, 1.0), atol=1e-5), i
    assert torch.isfinite(entropy).all() and (entropy * mask > 0).sum() == mask.sum()
    assert logprobs.grad_fn is not None and entropy.grad_fn is None and raw.grad_fn is None
    assert trainer.response_logprobs(model, prompts, responses, 0.7, 0, entropy_grad=True,
                                     share_prompts=share_prompts)[1].grad_fn is not None

    # The gradient (through the shared prompt's cache) is the whole-sequence gradient.
    (logprobs * mask).sum().backward()
    shared = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    sum(_whole_sequence_logprobs(model, p, r, 0.7).sum() for p, r in zip(prompts, responses)).backward()
    for name, p in model.named_parameters():
        assert torch.allclose(shared[name], p.grad, atol=1e-5), name


def test_rows_share_a_prompt_pass_within_length_chunks():
    # Longest first; a new chunk wherever a response is under half the chunk's longest.
    lengths = [9, 48, 30, 20, 12, 24]
    chunks = list(trainer._prompt_chunks([[1, 2]] * 6 + [[3]], [[0] * n for n in lengths] + [[0] * 5]))
    assert chunks == [([1, 2], [1, 2, 5]), ([1, 2], [3, 4]), ([1, 2], [0]), ([3], [6])]

    model = _small_qwen2()
    calls = []
    model.register_forward_pre_hook(lambda _, args, kwargs: calls.append(tuple(kwargs["input_ids"].shape)),
                                    with_kwargs=True)
    prompts, responses = [[3, 4, 5]] * 4 + [[6, 7]], [[8, 9], [10], [11, 12, 13], [15, 16, 17], [14]]
    trainer.response_logprobs(model, prompts, responses, 1.0, 0)
    # Prompt A's chunks: rows 2, 3, 0 (lengths 3, 3, 2: their inputs are all but each last token), then row 1
    # (length 1: its prompt's last position alone); prompt B once, nothing after it.
    assert calls == [(1, 3), (3, 2), (1, 3), (1, 2)]
    calls.clear()
    trainer.response_logprobs(model, prompts, responses, 1.0, 0, share_prompts=False)
    assert calls == [(5, 5)]  # one pass over every prompt + response but its last token


def test_derived_seeds_depend_only_on_their_inputs():
    assert seeds.derived_seed(0, "rollout", 3) == seeds.derived_seed(0, "rollout", 3)
    drawn = {seeds.derived_seed(s, "rollout", k) for s in range(3) for k in range(50)}
    assert len(drawn) == 150 and all(0 <= s < 2 ** 31 for s in drawn)


@pytest.mark.parametrize("field,value,message", [
    ("method", "ppo", "method must be one of"),
    ("rollouts_per_prompt", 1, "G\\) must be >= 2"),
    ("pairing", "greedy", "pairing must be one of"),
    ("steps", 0, "steps must be >= 1"),
    ("ds_config", "/nonexistent/ds.json", "ds_config: no file"),
    ("max_ungraded_share", 1.5, "max_ungraded_share must be in"),
])
def test_bad_config_values_are_named(field, value, message):
    cfg = trainer.TrainConfig(**{field: value})
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        cfg.validate()


def test_ds_config_overrides_lr_and_rejects_zero_3(tmp_path):
    ds = trainer._ds_config(trainer.TrainConfig(lr=3e-5), world=2)
    assert ds["optimizer"]["params"]["lr"] == 3e-5 and ds["zero_optimization"]["stage"] in (1, 2)
    assert trainer._ds_config(trainer.TrainConfig(), world=1)["zero_optimization"]["stage"] == 0  # nothing to split
    offload = tmp_path / "offload.json"
    offload.write_text('{"optimizer": {"type": "AdamW"}, "zero_optimization": {"stage": 2, '
                       '"offload_optimizer": {"device": "cpu"}}}')
    assert trainer._ds_config(trainer.TrainConfig(ds_config=str(offload)), world=1)["zero_optimization"]["stage"] == 2
    bad = tmp_path / "ds.json"
    bad.write_text('{"optimizer": {"type": "AdamW"}, "zero_optimization": {"stage": 3}}')
    with pytest.raises(ValueError, match="stage must be 0, 1 or 2"):
        trainer._ds_config(trainer.TrainConfig(ds_config=str(bad)))


def test_a_checkpoint_resumes_only_with_the_world_size_that_wrote_it(tmp_path):
    torch.save({"ranks": 2, "rng": {}}, tmp_path / "trainer_state.pt")
    with pytest.raises(ValueError, match="written by 2 rank.*resumed with 1.*--nproc_per_node=2"):
        rundir.load_checkpoint(None, str(tmp_path), ranks=1)  # refused before DeepSpeed reads anything


def test_resume_refuses_changed_experiment_settings_but_allows_more_steps():
    saved = config.flat(trainer.TrainConfig(steps=10, alpha=2.0))
    rundir.check_resumable(saved, config.flat(trainer.TrainConfig(steps=30, alpha=2.0)))
    with pytest.raises(ValueError, match=r"alpha=2.0 \(now 3.0\)"):
        rundir.check_resumable(saved, config.flat(trainer.TrainConfig(steps=30, alpha=3.0)))


def test_metrics_log_on_resume_drops_a_torn_last_line_and_rows_past_the_checkpoint(tmp_path):
    rows = [{"kind": "update", "step": 1, "loss": 0.5}, {"kind": "eval", "step": 1}, {"kind": "update", "step": 2}]
    path = tmp_path / "metrics.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"kind": "update", "step": 3, "lo')  # SIGKILL
    log = run_report.MetricsLog(str(tmp_path), keep_until=1)
    log.write({"kind": "update", "step": 2, "loss": 0.25})
    log.close()
    assert log.rows == [*rows[:2], {"kind": "update", "step": 2, "loss": 0.25}]
    assert [json.loads(line) for line in path.read_text().splitlines()] == log.rows


def test_metrics_log_on_resume_names_a_malformed_complete_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"kind": "update", "step": 1}\n{"kind": "upd\n{"kind": "update", "step": 2}\n')
    with pytest.raises(ValueError, match=f"{path}: line 2: bad JSON"):
        run_report.MetricsLog(str(tmp_path), keep_until=2)
