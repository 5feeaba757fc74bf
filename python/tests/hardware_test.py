"""The GPU settings (config.Hardware) as plumbing, without a GPU: the flags reach vllm.LLM's arguments and
DeepSpeed's config, bad values and settings this machine cannot run are refused naming the flag, sleep mode frees
the engine for the update and the sync wakes it, the in-process sync hands vLLM the trainer's tensors themselves,
and the trainer's loop calls the engine in that order. vLLM is a fake module here (its platform too, so the GPU
branch runs); rollout_test checks the real engine on this CPU."""
import dataclasses
import json
import sys
import types

import pytest
import torch
from absl import flags

from rlvr import config, data, distributed, experiment, files, selection, trainer, verdict_monitor, weighted_grpo
from rlvr.config import Hardware
from rlvr.rollout import RolloutEngine, Sample
from rlvr.verifier_client import Verdict

GPU_FLAGS = ["--gpu_memory_utilization=0.45", "--tensor_parallel_size=2", "--enable_sleep_mode", "--enforce_eager",
             "--dtype=bfloat16"]


class Constructed(Exception):
    """Raised by the fake vllm.LLM once it has recorded its arguments: the test needs nothing after that."""


class FakeVllm:
    """`vllm` and `vllm.platforms` as sys.modules entries: LLM records its keyword arguments, then raises
    Constructed (or `error`); the platform is a GPU or the CPU."""

    def __init__(self, monkeypatch, cpu: bool, error: Exception | None = None):
        self.kwargs = None
        fake = self

        class LLM:
            def __init__(self, **kwargs):
                fake.kwargs = kwargs
                raise error or Constructed()

        platform = types.SimpleNamespace(is_cpu=lambda: cpu, is_sleep_mode_available=lambda: not cpu,
                                         device_type="cpu" if cpu else "cuda")
        monkeypatch.setitem(sys.modules, "vllm", types.SimpleNamespace(LLM=LLM, __version__="0.32.0"))
        monkeypatch.setitem(sys.modules, "vllm.platforms", types.SimpleNamespace(current_platform=platform))


def _model_dir(tmp_path, **config_fields) -> str:
    (tmp_path / "config.json").write_text(json.dumps(config_fields))
    return str(tmp_path)


def _hardware(*argv: str) -> Hardware:
    fv = flags.FlagValues()
    config.define_flags(trainer.TrainConfig, flag_values=fv)
    fv(["train", *argv])
    cfg = config.from_flags(trainer.TrainConfig, flag_values=fv)
    cfg.validate()
    return cfg.hardware


def test_the_flags_reach_vllm_llm_on_a_gpu(monkeypatch, tmp_path):
    fake = FakeVllm(monkeypatch, cpu=False)
    with pytest.raises(Constructed):
        RolloutEngine(_model_dir(tmp_path, dtype="float32"), seed=3, max_model_len=64,
                      **_hardware(*GPU_FLAGS).vllm_kwargs())
    assert {k: fake.kwargs[k] for k in ("gpu_memory_utilization", "tensor_parallel_size", "enable_sleep_mode",
                                        "enforce_eager", "dtype", "seed", "max_model_len")} == {
        "gpu_memory_utilization": 0.45, "tensor_parallel_size": 2, "enable_sleep_mode": True,
        "enforce_eager": True, "dtype": "bfloat16", "seed": 3, "max_model_len": 64}
    with pytest.raises(Constructed):  # the defaults: vLLM's own, and the checkpoint's dtype for "auto"
        RolloutEngine(_model_dir(tmp_path, torch_dtype="bfloat16"), **_hardware().vllm_kwargs())
    assert {k: fake.kwargs[k] for k in ("gpu_memory_utilization", "tensor_parallel_size", "enable_sleep_mode",
                                        "enforce_eager", "dtype")} == {
        "gpu_memory_utilization": 0.9, "tensor_parallel_size": 1, "enable_sleep_mode": False,
        "enforce_eager": False, "dtype": "bfloat16"}
    with pytest.raises(Constructed):
        RolloutEngine(_model_dir(tmp_path), **_hardware().vllm_kwargs())
    assert fake.kwargs["dtype"] == "float32"  # a checkpoint that names no dtype: float32, as transformers loads it


def test_on_cpu_the_engine_is_eager_and_refuses_sleep_mode_before_vllm_starts(monkeypatch, tmp_path):
    fake = FakeVllm(monkeypatch, cpu=True)
    with pytest.raises(Constructed):
        RolloutEngine(_model_dir(tmp_path), **_hardware("--noenforce_eager").vllm_kwargs())
    assert fake.kwargs["enforce_eager"] is True  # compiling costs minutes on CPU
    fake.kwargs = None
    with pytest.raises(ValueError, match=r"--enable_sleep_mode: vLLM 0.32.0 has sleep mode on CUDA, ROCm and XPU "
                                         r"GPUs only, not on cpu"):
        RolloutEngine(_model_dir(tmp_path), **_hardware("--enable_sleep_mode").vllm_kwargs())
    assert fake.kwargs is None


