"""`tg.sandbox.rng_mrg`: Theano's `MRG_RandomStreams`, the same streams as
`tg.tensor.shared_randomstreams.RandomStreams` (a counter-based generator computed
in the generated code, so it needs no separate GPU flavour), seeded with 12345 by
default as Theano's was."""

from __future__ import annotations

from tg.tensor.shared_randomstreams import RandomStreams

__all__ = ["MRG_RandomStreams"]


class MRG_RandomStreams(RandomStreams):
    """Theano's MRG_RandomStreams: `multinomial(pvals=matrix)` gives one-hot (n = 1)
    or count rows; `nstreams` arguments are accepted and ignored."""

    def __init__(self, seed: int = 12345):
        super().__init__(seed)
