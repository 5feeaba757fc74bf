"""Derived seeds: every random choice of a run is a function of (seed, what, where), so a resumed run repeats
exactly what the uninterrupted one would have done. Leaf module."""
import hashlib


def derived_seed(seed: int, *parts) -> int:
    """A 31-bit seed that depends only on (seed, parts): per-step rollout seeds survive a resume unchanged."""
    digest = hashlib.blake2b(":".join(map(str, (seed,) + parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & 0x7FFFFFFF
