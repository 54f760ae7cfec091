"""tg's quickstart: a Theano program, unchanged but for its import, and its IR at
every level from the graph to the LLVM IR handed to llvmlite."""

import numpy

import tg as theano

x = theano.tensor.fvector("x")
W = theano.shared(numpy.asarray([0.2, 0.7]), "W")
y = (x * W).sum()
f = theano.function([x], y)

print("f([1.0, 1.0]) =", f([1.0, 1.0]))

for stage in ("graph", "optimized", "loops", "llvm", "llvmir"):
    print(f"\n// ===== {stage} " + "=" * (60 - len(stage)))
    print(f.ir(stage))
