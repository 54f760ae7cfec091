"""`tg.sandbox`: Theano's sandbox namespace (home of `rng_mrg.MRG_RandomStreams`)."""