def test_tensor_parallel_failure_on_cpu_names_the_flag_and_the_binding(monkeypatch, tmp_path):
    # vLLM 0.32's own words on this one-NUMA-node machine (measured with the real engine, docs/scaling.md)
    said = AssertionError("Not enough allowed NUMA nodes to bind threads of 2 local CPUWorkers.")
    FakeVllm(monkeypatch, cpu=True, error=said)
    with pytest.raises(ValueError, match=r"--tensor_parallel_size=2 on CPU: .*VLLM_CPU_OMP_THREADS_BIND.*"
                                         r"Not enough allowed NUMA nodes") as caught:
        RolloutEngine(_model_dir(tmp_path), **_hardware("--tensor_parallel_size=2").vllm_kwargs())
    assert caught.value.__cause__ is said
    FakeVllm(monkeypatch, cpu=False, error=said)  # elsewhere vLLM's error passes unchanged
    with pytest.raises(AssertionError):
        RolloutEngine(_model_dir(tmp_path), **_hardware("--tensor_parallel_size=2").vllm_kwargs())


@pytest.mark.parametrize("argv,message", [
    (["--gpu_memory_utilization=0"], r"gpu_memory_utilization must be in \(0, 1\], got 0.0"),
    (["--gpu_memory_utilization=1.5"], r"gpu_memory_utilization must be in \(0, 1\], got 1.5"),
    (["--tensor_parallel_size=0"], r"tensor_parallel_size must be >= 1, got 0"),
])
def test_bad_values_name_the_flag(argv, message):
    with pytest.raises(ValueError, match=message):
        _hardware(*argv)


def test_dtype_choices_are_the_flags_own():
    with pytest.raises(flags.IllegalFlagValueError, match="auto|float32|bfloat16|float16"):
        _hardware("--dtype=int8")
    with pytest.raises(ValueError, match=r"dtype must be one of \['auto', 'float32', 'bfloat16', 'float16'\]"):
        config.check(trainer.TrainConfig(hardware=Hardware(dtype="int8")))



def test_an_experiment_from_before_the_device_flags_resumes_at_their_defaults(tmp_path):
    path = str(tmp_path / "experiment.json")
    saved = {k: v for k, v in dataclasses.asdict(experiment.ExperimentConfig()).items() if k != "hardware"}
    files.write_json(path, {"config": saved})
    experiment._check_same_experiment(experiment.ExperimentConfig(), path)
    with pytest.raises(ValueError, match=r"different config \(hardware\)"):
        experiment._check_same_experiment(experiment.ExperimentConfig(hardware=Hardware(dtype="bfloat16")), path)

# --- DeepSpeed ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,bf16,fp16", [("float32", False, False), ("bfloat16", True, False),
                                             ("float16", False, True)])
def test_deepspeed_precision_follows_the_dtype(dtype, bf16, fp16):
    ds = trainer._ds_config(trainer.TrainConfig(), world=2, dtype=dtype)
    assert (ds["bf16"]["enabled"], ds["fp16"]["enabled"]) == (bf16, fp16)


def test_a_deepspeed_file_that_contradicts_the_dtype_is_refused(tmp_path):
    path = tmp_path / "ds.json"
    path.write_text('{"optimizer": {"type": "AdamW"}, "bf16": {"enabled": true}}')
    cfg = trainer.TrainConfig(ds_config=str(path))
    assert trainer._ds_config(cfg, dtype="bfloat16")["bf16"] == {"enabled": True}
    with pytest.raises(ValueError, match=r"enables bf16, but --dtype is float32; set --dtype"):
        trainer._ds_config(cfg, dtype="float32")


def test_fp16_training_is_refused_where_deepspeed_has_no_fp16():
    from deepspeed.accelerator import get_accelerator

    trainer._check_trainable("bfloat16")
    if get_accelerator().is_fp16_supported():  # a GPU, or a CPU with oneDNN fp16 (AVX512-FP16 / AMX-FP16)
        trainer._check_trainable("float16")
    else:  # this project's CPUs: DeepSpeed itself would stop with "Type fp16 is not supported on your device"
        with pytest.raises(ValueError, match=r"--dtype=float16: DeepSpeed cannot train in fp16 on this machine"):
            trainer._check_trainable("float16")


# --- sleep and wake ----------------------------------------------------------------------------------------

