// Exact tree rewrites that make some answers comparable at all (rules in docs/verifier.md):
//   - cancellation of structurally identical terms and factors, so "7^{10^{12}} - 7^{10^{12}} + 3" is 3 before
//     the exponent bound would refuse it;
//   - arithmetic on matrices written out cell by cell: "3\begin{pmatrix}1\\2\end{pmatrix}" is the matrix (3, 6).
// Both copy into a new tree, linear in its size (hashing, no symbolic algebra), and give up (return false)
// rather than grow it past a fixed multiple of the input.
#ifndef RLVR_CPP_VERIFIER_SIMPLIFY_H_
#define RLVR_CPP_VERIFIER_SIMPLIFY_H_

#include "cpp/verifier/parse.h"

namespace rlvr::verifier {

// In every sum, a term and the same term with the opposite sign cancel ("a + b - a" → b, "-c + c" → 0); in
// every product, a factor and the same divisor cancel ("\frac{a b}{a}" → b). False if nothing cancelled.
bool CancelIdenticalTerms(const Expr& in, Expr* out);

// Scalar multiples and quotients, negations, sums and differences of same-shape matrices become one matrix
// ("3M", "M/2", "-M", "M + N"). False if the tree has no such arithmetic.
bool DistributeOverMatrices(const Expr& in, Expr* out);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_SIMPLIFY_H_
