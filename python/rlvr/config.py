"""Config dataclasses are the one source of every setting: a field's default, help, choices and lower bound are
written once, here as metadata, and every binary's absl flags are generated from them (TRL's
`metadata={"help": ...}`, CleanRL's "the Args dataclass is the CLI").

    @dataclass
    class MyConfig:
        steps: int = arg(50, "Number of updates.", min=1)
        method: str = arg("pairs", "Prompt selection.", choices=lambda: selection.METHODS)
        sampling: Sampling = group(Sampling, temperature=0.6)        # nested; its fields are flags of their own
        verifier: VerifierSpec = group(VerifierSpec, prefix="verifier_")  # --verifier_address, ...

    define_flags(MyConfig)             # in a binary, at import time
    cfg = from_flags(MyConfig)          # in main(): the config back, flags not given keep the dataclass default
    check(cfg)                          # choices and bounds of every field, nested ones included

A nested group's fields become flags named prefix + field name; `flat(cfg)` / `build(cls, flat_dict)` convert to
and from that flat {flag name: value} view, which is also what run configs save (config.json) and what the
experiment's --train overrides name. Leaf module: no rlvr imports.
"""
from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from absl import flags

flags.disclaim_key_flags()  # flags made by define_flags belong to its caller (the binary): they show in --help


def arg(default: Any, help: str, choices: Sequence[str] | Callable[[], Sequence[str]] | None = None,
        min: float | None = None, flag: str | None = None) -> Any:
    """A config field with its flag help; `choices` (or a callable giving them, e.g. a registry's keys read when
    checked) and `min` are checked by `check`; `flag` names the flag when it differs from the field. Mutable
    defaults (dict) become default factories."""
    meta = {"help": help, "choices": choices, "min": min, **({"flag": flag} if flag else {})}
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def group(cls: type, prefix: str = "", **defaults: Any) -> Any:
    """A nested config group (e.g. Sampling) whose fields are flags `prefix + name`; `defaults` override the
    group class's own defaults for this use."""
    return dataclasses.field(default_factory=lambda: cls(**defaults), metadata={"group": cls, "prefix": prefix})


def choices_of(f: dataclasses.Field) -> tuple[str, ...] | None:
    choices = f.metadata.get("choices")
    return tuple(choices() if callable(choices) else choices) if choices is not None else None


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def leaves(cls: type, prefix: str = "") -> Iterator[tuple[str, tuple[str, ...], dataclasses.Field, Any]]:
    """(flag name, attribute path, field, type) of every non-group field, nested groups flattened."""
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        if "group" in f.metadata:
            for name, path, leaf, tp in leaves(f.metadata["group"], prefix + f.metadata["prefix"]):
                yield name, (f.name,) + path, leaf, tp
        else:
            yield prefix + f.metadata.get("flag", f.name), (f.name,), f, hints[f.name]


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        obj = getattr(obj, name)
    return obj


def flat(cfg: Any) -> dict[str, Any]:
    """{flag name: value} of every field (nested groups flattened)."""
    return {name: _get(cfg, path) for name, path, _, _ in leaves(type(cfg))}


def _replace(cfg: Any, by_path: Mapping[tuple[str, ...], Any]) -> Any:
    """cfg with every (attribute path → value) set, one dataclasses.replace per level (frozen configs check
    themselves on construction, so values that only agree together must arrive together)."""
    top: dict[str, Any] = {}
    nested: dict[str, dict[tuple[str, ...], Any]] = {}
    for path, value in by_path.items():
        if len(path) == 1:
            top[path[0]] = value
        else:
            nested.setdefault(path[0], {})[path[1:]] = value
    for name, sub in nested.items():
        top[name] = _replace(getattr(cfg, name), sub)
    return dataclasses.replace(cfg, **top) if top else cfg


