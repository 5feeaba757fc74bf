"""RolloutEngine through real in-process vLLM, checked against transformers on tiny Qwen2 models (tied and untied
embeddings: the tied head is the one vLLM's CPU backend keeps a stale packed copy of)."""

import copy

from rlvr import runtime

runtime.setup()

import pytest  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402

from rlvr import distributed  # noqa: E402
from rlvr.rollout import RolloutEngine  # noqa: E402

PROMPTS = ["What is 3 + 4?", "Compute 12 - 5.", "Solve x + 2 = 9."]
TOL = 1e-3  # fp32 on both sides; observed differences are ~1e-6


def _build_tiny_qwen2(out_dir: str, tied: bool) -> str:
    """A random 0.4M-parameter Qwen2 with a byte-level BPE trained here (no hub on this machine)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = [f"What is {a} + {b}? The answer is \\boxed{{{a + b}}}." for a in range(30) for b in range(30)]
    tok.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>",
                                                pad_token="<|endoftext|>")
    fast.save_pretrained(out_dir)
    torch.manual_seed(0)
    # head_dim 32: vLLM's CPU attention has no kernel for head_dim 16.
    config = transformers.Qwen2Config(
        vocab_size=len(fast), hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, tie_word_embeddings=tied,
        eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id, bos_token_id=fast.eos_token_id)
    transformers.Qwen2ForCausalLM(config).save_pretrained(out_dir)
    return out_dir


@pytest.fixture(scope="module", params=[False, True], ids=["untied", "tied"])
def setup(request, tmp_path_factory):
    model_dir = _build_tiny_qwen2(str(tmp_path_factory.mktemp("model")), tied=request.param)
    engine = RolloutEngine(model_dir, seed=0, max_model_len=256)
    print(f"vLLM engine start: {engine.start_seconds:.2f} s")
    yield model_dir, engine
    del engine


def _hf_logprobs(hf, engine, prompt, sample) -> torch.Tensor:
    prompt_ids = engine.prompt_token_ids(prompt)
    with torch.no_grad():
        logits = hf(torch.tensor([prompt_ids + sample.token_ids])).logits[0].float()
    steps = torch.arange(len(sample.token_ids)) + len(prompt_ids) - 1
    return logits.log_softmax(-1)[steps, torch.tensor(sample.token_ids)]


def _max_diff(hf, engine, outputs) -> float:
    return max((_hf_logprobs(hf, engine, p, s) - torch.tensor(s.logprobs)).abs().max().item()
               for p, samples in zip(PROMPTS, outputs) for s in samples)


def _sample(engine, seed=7, n=4):
    return engine.generate(PROMPTS, n=n, temperature=1.0, top_p=1.0, max_tokens=16, seed=seed, logprobs=n)


def test_sync_weights_matches_transformers(setup):
    model_dir, engine = setup
    hf = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    assert hf.config.tie_word_embeddings == engine.tied_embeddings
    engine.sync_weights(hf.state_dict())  # same weights as on disk: a no-op that must keep logprobs exact
    before = _sample(engine)
    assert _max_diff(hf, engine, before) < TOL

    with torch.no_grad():
        gen = torch.Generator().manual_seed(1)
        for p in hf.parameters():
            p.add_(torch.randn(p.shape, generator=gen) * 0.05)
    engine.sync_weights(hf.state_dict())
    print(f"weight sync: {engine.last_sync_ms:.1f} ms")
    # The pre-sync logprobs no longer describe the perturbed model...
    assert _max_diff(hf, engine, before) > 0.1
    # ...and what vLLM samples now is scored exactly like transformers scores it.
    assert _max_diff(hf, engine, _sample(engine)) < TOL
    # The in-process engine got the tensors themselves; what it serves is its own copy, so the trainer's next
    # in-place step does not leak into it before the next sync.
    assert engine.in_process
    synced = copy.deepcopy(hf)
    with torch.no_grad():
        for p in hf.parameters():
            p.mul_(-1.0)
    assert _max_diff(synced, engine, _sample(engine)) < TOL


def test_generate_reproducible_under_seed(setup):
    _, engine = setup
    first, again, other = _sample(engine, seed=3), _sample(engine, seed=3), _sample(engine, seed=4)
    assert [[s.token_ids for s in row] for row in first] == [[s.token_ids for s in row] for row in again]
    assert [[s.logprobs for s in row] for row in first] == [[s.logprobs for s in row] for row in again]
    assert [[s.token_ids for s in row] for row in first] != [[s.token_ids for s in row] for row in other]
    # A prompt's samples do not depend on its batch neighbours (profiling resumes in other batches)...
    alone = engine.generate(PROMPTS[1:2], n=4, temperature=1.0, top_p=1.0, max_tokens=16, seed=3)
    assert [s.token_ids for s in alone[0]] == [s.token_ids for s in first[1]]
    # ...but a repeated prompt is sampled afresh.
    twice = engine.generate(PROMPTS[:1] * 2, n=4, temperature=1.0, top_p=1.0, max_tokens=16, seed=3)
    assert [s.token_ids for s in twice[0]] == [s.token_ids for s in first[0]]
    assert [s.token_ids for s in twice[1]] != [s.token_ids for s in twice[0]]


def test_any_split_of_a_batch_draws_the_same_samples(setup):
    """Data-parallel rollouts rest on this: sample j of a prompt depends on (seed, prompt, j) only, so ranks that
    each draw a share of the batch, in calls of their own, draw exactly the one-process batch."""
    _, engine = setup
    n = 4
    full = engine.generate(PROMPTS, n=n, temperature=1.0, top_p=1.0, max_tokens=16, seed=3, logprobs=n)
    # 12 responses in units of 1 over 5 ranks: prompt boundaries fall inside shards, so groups are cut apart.
    parts = distributed.shards(len(PROMPTS) * n, 1, 5)
    assert [len(r) for r in parts] == [3, 3, 2, 2, 2]
    drawn = [engine.generate(PROMPTS, n=n, temperature=1.0, top_p=1.0, max_tokens=16, seed=3,
                             samples=distributed.per_prompt(mine, n, len(PROMPTS)), logprobs=n)
             for mine in reversed(parts)][::-1]  # the last rank's share first: call order must not matter
    assert [[len(row) for row in d] for d in drawn] == [[3, 0, 0], [1, 2, 0], [0, 2, 0], [0, 0, 2], [0, 0, 2]]
    merged = [[s for d in drawn for s in d[p]] for p in range(len(PROMPTS))]
    assert [[s.token_ids for s in row] for row in merged] == [[s.token_ids for s in row] for row in full]
    def logprobs(rows):
        return [lp for row in rows for s in row for lp in s.logprobs]

    assert logprobs(merged) == pytest.approx(logprobs(full), abs=1e-5)  # other batch shapes: round-off at most
    # Logprobs for none, or for the first sample of each prompt only (two requests per prompt): the same samples.
    for first in (0, 1):
        some = engine.generate(PROMPTS, n=n, temperature=1.0, top_p=1.0, max_tokens=16, seed=3, logprobs=first)
        assert [[s.token_ids for s in row] for row in some] == [[s.token_ids for s in row] for row in full]
        assert [[bool(s.logprobs) for s in row] for row in some] == [[j < first for j in range(n)]] * len(PROMPTS)
        assert logprobs(some) == pytest.approx([lp for row in full for s in row[:first] for lp in s.logprobs],
                                               abs=1e-5)
    with pytest.raises(ValueError, match="samples"):
        engine.generate(PROMPTS, n=n, temperature=1.0, top_p=1.0, max_tokens=16, samples=[range(5)] * 3)


def test_generate_shapes(setup):
    _, engine = setup
    outputs = engine.generate(PROMPTS, n=5, temperature=0.8, top_p=0.9, max_tokens=12, seed=0, logprobs=2)
    assert len(outputs) == len(PROMPTS)
    for row in outputs:
        assert len(row) == 5
        assert len({tuple(s.token_ids) for s in row}) > 1  # n independent samples, not n copies
        for j, s in enumerate(row):
            assert 1 <= len(s.token_ids) <= 12
            assert len(s.logprobs) == (len(s.token_ids) if j < 2 else 0)  # the first 2 carry logprobs
            assert all(lp <= 0.0 for lp in s.logprobs)
            assert isinstance(s.text, str)
            if len(s.token_ids) < 12:
                assert not s.truncated  # stopped on its own
    # Random weights rarely sample the end token: most responses run into max_tokens and are flagged.
    assert any(s.truncated for row in outputs for s in row)
    assert engine.generate([], n=2, temperature=1.0, top_p=1.0, max_tokens=4) == []


def test_prompt_token_ids_match_tokenizer(setup):
    model_dir, engine = setup
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    assert engine.prompt_token_ids(PROMPTS[0]) == tok(PROMPTS[0])["input_ids"]


def test_bad_arguments_are_rejected_and_engine_survives(setup):
    model_dir, engine = setup
    hf = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    state = hf.state_dict()
    with pytest.raises(ValueError, match="missing"):
        engine.sync_weights({k: v for k, v in state.items() if k != "model.norm.weight"})
    with pytest.raises(ValueError, match="wrong shapes"):
        engine.sync_weights({**state, "model.norm.weight": torch.ones(3)})
    with pytest.raises(ValueError, match="top_p"):
        engine.generate(PROMPTS, n=1, temperature=1.0, top_p=0.0, max_tokens=4)
    with pytest.raises(ValueError, match="logprobs must be >= 0"):
        engine.generate(PROMPTS, n=1, temperature=1.0, top_p=1.0, max_tokens=4, logprobs=-1)
    with pytest.raises(FileNotFoundError, match="config.json"):
        RolloutEngine(str(model_dir) + "/nonexistent")
    # vLLM 0.32 has no sleep mode on CPU: refused, naming the flag, before an engine starts
    with pytest.raises(ValueError, match="--enable_sleep_mode: vLLM .* GPUs only, not on cpu"):
        RolloutEngine(model_dir, enable_sleep_mode=True)
    engine.sleep()  # without sleep mode: nothing, and the engine serves on
    assert len(_sample(engine, n=1)) == len(PROMPTS)


def test_restore_torch_threads_undoes_vllm_clamp(setup):
    # The in-process engine replaced torch.set_num_threads with a warning-only stub.
    assert torch.set_num_threads is not torch._C.set_num_threads
    assert runtime.restore_torch_threads(1) == 1
    torch.set_num_threads(2)
    assert torch.get_num_threads() == 2


def test_engine_keeps_the_callers_thread_count(setup):
    _, engine = setup
    assert engine.threads == 1  # serving default without OMP_NUM_THREADS
    runtime.restore_torch_threads(2)
    _sample(engine, n=1)
    assert torch.get_num_threads() == 2
    with runtime.torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