class RecordingLLM:
    """vllm.LLM's sleep/wake, RPC and generate entry points, recording each call."""

    def __init__(self):
        self.calls = []

    def sleep(self, level):
        self.calls.append(("sleep", level))

    def wake_up(self, tags=None):
        self.calls.append(("wake_up", tags))

    def collective_rpc(self, method, args=()):
        self.calls.append(("collective_rpc", args[0]))

    def reset_prefix_cache(self):
        self.calls.append(("reset_prefix_cache",))

    def generate(self, inputs, params, use_tqdm=False):
        self.calls.append(("generate",))
        return []


def _engine(sleep_mode: bool) -> RolloutEngine:
    """A RolloutEngine around RecordingLLM (what the constructor would set up for an in-process fp32 engine)."""
    engine = object.__new__(RolloutEngine)
    engine._llm, engine._vllm = RecordingLLM(), types.SimpleNamespace(SamplingParams=lambda **kw: kw)
    engine.sleep_mode, engine.asleep, engine.in_process, engine._is_cpu = sleep_mode, False, True, False
    engine.dtype, engine.tied_embeddings, engine._shapes, engine.threads = torch.float32, False, {}, 1
    engine.tokenizer = types.SimpleNamespace(encode=lambda text: [1, 2])
    return engine


def test_sleep_discards_and_the_sync_wakes_weights_then_kv_cache():
    engine = _engine(sleep_mode=True)
    weights = {"w": torch.ones(3)}
    engine.sleep()
    with pytest.raises(RuntimeError, match="asleep"):  # its weights are gone until the sync
        engine.generate(["p"], n=2, temperature=1.0, top_p=1.0, max_tokens=4)
    engine.sync_weights(weights)
    engine.generate(["p"], n=2, temperature=1.0, top_p=1.0, max_tokens=4)
    names = [c[0] for c in engine._llm.calls]
    assert names == ["sleep", "wake_up", "collective_rpc", "wake_up", "reset_prefix_cache", "generate"]
    assert engine._llm.calls[0] == ("sleep", 2)  # level 2: the sync overwrites every weight anyway
    assert engine._llm.calls[1] == ("wake_up", ["weights"]) and engine._llm.calls[3] == ("wake_up", ["kv_cache"])


def test_without_sleep_mode_sleep_does_nothing_and_the_sync_hands_over_the_tensors_themselves():
    engine = _engine(sleep_mode=False)
    weights = {"w": torch.ones(3), "b": torch.zeros(2)}
    engine.sleep()
    engine.sync_weights(weights)
    assert [c[0] for c in engine._llm.calls] == ["collective_rpc", "reset_prefix_cache"]
    handed = engine._llm.calls[0][1]
    # No copy at all, so on a GPU no trip through host memory: vLLM copies them into its parameters on the device.
    assert {k: v.data_ptr() for k, v in handed.items()} == {k: v.data_ptr() for k, v in weights.items()}


def test_the_training_loop_sleeps_the_engine_through_the_update_and_syncs_before_the_next_rollout(monkeypatch):
    calls = []

    class Engine:  # the RolloutEngine's side of the loop
        def generate(self, prompts, n, temperature, top_p, max_tokens, seed=None, samples=None, logprobs=0):
            calls.append("generate")
            return [[Sample("\\boxed{4}", [5, 6], [-0.1, -0.2]) for _ in share] for share in samples]

        def prompt_token_ids(self, prompt):
            return [1, 2]

        def sleep(self):
            calls.append("sleep")

        def sync_weights(self, state_dict):
            calls.append("sync_weights")

    class Verifier:
        def verify(self, texts, golds, ids, truncated):
            return [Verdict(i, "CORRECT", "4", "4", "4", "", 1) for i in ids]

    class Selector:
        def next(self, step):
            return selection.Pick(ids=["a", "b"], roles=[weighted_grpo.Q_PLUS, weighted_grpo.Q_MINUS])

        def observe(self, ids, rewards):
            pass

        def metrics(self):
            return {}

    class DeepSpeedEngine:
        module = types.SimpleNamespace(state_dict=lambda: {})

        def train(self):
            pass

        def get_lr(self):
            return [1e-3]

    def update(*args):
        calls.append("update")
        return {}

    monkeypatch.setattr(trainer, "_update", update)
    r = trainer._Run()
    r.cfg = trainer.TrainConfig(template="plain", steps=100, eval_every=100, checkpoint_every=100)
    r.world, r.tokenizer = distributed.SOLO, None
    r.by_id = {i: data.Problem(id=i, problem="2 + 2?", answer="4") for i in ("a", "b")}
    r.rollout, r.verifier, r.selector, r.engine = Engine(), Verifier(), Selector(), DeepSpeedEngine()
    r.alarm, r.ref_model, r.pad_id = verdict_monitor.UngradedAlarm(0.5), None, 0
    r.metrics = types.SimpleNamespace(write=lambda row: None)
    trainer._step(r, 1)
    trainer._step(r, 2)
    assert calls == ["generate", "sleep", "update", "sync_weights"] * 2
