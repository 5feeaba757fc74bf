"""vLLM engine wrapper: n samples per prompt with per-token logprobs, and in-place weight sync from a trainer.

Call `rlvr.runtime.setup()` before importing this module's users' vllm (the binaries do it first thing).
"""

import contextlib
import dataclasses
import glob
import hashlib
import os
import time

import safetensors
import safetensors.torch
import torch

from rlvr import console, models, runtime

_LM_HEAD = "lm_head.weight"


@dataclasses.dataclass
class Sample:
    text: str
    token_ids: list[int]
    logprobs: list[float]  # logprob of each sampled token under the sampler (see RolloutEngine); [] if not asked
    truncated: bool = False  # cut off by max_tokens (vLLM finish_reason "length"): the verifier gives NO_ANSWER


def _reload(worker, weights, repack_lm_head: bool) -> None:
    """Runs inside each vLLM worker: in this process when the engine is in-process, else pickled to worker
    processes.

    `weights` is a dict of tensors when the worker shares our process (vLLM copies them into its own
    parameters: no serialisation, and on a GPU no trip through host memory), else one safetensors blob, because
    untyped RPC arguments cannot carry tensors between processes. `reload_weights` re-runs the layers'
    post-load processing (oneDNN packing on CPU), except for a tied `lm_head`, whose packed copy would keep
    serving the old embedding matrix.
    """
    if isinstance(weights, bytes):
        weights = safetensors.torch.load(weights)
    worker.reload_weights(weights_iterator=iter(weights.items()))
    if repack_lm_head:
        from vllm.model_executor.layers.utils import dispatch_cpu_unquantized_gemm

        dispatch_cpu_unquantized_gemm(worker.model_runner.get_model().lm_head, remove_weight=False)


def _in_process_worker(llm) -> bool:
    """Whether the engine's one worker runs in this process (in-process engine core, single-process executor),
    so that RPC arguments reach it as the objects themselves."""
    from vllm.v1.engine.core_client import InprocClient
    from vllm.v1.executor.uniproc_executor import UniProcExecutor

    client = llm.llm_engine.engine_core
    return isinstance(client, InprocClient) and isinstance(client.engine_core.model_executor, UniProcExecutor)


def _checkpoint_shapes(model_dir: str) -> dict[str, tuple[int, ...]]:
    """Parameter names and shapes from the model's safetensors headers (no tensor data is read)."""
    shapes = {}
    for path in sorted(glob.glob(os.path.join(model_dir, "*.safetensors"))):
        with safetensors.safe_open(path, framework="pt") as f:
            for name in f.keys():
                shapes[name] = tuple(f.get_slice(name).get_shape())
    return shapes


def _prompt_seeds(seed: int, prompts: list[str]) -> list[int]:
    """A well-spread base seed per prompt from (call seed, prompt text, how often that text came before in the
    call), so a prompt's samples do not depend on which other prompts share the batch (a resumed profile equals
    an uninterrupted one) while repeats of a prompt still differ. Sample j is drawn with seed base + j (vLLM seeds
    a request's i-th completion with its seed + i), whichever call or rank draws it."""
    seen: dict[str, int] = {}
    seeds = []
    for prompt in prompts:
        repeat = seen[prompt] = seen.get(prompt, -1) + 1
        digest = hashlib.blake2b(f"{seed}\0{repeat}\0{prompt}".encode(), digest_size=8).digest()
        seeds.append(int.from_bytes(digest, "little") >> 2)  # leave room for + n below 2**63
    return seeds


