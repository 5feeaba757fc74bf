"""The selectors behind one protocol: what each picks, what it learns from rewards, exact resume from its state,
and the one method vocabulary the trainer, the experiment and the pair binary read."""
import dataclasses
import json

import pytest

from rlvr import config, experiment, pairing, selection, trainer
from rlvr.weighted_grpo import NEUTRAL, Q_MINUS, Q_PLUS

# q+ band (p ≤ 0.3, c ≥ 1): b, c; q− band (p ≥ 0.7, c < n): f, g
COUNTS = {"a": 0, "b": 1, "c": 3, "d": 8, "e": 9, "f": 13, "g": 15, "h": 16}
PROFILE = [pairing.PromptStats.from_counts(i, c, 16) for i, c in COUNTS.items()]


def _cfg(**values):
    return config.build(trainer.TrainConfig, values)


def _build(cfg):
    return selection.SELECTORS.lookup(cfg.method).build(cfg, list(COUNTS), lambda: PROFILE)


def test_vocabulary_is_read_from_one_place():
    method = next(f for f in dataclasses.fields(trainer.TrainConfig) if f.name == "method")
    assert set(config.choices_of(method)) == set(selection.SELECTORS)
    assert experiment.METHODS == tuple(selection.ARMS)
    assert {arm.method for arm in selection.ARMS.values()} - {None} == set(selection.SELECTORS)
    for name in selection.SELECTORS:
        assert trainer.responses_per_update(_cfg(method=name, pool_batch=3, rollouts_per_prompt=4)) == \
            selection.SELECTORS[name].prompts_per_update(_cfg(pool_batch=3)) * 4


def test_pairs_come_from_the_bands_with_roles_and_resume_exactly():
    sel = _build(_cfg(method=selection.PAIRS, pairing="resample", seed=3))
    picks = [sel.next(step) for step in range(1, 4)]
    assert all(p.roles == [Q_PLUS, Q_MINUS] and p.ids[0] in "bc" and p.ids[1] in "fg" for p in picks)
    state = json.loads(json.dumps(sel.state_dict()))  # checkpoints hold it as plain data
    later = [sel.next(step) for step in range(4, 8)]
    again = _build(_cfg(method=selection.PAIRS, pairing="resample", seed=3))
    again.load_state_dict(state)
    assert [again.next(step) for step in range(4, 8)] == later
    assert sel.metrics() == {"pairing/band_empty_updates": 0} and sel.artifacts() == {}


def test_online_pairs_learn_from_rewards_and_keep_the_last_pair_when_a_band_empties():
    sel = _build(_cfg(method=selection.PAIRS, pairing="online", online_decay=0.5))
    first = sel.next(1)
    # Both q+ candidates solved every time: the q+ band empties, so the last pair is trained again (counted).
    for i in ("b", "c"):
        sel.observe([i], [[1.0] * 64])
    assert sel.next(2) == first and sel.metrics() == {"pairing/band_empty_updates": 1}
    with pytest.raises(ValueError, match="band is empty"):
        _build(_cfg(method=selection.PAIRS, pairing="resample", p_low=0.01))


def test_variance_picks_are_fixed_neutral_and_read_a_history(tmp_path):
    sel = _build(_cfg(method=selection.VARIANCE))
    assert sel.next(1) == sel.next(9) == selection.Pick(["d", "e"], [NEUTRAL, NEUTRAL])  # p̂ nearest 1/2
    history = tmp_path / "acc.json"
    history.write_text(json.dumps({"x": [0.5, 0.5], "y": [0.0, 1.0], "z": [0.25, 0.75]}))
    sel = selection.VariancePicks.build(_cfg(method=selection.VARIANCE, history=str(history)), [],
                                        lambda: pytest.fail("a history needs no profile"))
    assert sel.next(1).ids == ["y", "z"]


def test_pool_walk_records_accuracy_by_epoch_and_resumes():
    cfg = _cfg(method=selection.POOL, pool_batch=3, seed=1)
    sel = _build(cfg)
    for step in range(1, 5):  # 12 draws over a pool of 8: epoch 0 and half of epoch 1
        pick = sel.next(step)
        assert pick.roles == [NEUTRAL] * 3
        sel.observe(pick.ids, [[1.0, 0.0]] * 3)
    acc = sel.artifacts()["accuracy_by_epoch.json"]
    assert set(acc) == set(COUNTS) and sum(len(v) for v in acc.values()) == 12
    resumed = _build(cfg)
    resumed.load_state_dict(json.loads(json.dumps(sel.state_dict())))
    assert resumed.artifacts() == sel.artifacts() and resumed.next(5) == sel.next(5)


def test_pool_walk_visits_every_prompt_once_per_epoch_and_is_stateless():
    ids = [f"p{i}" for i in range(10)]
    walk = selection.PoolWalk(ids, batch=4, seed=1)
    picked = [walk.batch_at(step) for step in range(1, 6)]  # 20 draws = 2 epochs
    flat = [p for batch in picked for p in batch]
    assert sorted(i for i, e in flat if e == 0) == sorted(ids)
    assert sorted(i for i, e in flat if e == 1) == sorted(ids)
    assert [i for i, _ in flat[:10]] != [i for i, _ in flat[10:]]  # a new permutation each epoch
    assert selection.PoolWalk(ids, batch=4, seed=1).batch_at(4) == picked[3]  # no state needed to resume
    with pytest.raises(ValueError, match="pool_batch=11 exceeds the pool size 10"):
        selection.PoolWalk(ids, batch=11, seed=1)


