"""Multiclass logistic regression trained by minibatch SGD, in the structure of the
classic Theano tutorial (logistic_sgd.py): shared datasets, a minibatch `index`
input and `givens` that slice the data, on synthetic data made here.

    python examples/logistic_sgd.py
"""

from __future__ import annotations

import numpy

import tg as theano
import tg.tensor as T

from datasets import make_dataset


class LogisticRegression:
    """p(y|x) = softmax(x W + b)."""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(numpy.zeros((n_in, n_out), dtype=theano.config.floatX), name="W", borrow=True)
        self.b = theano.shared(numpy.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        return T.mean(T.neq(self.y_pred, y))


def shared_dataset(data_xy):
    data_x, data_y = data_xy
    shared_x = theano.shared(numpy.asarray(data_x, dtype=theano.config.floatX), borrow=True)
    shared_y = theano.shared(numpy.asarray(data_y, dtype="int32"), borrow=True)
    return shared_x, shared_y


def sgd_optimization(learning_rate=0.13, n_epochs=30, batch_size=60, datasets=None, verbose=True):
    """Train; returns (test error of the final model, per-epoch validation errors)."""
    datasets = datasets or make_dataset()
    (train_set_x, train_set_y), (valid_set_x, valid_set_y), (test_set_x, test_set_y) = map(shared_dataset, datasets)
    n_in = train_set_x.get_value(borrow=True).shape[1]
    n_out = int(datasets[0][1].max()) + 1
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    classifier = LogisticRegression(input=x, n_in=n_in, n_out=n_out)
    cost = classifier.negative_log_likelihood(y)

    test_model = theano.function([], classifier.errors(y), givens={x: test_set_x, y: test_set_y})
    validate_model = theano.function([], classifier.errors(y), givens={x: valid_set_x, y: valid_set_y})
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [(classifier.W, classifier.W - learning_rate * g_W), (classifier.b, classifier.b - learning_rate * g_b)]
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
    sgd_optimization()
