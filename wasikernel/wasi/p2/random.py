"""wasi:random: secure and insecure random bytes, seeded when the sandbox says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import messages
from ..fs import MAX_READ
from ._spec import HostTrap, wit

if TYPE_CHECKING:
    from ._host import ComponentHost


def _bytes(h: ComponentHost, length: int) -> bytes:
    """``length`` random bytes. Raises HostTrap past MAX_READ (never allocated)."""
    if length > MAX_READ:
        raise HostTrap(messages.t("p2_too_many_bytes", n=length, limit=MAX_READ))
    return h.random_bytes(length)


def _u64(h: ComponentHost) -> int:
    """A random 64-bit number."""
    return int.from_bytes(h.random_bytes(8), "little")


wit("wasi:random/random", "get-random-bytes", "len")(_bytes)
wit("wasi:random/random", "get-random-u64")(_u64)
wit("wasi:random/insecure", "get-insecure-random-bytes", "len")(_bytes)
wit("wasi:random/insecure", "get-insecure-random-u64")(_u64)


@wit("wasi:random/insecure-seed", "insecure-seed")
def insecure_seed(h: ComponentHost) -> tuple[int, int]:
    """Two random 64-bit numbers."""
    return _u64(h), _u64(h)