class RolloutEngine:
    """A `vllm.LLM` for sampling rollouts.

    Logprobs are vLLM's `logprobs_mode` (default "raw_logprobs": log-softmax of the model's logits before
    temperature and top-p, which a trainer reproduces from its own forward pass). Pass
    `logprobs_mode="processed_logprobs"` to get them after temperature/top-p instead.
    `engine_kwargs` go to `vllm.LLM` (the device settings: `config.Hardware.vllm_kwargs()`); on CPU the engine is
    always eager, and sleep mode is refused.

    On CPU, sampling and weight sync run with `threads` torch threads (default: $OMP_NUM_THREADS, else 1 -- what
    vLLM means to do but its own set_num_threads stub defeats), and the caller's count is put back afterwards, so
    a trainer in the same process keeps its own. Spin-waiting OpenMP workers made generation ~20x slower on a
    busy 2-core machine (0.87M-param model: 5 s vs 0.3 s of CPU for 16x8 samples).
    """

    def __init__(self, model_dir: str, seed: int = 0, max_model_len: int = 512, dtype: str = "auto",
                 threads: int | None = None, **engine_kwargs):
        dtype = models.resolved_dtype(model_dir, dtype)  # "auto": the checkpoint's, as the trainer's
        import vllm
        from vllm.platforms import current_platform

        self._is_cpu = current_platform.is_cpu()
        # Checked here, naming the flag: vLLM's own error (a pydantic ValidationError) names neither it nor why.
        self.sleep_mode = bool(engine_kwargs.get("enable_sleep_mode"))
        if self.sleep_mode and not current_platform.is_sleep_mode_available():
            raise ValueError(f"--enable_sleep_mode: vLLM {vllm.__version__} has sleep mode on CUDA, ROCm and XPU "
                             f"GPUs only, not on {current_platform.device_type}; leave it off here")
        tp = engine_kwargs.get("tensor_parallel_size", 1)
        if torch.distributed.is_initialized() and torch.distributed.get_world_size() > 1:
            if tp > 1:
                raise ValueError("--tensor_parallel_size > 1 with several ranks: each rank holds a whole engine and "
                                 "samples its own share (data parallel); use --tensor_parallel_size=1")
            # vLLM's torchrun mode: this rank's own engine, in this process, on the device of its LOCAL_RANK.
            engine_kwargs.setdefault("distributed_executor_backend", "external_launcher")
        if self._is_cpu:
            # Compiling the model costs minutes on CPU and gains nothing at this scale; GPUs take the flag.
            engine_kwargs["enforce_eager"] = True
            # vLLM 0.32 on CPU crashes ("CPU Generator does not use offset") when it rewinds a seeded request's
            # generator after a partial prefill, which large seeded batches (prompts × K) trigger.
            engine_kwargs.setdefault("enable_chunked_prefill", False)
            engine_kwargs.setdefault("max_num_batched_tokens", max(4096, max_model_len))
        engine_kwargs.setdefault("use_tqdm_on_load", not console.quiet())
        self.threads = threads if threads is not None else int(os.environ.get("OMP_NUM_THREADS") or 1)
        if self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        start = time.perf_counter()
        # An in-process engine's CPU worker prints torch's NUMA note from C++ (console.native_stderr drops it); an
        # engine in its own process, or with worker processes (tensor parallel), keeps the console's stderr.
        in_process = os.environ.get("VLLM_ENABLE_V1_MULTIPROCESSING") == "0" and tp == 1
        try:
            with console.native_stderr() if in_process else contextlib.nullcontext():
                self._llm = vllm.LLM(model=model_dir, seed=seed, max_model_len=max_model_len, dtype=dtype,
                                     **engine_kwargs)
        except Exception as e:
            if self._is_cpu and tp > 1:
                raise ValueError(f"--tensor_parallel_size={tp} on CPU: vLLM runs one worker process per tensor-"
                                 f"parallel rank, each bound to its own NUMA node or to the cores "
                                 f"VLLM_CPU_OMP_THREADS_BIND lists ('0|1': two ranks on cores 0 and 1); vLLM "
                                 f"said: {e}") from e
            raise
        self.start_seconds = time.perf_counter() - start
        self._vllm = vllm
        self.tokenizer = self._llm.get_tokenizer()
        model_config = self._llm.llm_engine.model_config
        self.dtype: torch.dtype = model_config.dtype
        self.tied_embeddings = bool(getattr(model_config.hf_config, "tie_word_embeddings", False))
        self._shapes = _checkpoint_shapes(model_dir)
        self.in_process = _in_process_worker(self._llm)
        self.last_sync_ms = 0.0
        self.asleep = False

    def sleep(self) -> None:
        """With sleep mode, frees the engine's device memory for the trainer's update; otherwise nothing. Level 2
        discards the weights too (level 1 would copy them to host memory and back): the next sync_weights
        overwrites every one of them anyway (vLLM keeps its buffers, e.g. rotary tables, across the sleep)."""
        if self.sleep_mode:
            self._llm.sleep(level=2)
            self.asleep = True

    def prompt_token_ids(self, prompt: str) -> list[int]:
        """The exact token ids `generate` feeds the model for `prompt`."""
        return list(self.tokenizer.encode(prompt))

    def generate(self, prompts: list[str], n: int, temperature: float, top_p: float, max_tokens: int,
                 seed: int | None = None, samples: list[range] | None = None,
                 logprobs: int = 0) -> list[list[Sample]]:
        """`n` samples for each prompt, as [prompt][sample]. With `seed`, a prompt's samples depend only on the
        weights, the seed and the prompt (see _prompt_seeds), and sample j of a prompt only on those and j.
        `samples[p]`: which of prompt p's n samples to draw (a rank's share, distributed.per_prompt); default all.
        A prompt with an empty range is not sampled and gets an empty list.
        `logprobs`: how many of each prompt's drawn samples (the first ones) carry their sampler logprobs; the
        others get an empty list. vLLM's per-token logprob objects cost about a fifth of the tiny model's sampling
        time, and only the trainer's health check reads them (a few samples suffice for it)."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {temperature}")
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {top_p}")
        if logprobs < 0:
            raise ValueError(f"logprobs must be >= 0, got {logprobs}")
        if self.asleep:
            raise RuntimeError("generate: the engine is asleep and its weights were discarded; sync_weights "
                               "wakes it with new ones")
        if samples is None:
            samples = [range(n)] * len(prompts)
        if len(samples) != len(prompts) or any(r.step != 1 or r.start < 0 or r.stop > n for r in samples):
            raise ValueError(f"samples: expected one range within 0..{n} per prompt ({len(prompts)}), got {samples}")
        seeds = [None] * len(prompts) if seed is None else _prompt_seeds(seed, prompts)
        # One request per prompt, or two when only its first samples carry logprobs: a request's i-th completion is
        # seeded with its seed + i, so a split draws the same samples.
        requests = []  # (prompt, first sample, count, with logprobs)
        for p, r in enumerate(samples):
            checked = min(logprobs, len(r))
            requests += [(p, r.start, checked, True), (p, r.start + checked, len(r) - checked, False)]
        requests = [req for req in requests if req[2]]
        params = [
            self._vllm.SamplingParams(n=count, temperature=temperature, top_p=top_p, max_tokens=max_tokens,
                                      logprobs=0 if checked else None,
                                      seed=None if seeds[p] is None else seeds[p] + start)
            for p, start, count, checked in requests
        ]
        inputs = [{"prompt_token_ids": self.prompt_token_ids(prompts[p])} for p, *_ in requests]
        out: list[list[Sample]] = [[] for _ in prompts]
        if requests:
            with self._serving_threads():
                outputs = self._llm.generate(inputs, params, use_tqdm=False)
            for (p, *_), o in zip(requests, outputs):
                out[p] += [self._sample(c) for c in sorted(o.outputs, key=lambda c: c.index)]
        return out

    def _serving_threads(self):
        # The in-process CPU engine computes in the caller's thread; elsewhere workers own their threads.
        return runtime.torch_threads(self.threads) if self._is_cpu else contextlib.nullcontext()

    @staticmethod
    def _sample(completion) -> Sample:
        ids = list(completion.token_ids)
        # logprobs=0 returns exactly the sampled token in each position's dict (None: none were asked for).
        logprobs = [step[tok].logprob for tok, step in zip(ids, completion.logprobs or ())]
        return Sample(text=completion.text, token_ids=ids, logprobs=logprobs,
                      truncated=completion.finish_reason == "length")

    def sync_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        """Loads a full Hugging Face-named state dict into the running engine, in place, and drops the prefix
        cache (its KV entries were computed with the old weights). Checked against the checkpoint's names and
        shapes first: a failed reload inside vLLM leaves the engine unusable. An engine put to sleep wakes here:
        its weights' memory first, then, with the new weights in, its KV cache, so the two never compete."""
        start = time.perf_counter()
        self._check_state_dict(state_dict)
        tensors = {
            name: t.detach().to(dtype=self.dtype)  # no copy when the dtypes agree
            for name, t in state_dict.items()
            if not (self.tied_embeddings and name == _LM_HEAD)  # vLLM reads the tied head from the embeddings
        }
        if not self.in_process:
            tensors = safetensors.torch.save({name: t.to("cpu").contiguous() for name, t in tensors.items()})
        if self.asleep:
            # The update's activations sit in torch's allocator cache; handed back to the device, vLLM's own
            # allocator can map that memory again as it wakes.
            torch.cuda.empty_cache()  # nothing without CUDA
            self._llm.wake_up(tags=["weights"])
        with self._serving_threads():
            self._llm.collective_rpc(_reload, args=(tensors, self.tied_embeddings and self._is_cpu))
        if self.asleep:
            self._llm.wake_up(tags=["kv_cache"])
            self.asleep = False
        self._llm.reset_prefix_cache()
        self.last_sync_ms = (time.perf_counter() - start) * 1e3

    def _check_state_dict(self, state_dict: dict[str, torch.Tensor]) -> None:
        if not self._shapes:  # no safetensors headers to check against (e.g. a .bin checkpoint)
            return
        optional = {_LM_HEAD} if self.tied_embeddings else set()
        missing = sorted(set(self._shapes) - set(state_dict) - optional)
        unknown = sorted(set(state_dict) - set(self._shapes) - optional)
        wrong = sorted(f"{k}: {tuple(v.shape)} != {self._shapes[k]}" for k, v in state_dict.items()
                       if k in self._shapes and tuple(v.shape) != self._shapes[k])
        if missing or unknown or wrong:
            raise ValueError(f"sync_weights: state_dict does not match the model checkpoint; missing "
                             f"{missing[:5]}, unknown {unknown[:5]}, wrong shapes {wrong[:5]}")
