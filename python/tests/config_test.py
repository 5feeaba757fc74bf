"""The config machinery: flags generated from a dataclass and the config built back, nested groups, the flat view
and one validation."""
from dataclasses import dataclass

import pytest
from absl import flags

from rlvr import config, trainer
from rlvr.config import Sampling, arg, group


@dataclass(frozen=True)
class Inner:
    address: str = arg("", "Where.")
    retries: int = arg(3, "How often.", min=0)


@dataclass
class Outer:
    steps: int = arg(5, "Updates.", min=1)
    mode: str = arg("a", "Mode.", choices=lambda: ("a", "b"))
    ks: tuple[int, ...] = arg((1, 4), "k values.", flag="k")
    fast: bool = arg(False, "Go fast.")
    sampling: Sampling = group(Sampling, temperature=0.6)
    inner: Inner = group(Inner, prefix="inner_")
    notes: dict = arg({}, "Not a flag.")

    def invariants(self) -> None:
        if self.fast and self.steps > 10:
            raise ValueError("fast runs have at most 10 steps")


def _parsed(*argv: str) -> flags.FlagValues:
    fv = flags.FlagValues()
    config.define_flags(Outer, flag_values=fv)
    fv(["prog", *argv])
    return fv


def test_flags_are_generated_with_help_and_defaults():
    fv = _parsed()
    names = set(fv)
    assert {"steps", "mode", "k", "fast", "temperature", "top_p", "max_tokens", "inner_address",
            "inner_retries"} <= names and "notes" not in names and "ks" not in names
    assert fv["steps"].help == "Updates." and fv["temperature"].default == 0.6
    assert config.from_flags(Outer, flag_values=fv) == Outer()


def test_given_flags_come_back_typed_into_nested_groups():
    cfg = config.from_flags(Outer, flag_values=_parsed("--steps=7", "--k=1,8", "--fast", "--max_tokens=9",
                                                         "--inner_address=h:1", "--mode=b"))
    assert cfg.steps == 7 and cfg.ks == (1, 8) and cfg.fast and cfg.mode == "b"
    assert cfg.sampling == Sampling(temperature=0.6, top_p=1.0, max_tokens=9)
    assert cfg.inner == Inner(address="h:1", retries=3)
    with pytest.raises(flags.IllegalFlagValueError):
        _parsed("--mode=c")  # choices become an enum flag


def test_flat_view_round_trips_and_names_unknown_settings():
    cfg = config.build(Outer, {"inner_retries": 0, "top_p": 0.5, "steps": 2})
    assert config.flat(cfg)["inner_retries"] == 0 and cfg.sampling.top_p == 0.5
    assert config.build(Outer, config.flat(cfg)) == cfg
    with pytest.raises(ValueError, match=r"Outer has no setting\(s\) \['retries'\]"):
        config.build(Outer, {"retries": 1})


@pytest.mark.parametrize("values,message", [
    ({"steps": 0}, "steps must be >= 1, got 0"),
    ({"mode": "c"}, r"mode must be one of \['a', 'b'\], got 'c'"),
    ({"inner_retries": -1}, "inner_retries must be >= 0"),
    ({"top_p": 0.0}, r"top_p must be in \(0, 1\]"),
    ({"fast": True, "steps": 11}, "fast runs have at most 10 steps"),
])
def test_check_names_the_bad_setting(values, message):
    with pytest.raises(ValueError, match=message):
        config.check(config.build(Outer, values))


def test_overrides_parse_by_the_settings_types():
    assert config.parse_overrides(Outer, ["steps=3", "fast=yes", "k=2,3", "temperature=0.1"]) == {
        "steps": 3, "fast": True, "k": (2, 3), "temperature": 0.1}
    with pytest.raises(ValueError, match="steps: expected int, got 'x'"):
        config.parse_overrides(Outer, ["steps=x"])
    with pytest.raises(ValueError, match="expected key=value"):
        config.parse_overrides(Outer, ["steps"])


def test_train_config_flags_keep_their_names():
    """The flag names runs, scripts and docs use: sampling and verifier groups flatten to the old names."""
    names = set(config.flat(trainer.TrainConfig()))
    assert {"temperature", "top_p", "max_tokens", "verifier_address", "verifier_auth_token_file",
            "verifier_tls_ca", "verifier_retry_s", "advantage", "loss_agg", "method"} <= names
    assert trainer.TrainConfig().verifier.retry_s == 300.0 and trainer.TrainConfig().sampling.max_tokens == 48
