"""tg: Theano reborn as a multi-level compiler on xDSL and LLVM."""