def build(cls: type, values: Mapping[str, Any], base: Any = None, prefix: str = "") -> Any:
    """`base` (default: cls()) with the flat {flag name: value} `values` set; an unknown name is a ValueError."""
    paths = {name: path for name, path, _, _ in leaves(cls, prefix)}
    unknown = sorted(set(values) - set(paths))
    if unknown:
        raise ValueError(f"{cls.__name__} has no setting(s) {unknown}; known: {', '.join(sorted(paths))}")
    return _replace(cls() if base is None else base, {paths[name]: value for name, value in values.items()})


def check(cfg: Any) -> None:
    """The one validation of a config: every field's choices and lower bound, then each class's `invariants()`
    (cross-field and file checks), nested groups first. ValueError (FileNotFoundError for a missing file) naming
    the field."""
    for name, path, f, _ in leaves(type(cfg)):
        value = _get(cfg, path)
        choices = choices_of(f)
        if choices is not None and value not in choices:
            raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
        low = f.metadata.get("min")
        if low is not None and value < low:
            raise ValueError(f"{name} must be >= {low}, got {value!r}")
    _invariants(cfg)


def _invariants(cfg: Any) -> None:
    for f in dataclasses.fields(cfg):
        if "group" in f.metadata:
            _invariants(getattr(cfg, f.name))
    if hasattr(cfg, "invariants"):
        cfg.invariants()


@dataclasses.dataclass(frozen=True)
class Sampling:
    """How responses are sampled; a group of every config that samples (training, profiling, evaluation), each
    with its own defaults. The seed is not part of it: each use derives its own."""
    temperature: float = arg(1.0, "Sampling temperature (0: greedy).", min=0.0)
    top_p: float = arg(1.0, "Nucleus sampling top_p, in (0, 1].")
    max_tokens: int = arg(64, "Maximum tokens per response.", min=1)

    def invariants(self) -> None:
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")



DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclasses.dataclass(frozen=True)
class Hardware:
    """Device settings, written once: a group of every config that starts a vLLM engine (training, profiling,
    evaluation, the experiment grid), passed to `vllm.LLM` (`vllm_kwargs`) and, for `dtype`, to DeepSpeed's
    bf16/fp16 sections. This project's machines have no GPU: only the plumbing is tested (docs/scaling.md)."""
    nproc_per_node: int = arg(1, "Ranks to run on this machine: the binary re-runs itself as that many ranks "
                              "(torch.distributed.run); each holds a vLLM engine and samples its share of every "
                              "batch. 1: this process alone.", min=1)
    gpu_memory_utilization: float = arg(0.9, "vLLM: share of each GPU's memory the engine may take for weights, "
                                        "activations and KV cache, in (0, 1]; leave room for the trainer on the "
                                        "same GPU. Ignored on CPU (VLLM_CPU_KVCACHE_SPACE sizes the cache).")
    tensor_parallel_size: int = arg(1, "vLLM: GPUs one engine spans (tensor parallelism); more than 1 runs the "
                                    "engine's workers as processes, so weight syncs go through host memory.", min=1)
    enable_sleep_mode: bool = arg(False, "vLLM frees its GPU memory during each update (weights and KV cache "
                                  "discarded) and wakes for the weight sync and rollouts. CUDA/ROCm/XPU only.")
    enforce_eager: bool = arg(False, "vLLM without CUDA graphs or torch.compile: less memory and a faster start, "
                              "slower decoding. Always on for CPU.")
    dtype: str = arg("auto", "Weights and compute dtype of vLLM and of training (DeepSpeed's bf16/fp16 sections "
                     "follow it: float32 neither, bfloat16 bf16, float16 fp16); auto: the checkpoint's "
                     "(config.json), float32 if it names none.", choices=DTYPES)

    def invariants(self) -> None:
        if not 0.0 < self.gpu_memory_utilization <= 1.0:
            raise ValueError(f"gpu_memory_utilization must be in (0, 1], got {self.gpu_memory_utilization}")

    def vllm_kwargs(self) -> dict[str, Any]:
        """These settings as `rollout.RolloutEngine` (`vllm.LLM`) arguments; the engine resolves dtype "auto"."""
        return {"gpu_memory_utilization": self.gpu_memory_utilization,
                "tensor_parallel_size": self.tensor_parallel_size, "enable_sleep_mode": self.enable_sleep_mode,
                "enforce_eager": self.enforce_eager, "dtype": self.dtype}


