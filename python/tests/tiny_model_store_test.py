"""The shipped tiny model: made by the current recipe, intact, served without a build, and never served for another
recipe.

How the shipped weights are checked against the recipe without a 5-12 minute rebuild: the recipe hash pins the
config and code; re-running the recipe's first steps here must reproduce the tokenizer exactly and the losses its
build recorded. Losses are compared to a relative 1e-4, not bit for bit: the build's arithmetic rounds differently
on CPUs with other vector instructions (AVX-512 vs AVX2 differ by ~1e-7 from the first step; measured), while a
changed recipe (data, init, optimiser) moves them by far more. A full rebuild is bit-exact only on the same CPU
family, so it is a documented measurement (README), not a test.
"""
import dataclasses
import hashlib
import json
import os
import shutil

from rlvr import runtime

runtime.setup()

import pytest  # noqa: E402

from rlvr import tiny_model, tiny_model_store  # noqa: E402

SHIPPED = tiny_model_store.SHIPPED_DIR


@pytest.fixture(scope="module")
def recipe():
    recipe = tiny_model_store.read_recipe(SHIPPED)
    assert recipe is not None, f"no shipped tiny model at {SHIPPED}"
    return recipe


def test_shipped_copy_is_the_current_recipe(recipe):
    assert recipe["recipe_hash"] == tiny_model_store.recipe_hash(tiny_model.TinyModelConfig()), (
        f"the tiny model's recipe changed since it was shipped; rebuild and re-ship it: {tiny_model_store.RESHIP}")
    assert recipe["config"] == json.loads(json.dumps(dataclasses.asdict(tiny_model.TinyModelConfig())))


def test_shipped_files_are_intact(recipe):
    tiny_model_store.check_files(SHIPPED, recipe)
    for name in ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", tiny_model.REPORT_FILE):
        assert name in recipe["files"], name


def test_recipe_reproduces_the_shipped_builds_first_steps():
    import tokenizers

    with open(os.path.join(SHIPPED, tiny_model.REPORT_FILE)) as f:
        report = json.load(f)
    losses, tokenizer = tiny_model.first_losses(tiny_model.TinyModelConfig())
    shipped_tok = tokenizers.Tokenizer.from_file(os.path.join(SHIPPED, "tokenizer.json"))
    assert tokenizer.backend_tokenizer.to_str() == shipped_tok.to_str()
    assert len(report["first_losses"]) == len(losses) == tiny_model.TRACE_STEPS
    assert losses == pytest.approx(report["first_losses"], rel=1e-4)
    # The check can fail: a changed learning rate moves the trace well past the tolerance.
    changed, _ = tiny_model.first_losses(dataclasses.replace(tiny_model.TinyModelConfig(), lr=2e-3), steps=4)
    assert changed != pytest.approx(report["first_losses"][:4], rel=1e-4)


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_empty_cache_is_filled_from_the_shipped_copy_without_a_build(tmp_path, monkeypatch, recipe):
    def no_build(*args):
        raise AssertionError("built although the shipped copy matches the recipe")

    monkeypatch.setattr(tiny_model, "build", no_build)
    model_dir = tiny_model_store.ensure_tiny_model(cache_dir=str(tmp_path))
    assert os.path.dirname(model_dir) == str(tmp_path / "tiny_model")
    assert os.path.basename(model_dir) == recipe["recipe_hash"]
    for name, digest in recipe["files"].items():
        assert _digest(os.path.join(model_dir, name)) == digest, name


def test_another_recipe_is_built_not_served_the_shipped_weights(tmp_path, recipe):
    small = dataclasses.replace(tiny_model.TinyModelConfig(), steps=4, pool_exposures=1, check_samples=1)
    model_dir = tiny_model_store.ensure_tiny_model(small, cache_dir=str(tmp_path))
    built = tiny_model_store.read_recipe(model_dir)
    assert built["recipe_hash"] == tiny_model_store.recipe_hash(small) != recipe["recipe_hash"]
    assert built["config"]["steps"] == 4
    assert built["files"]["model.safetensors"] != recipe["files"]["model.safetensors"]
    tiny_model_store.check_files(model_dir, built)


def test_a_damaged_shipped_file_is_refused(tmp_path, recipe):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in recipe["files"]:
        shutil.copyfile(os.path.join(SHIPPED, name), copy / name)
    with open(copy / "config.json", "a") as f:
        f.write(" ")
    with pytest.raises(ValueError, match="config.json: sha256 differs"):
        tiny_model_store.check_files(str(copy), recipe)
