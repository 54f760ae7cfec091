"""`tg.tensor.nnet`: neural-network functions (Theano's `theano.tensor.nnet`)."""

from tg.tensor.basic import sigmoid

__all__ = ["sigmoid"]
