// Rewrite counters: `stats=true` prints how often each rule fired, and `cap` bounds
// each rule's firings per function.
// RUN: tg-opt %s -p 'tg-canonicalize{stats=true}' 2>&1 >/dev/null | filecheck %s --check-prefix=STATS
// RUN: tg-opt %s -p 'tg-canonicalize{cap=1 stats=true}' 2>&1 >/dev/null | filecheck %s --check-prefix=CAPPED
// RUN: tg-opt %s -p 'tg-canonicalize{cap=1}' | filecheck %s --check-prefix=ONE

// STATS: // tg-canonicalize:
// STATS: {{ +[0-9]+}}  neg-neg
// CAPPED: 1  neg-neg  (capped)
// ONE: tg.neg %x
// ONE: func.return
func.func @f(%x: tensor<?xf64>, %y: tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>) {
  %0 = tg.neg %x : tensor<?xf64>
  %1 = tg.neg %0 : tensor<?xf64>
  %2 = tg.neg %y : tensor<?xf64>
  %3 = tg.neg %2 : tensor<?xf64>
  %4 = tg.neg %3 : tensor<?xf64>
  func.return %1, %4 : tensor<?xf64>, tensor<?xf64>
}
