"""Where the tiny model comes from: the cache, else the copy shipped in the repository, else a build.

The shipped copy (`python/models/tiny/`: weights, tokenizer, config, generation config, the build report and
`recipe.json`) is used only when the recipe hash it records equals the current recipe's (`recipe_hash`: the
config, tiny_model.py and synthetic.py, the prompt template), so an edited recipe is built afresh (minutes),
never served stale weights. Why ship at all: a build takes 5-12 min on 2 cores, and its weights depend on the
CPU's vector instruction set (AVX-512 and AVX2 kernels round differently from the first step on, and 2400
steps amplify it), so machines that build their own get different models. Shipped weights are the same
everywhere; library versions are recorded, not hashed, for the same reason.

Cache: `<cache root>/tiny_model/<recipe hash>/`, filled from the shipped copy or by a build in a temp dir moved
in with os.replace under a file lock, so concurrent callers build once and never see a half-written model.
"""
from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import shutil
import sys
import tempfile

from rlvr import data, provenance, runtime, synthetic, tiny_model

RECIPE_FILE = "recipe.json"
SHIPPED_RELPATH = os.path.join("python", "models", "tiny")  # from the repository root
SHIPPED_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           SHIPPED_RELPATH)  # in the source tree or in Bazel runfiles (a data dependency)
RESHIP = "./bazelw run //tools:make_tiny_model -- --ship"


def recipe_hash(cfg: tiny_model.TinyModelConfig) -> str:
    """What decides the weights: the config (threads aside: tested not to change them), the recipe's and the
    synthetic task's code, the prompt template."""
    parts = {
        "config": {k: v for k, v in dataclasses.asdict(cfg).items() if k != "threads"},
        "code": [inspect.getsource(tiny_model), inspect.getsource(synthetic)],
        "template": data.format_prompt("{problem}"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def read_recipe(model_dir: str) -> dict | None:
    """A model directory's recipe.json, or None when it has none."""
    path = os.path.join(model_dir, RECIPE_FILE)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_files(model_dir: str, recipe: dict) -> None:
    """Every file recipe.json lists is present with its recorded sha256 (a Git LFS pointer or a hand-edited
    file would load as a different, or no, model)."""
    for name, want in recipe["files"].items():
        path = os.path.join(model_dir, name)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{model_dir}: {name} listed in {RECIPE_FILE} is missing; re-ship with {RESHIP}")
        if provenance.file_sha256(path) != want:
            raise ValueError(f"{path}: sha256 differs from {RECIPE_FILE}; re-ship with {RESHIP}")


def _write_recipe(model_dir: str, cfg: tiny_model.TinyModelConfig, key: str) -> None:
    files = sorted(n for n in os.listdir(model_dir) if n != RECIPE_FILE and not n.startswith("."))
    recipe = {"recipe_hash": key, "config": dataclasses.asdict(cfg),
              "files": {n: provenance.file_sha256(os.path.join(model_dir, n)) for n in files}}
    with open(os.path.join(model_dir, RECIPE_FILE), "w", encoding="utf-8") as f:
        json.dump(recipe, f, indent=2)
        f.write("\n")


def ensure_tiny_model(cfg: tiny_model.TinyModelConfig | None = None, cache_dir: str | None = None,
                      force: bool = False) -> str:
    """Directory of the tiny model for `cfg`: cached; else copied from the shipped files when their recipe hash
    matches (seconds); else built (minutes). `force` rebuilds even when cached or shipped."""
    cfg = cfg or tiny_model.TinyModelConfig()
    key = recipe_hash(cfg)
    final = os.path.join(cache_dir or str(runtime.cache_root()), "tiny_model", key)
    origin = []

    def make(tmp: str) -> None:
        shipped = read_recipe(SHIPPED_DIR)
        if not force and shipped is not None and shipped["recipe_hash"] == key:
            check_files(SHIPPED_DIR, shipped)
            for name in list(shipped["files"]) + [RECIPE_FILE]:
                shutil.copyfile(os.path.join(SHIPPED_DIR, name), os.path.join(tmp, name))
            origin.append("the shipped copy")
        else:
            tiny_model.build(cfg, tmp)
            _write_recipe(tmp, cfg, key)
            origin.append("a build")

    if runtime.build_once(final, make, force=force):
        print(f"tiny model: {final} (from {origin[0]})", file=sys.stderr)
    return final


def ship(model_dir: str, repo_root: str) -> str:
    """Replaces the shipped copy under `repo_root` with `model_dir` (a cached build with its recipe.json)."""
    recipe = read_recipe(model_dir)
    if recipe is None:
        raise FileNotFoundError(f"{model_dir}: no {RECIPE_FILE}; only a model built by ensure_tiny_model ships")
    check_files(model_dir, recipe)
    dest = os.path.join(repo_root, SHIPPED_RELPATH)
    tmp = tempfile.mkdtemp(prefix=".shipping-", dir=os.path.dirname(dest))
    try:
        for name in list(recipe["files"]) + [RECIPE_FILE]:
            shutil.copyfile(os.path.join(model_dir, name), os.path.join(tmp, name))
        os.chmod(tmp, 0o755)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
