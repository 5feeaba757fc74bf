"""The trainer's pure pieces: token batching and masks, per-step seeds, config validation, and the metrics log a
resumed run reopens."""
import json

import pytest
import torch

from rlvr import config, rundir, run_report, seeds, trainer


def test_token_batch_right_pads_and_masks_exactly_the_response_tokens():
    prompts, responses = [[5, 6, 7], [8]], [[1, 2], [3, 4, 9]]
    ids, attn, resp = trainer.token_batch(prompts, responses, pad_id=0)
    assert ids.tolist() == [[5, 6, 7, 1, 2], [8, 3, 4, 9, 0]]
    assert attn.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]
    # Position t scores token t+1: row 0's response tokens 1, 2 sit at 3, 4 → mask positions 2, 3.
    assert resp.tolist() == [[0, 0, 1, 1], [1, 1, 1, 0]]
    assert resp.sum().item() == sum(map(len, responses))


def test_token_logprobs_score_the_next_token_at_the_temperature():
    class Uniformish(torch.nn.Module):  # logits = one-hot of the current token, scaled; HF's logits_to_keep
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.tensor(3.0))

        def forward(self, input_ids, attention_mask, logits_to_keep=0):
            logits = self.scale * torch.nn.functional.one_hot(input_ids, 4).float()
            return type("Out", (), {"logits": logits[:, -logits_to_keep:]})()

    ids = torch.tensor([[0, 0, 1]])
    logprobs, entropy, raw = trainer.token_logprobs(Uniformish(), ids, torch.ones_like(ids), temperature=2.0)
    z = torch.tensor([1.5, 0.0, 0.0, 0.0])  # logits / T at a position holding token 0
    expect = torch.log_softmax(z, 0)
    assert logprobs[0, 0].item() == pytest.approx(expect[0].item())   # token 0 follows token 0
    assert logprobs[0, 1].item() == pytest.approx(expect[1].item())   # token 1 follows token 0
    assert raw[0, 1].item() == pytest.approx(torch.log_softmax(2 * z, 0)[1].item())  # temperature 1
    assert entropy[0, 0].item() == pytest.approx(-(expect.exp() * expect).sum().item())
    # Skipping the first position scores the same later tokens; at temperature 1, raw is the logprob itself.
    tail = trainer.token_logprobs(Uniformish(), ids, torch.ones_like(ids), temperature=2.0, first=1)
    assert [t.shape for t in tail] == [(1, 1)] * 3
    assert torch.equal(tail[0], logprobs[:, 1:]) and torch.equal(tail[2], raw[:, 1:])
    one = trainer.token_logprobs(Uniformish(), ids, torch.ones_like(ids), temperature=1.0)
    assert torch.equal(one[2], one[0].detach())
    assert one[0].grad_fn is not None and one[1].grad_fn is None  # entropy gets a graph only when asked
    assert trainer.token_logprobs(Uniformish(), ids, torch.ones_like(ids), 1.0, entropy_grad=True)[1].grad_fn


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
