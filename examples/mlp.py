"""A two-layer tanh multilayer perceptron with L1 and L2 regularization, trained by
minibatch SGD, in the structure of the classic Theano tutorial (mlp.py), on
synthetic data made here.

    python examples/mlp.py
"""

from __future__ import annotations

import numpy

import tg as theano
import tg.tensor as T

from datasets import make_dataset
from logistic_sgd import LogisticRegression, shared_dataset


class HiddenLayer:
    def __init__(self, rng, input, n_in, n_out, activation=T.tanh):
        bound = numpy.sqrt(6.0 / (n_in + n_out))
        W_values = numpy.asarray(rng.uniform(low=-bound, high=bound, size=(n_in, n_out)), dtype=theano.config.floatX)
        self.W = theano.shared(value=W_values, name="W", borrow=True)
        self.b = theano.shared(value=numpy.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        lin_output = T.dot(input, self.W) + self.b
        self.output = lin_output if activation is None else activation(lin_output)
        self.params = [self.W, self.b]


class MLP:
    def __init__(self, rng, input, n_in, n_hidden, n_out):
        self.hiddenLayer = HiddenLayer(rng=rng, input=input, n_in=n_in, n_out=n_hidden, activation=T.tanh)
        self.logRegressionLayer = LogisticRegression(input=self.hiddenLayer.output, n_in=n_hidden, n_out=n_out)
        self.L1 = abs(self.hiddenLayer.W).sum() + abs(self.logRegressionLayer.W).sum()
        self.L2_sqr = (self.hiddenLayer.W**2).sum() + (self.logRegressionLayer.W**2).sum()
        self.negative_log_likelihood = self.logRegressionLayer.negative_log_likelihood
        self.errors = self.logRegressionLayer.errors
        self.params = self.hiddenLayer.params + self.logRegressionLayer.params


def test_mlp(learning_rate=0.05, L1_reg=0.0001, L2_reg=0.0001, n_epochs=20, batch_size=20, n_hidden=32,
             datasets=None, seed=1234, verbose=True):
    """Train; returns (test error of the final model, per-epoch validation errors)."""
    datasets = datasets or make_dataset()
    (train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y) = map(shared_dataset, datasets)
    n_in = train_set_x.get_value(borrow=True).shape[1]
    n_out = int(datasets[0][1].max()) + 1
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    rng = numpy.random.RandomState(seed)
    classifier = MLP(rng=rng, input=x, n_in=n_in, n_hidden=n_hidden, n_out=n_out)
    cost = classifier.negative_log_likelihood(y) + L1_reg * classifier.L1 + L2_reg * classifier.L2_sqr

    test_model = theano.function([], classifier.errors(y), givens={x: test_set_x, y: test_set_y})
    validate_model = theano.function([], classifier.errors(y), givens={x: valid_set_x, y: valid_set_y})
    gparams = [T.grad(cost, param) for param in classifier.params]
    updates = [(param, param - learning_rate * gparam) for param, gparam in zip(classifier.params, gparams)]
    train_model = theano.function(
        inputs=[index],
        outputs=cost,
        updates=updates,
        givens={
            x: train_set_x[index * batch_size : (index + 1) * batch_size],
            y: train_set_y[index * batch_size : (index + 1) * batch_size],
        },
    )

    validation = []
    for epoch in range(1, n_epochs + 1):
        costs = [train_model(i) for i in range(n_train_batches)]
        validation.append(float(validate_model()))
        if verbose:
            print(f"epoch {epoch:3d}, cost {numpy.mean(costs):.5f}, validation error {validation[-1] * 100:.2f} %")
    test_error = float(test_model())
    if verbose:
        print(f"test error of the final model {test_error * 100:.2f} %")
    return test_error, validation


if __name__ == "__main__":
    test_mlp()