# --- absl flags ---------------------------------------------------------------------------------------------

def define_flags(cls: type, skip: Sequence[str] = (), prefix: str = "", flag_values=None) -> None:
    """One absl flag per field of `cls` (nested groups flattened), help and default from the field; `skip` names
    fields a binary does not expose. Fields typed dict are not flags (free-form notes)."""
    fv = flags.FLAGS if flag_values is None else flag_values  # an empty FlagValues is falsy
    defaults = {name: _get(cls(), path) for name, path, _, _ in leaves(cls, prefix)}
    for name, _, f, tp in leaves(cls, prefix):
        if name in skip or tp is dict or typing.get_origin(tp) is dict:
            continue
        default, text = defaults[name], f.metadata.get("help", "")
        choices = choices_of(f)
        if typing.get_origin(tp) is tuple:
            flags.DEFINE_list(name, [str(v) for v in default], text, flag_values=fv)
        elif tp is bool:
            flags.DEFINE_bool(name, default, text, flag_values=fv)
        elif choices is not None:
            flags.DEFINE_enum(name, default, list(choices), text, flag_values=fv)
        elif tp is int:
            flags.DEFINE_integer(name, default, text, flag_values=fv)
        elif tp is float:
            flags.DEFINE_float(name, default, text, flag_values=fv)
        elif tp is str:
            flags.DEFINE_string(name, default, text, flag_values=fv)
        else:
            raise TypeError(f"{cls.__name__}.{name}: no flag type for {tp!r}")


def parse_value(name: str, tp: Any, text: str) -> Any:
    """A flag-style string as a value of type `tp` (the experiment's --train key=value items use it too)."""
    try:
        if typing.get_origin(tp) is tuple:
            item = typing.get_args(tp)[0]
            return tuple(parse_value(name, item, t) for t in (text.split(",") if isinstance(text, str) else text))
        if tp is bool:
            if text.lower() not in ("1", "true", "yes", "0", "false", "no"):
                raise ValueError(text)
            return text.lower() in ("1", "true", "yes")
        return tp(text)
    except ValueError as e:
        raise ValueError(f"{name}: expected {getattr(tp, '__name__', tp)}, got {text!r}") from e


def parse_overrides(cls: type, items: Sequence[str]) -> dict[str, Any]:
    """`key=value` strings (a binary's list flag, e.g. the experiment's --train) as {flag name: typed value} of
    `cls`'s settings; ValueError naming the item and the known keys."""
    types = {name: tp for name, _, _, tp in leaves(cls)}
    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or key not in types:
            raise ValueError(f"{item!r}: expected key=value with key one of {cls.__name__}'s settings "
                             f"({', '.join(sorted(types))})")
        out[key] = parse_value(key, types[key], text)
    return out


def parse(cls: type, base: Any = None) -> Any:
    """from_flags, then check: the validated config a binary's main() runs with (ValueError on bad settings)."""
    cfg = from_flags(cls, base)
    check(cfg)
    return cfg


def from_flags(cls: type, base: Any = None, prefix: str = "", flag_values=None) -> Any:
    """The config the command line describes: `base` (default cls()) with every flag the user gave set."""
    fv = flags.FLAGS if flag_values is None else flag_values  # an empty FlagValues is falsy
    given = {}
    for name, _, _, tp in leaves(cls, prefix):
        if name in fv and fv[name].present:
            value = fv[name].value
            given[name] = parse_value(name, tp, value) if typing.get_origin(tp) is tuple else value
    return build(cls, given, base, prefix)
