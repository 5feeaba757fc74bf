#include "cpp/verifier/simplify.h"

#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rlvr::verifier {
namespace {

// Output may grow to this multiple of the input (plus a constant) before a rewrite gives up: distributing a
// scalar over a matrix copies it per cell, and nesting ("2(2(2M))") must not multiply without bound.
constexpr size_t kGrowth = 4;

// An output arena with a size cap.
class Builder {
 public:
  explicit Builder(const Expr& in) : cap_(kGrowth * in.nodes.size() + 64) {}

  int Push(Node n) {
    if (out_.nodes.size() >= cap_) full_ = true;
    out_.nodes.push_back(std::move(n));
    return static_cast<int>(out_.nodes.size() - 1);
  }
  int Op(Kind k, std::vector<int> kids) { return Push(Node{k, "", Rational(), std::move(kids)}); }
  int Number(int64_t v) { return Push(Node{Kind::kNumber, "", Rational(v), {}}); }
  const Node& at(int i) const { return out_.at(i); }
  bool full() const { return full_; }
  // The rewritten tree, when the rewrite changed something and stayed within the cap.
  bool Finish(int root, bool changed, Expr* out) {
    if (!changed || full_) return false;
    out_.root = root;
    *out = std::move(out_);
    return true;
  }

 private:
  size_t cap_;
  bool full_ = false;
  Expr out_;
};

// ---- Cancellation ----

class Canceller {
 public:
  explicit Canceller(const Expr& in) : in_(in), b_(in) {}

  bool Run(Expr* out) {
    int root = Copy(in_.root);
    return b_.Finish(root, cancelled_, out);
  }

 private:
  struct Term {
    int node;      // in the output
    bool inverse;  // subtracted, or a divisor
  };

  int Copy(int i) {
    const Node& n = in_.at(i);
    if (b_.full()) return Record(b_.Number(0));
    if (n.kind == Kind::kAdd || n.kind == Kind::kSub) return Chain(i, /*sum=*/true);
    if (n.kind == Kind::kMul || n.kind == Kind::kDiv) return Chain(i, /*sum=*/false);
    Node copy = n;
    for (int& k : copy.kids) k = Copy(k);
    return Record(b_.Push(std::move(copy)));
  }

  // The operands of a chain of + − (and unary −) or × ÷, each with its sign.
  void Collect(int i, bool inverse, bool sum, std::vector<Term>* terms) {
    const Node& n = in_.at(i);
    Kind plus = sum ? Kind::kAdd : Kind::kMul, minus = sum ? Kind::kSub : Kind::kDiv;
    if (n.kind == plus || n.kind == minus) {
      Collect(n.kids[0], inverse, sum, terms);
      Collect(n.kids[1], n.kind == minus ? !inverse : inverse, sum, terms);
    } else if (sum && n.kind == Kind::kNeg) {
      Collect(n.kids[0], !inverse, sum, terms);
    } else {
      terms->push_back({Copy(i), inverse});
    }
  }

  int Chain(int i, bool sum) {
    std::vector<Term> terms;
    Collect(i, false, sum, &terms);
    std::vector<bool> gone(terms.size(), false);
    std::unordered_map<uint64_t, std::vector<size_t>> open;  // uncancelled terms by hash
    for (size_t t = 0; t < terms.size(); ++t) {
      std::vector<size_t>& same_hash = open[hashes_[static_cast<size_t>(terms[t].node)]];
      for (size_t k = 0; k < same_hash.size(); ++k) {
        size_t u = same_hash[k];
        if (terms[u].inverse != terms[t].inverse && Same(terms[u].node, terms[t].node)) {
          gone[u] = gone[t] = cancelled_ = true;
          same_hash.erase(same_hash.begin() + static_cast<std::ptrdiff_t>(k));
          break;
        }
      }
      if (!gone[t]) same_hash.push_back(t);
    }
    return Rebuild(terms, gone, sum);
  }

  // Left fold of the remaining terms: t1 ± t2 ± ..., or (1 ×) f1 × f2 ÷ d1 ...; 0 or 1 when none is left.
  int Rebuild(const std::vector<Term>& terms, const std::vector<bool>& gone, bool sum) {
    int acc = -1;
    for (size_t t = 0; t < terms.size(); ++t) {
      if (gone[t]) continue;
      int x = terms[t].node;
      if (acc < 0 && (!terms[t].inverse || sum)) {
        acc = terms[t].inverse ? Record(b_.Op(Kind::kNeg, {x})) : x;
        continue;
      }
      if (acc < 0) acc = Record(b_.Number(1));
      Kind k = sum ? (terms[t].inverse ? Kind::kSub : Kind::kAdd) : (terms[t].inverse ? Kind::kDiv : Kind::kMul);
      acc = Record(b_.Op(k, {acc, x}));
    }
    return acc >= 0 ? acc : Record(b_.Number(sum ? 0 : 1));
  }

  // Structural hash of a new output node (its kids are hashed already).
  int Record(int i) {
    const Node& n = b_.at(i);
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    mix(static_cast<uint64_t>(n.kind));
    for (char c : n.name) mix(static_cast<unsigned char>(c));
    if (n.kind == Kind::kNumber) {
      for (char c : n.value.ToString()) mix(static_cast<unsigned char>(c));
    }
    mix(static_cast<uint64_t>(n.open) << 8 | static_cast<uint64_t>(n.close));
    mix(static_cast<uint64_t>(n.rows) << 32 | static_cast<uint64_t>(n.cols));
    mix(static_cast<uint64_t>(n.base));
    for (int k : n.kids) mix(hashes_[static_cast<size_t>(k)]);
    hashes_.resize(static_cast<size_t>(i) + 1);
    hashes_[static_cast<size_t>(i)] = h;
    return i;
  }

  bool Same(int x, int y) const {
    if (hashes_[static_cast<size_t>(x)] != hashes_[static_cast<size_t>(y)]) return false;
    const Node &a = b_.at(x), &c = b_.at(y);
    if (a.kind != c.kind || a.name != c.name || a.value != c.value || a.open != c.open || a.close != c.close ||
        a.rows != c.rows || a.cols != c.cols || a.base != c.base || a.kids.size() != c.kids.size()) {
      return false;
    }
    for (size_t k = 0; k < a.kids.size(); ++k) {
      if (!Same(a.kids[k], c.kids[k])) return false;
    }
    return true;
  }

  const Expr& in_;
  Builder b_;
  std::vector<uint64_t> hashes_;  // by output node
  bool cancelled_ = false;
};

// ---- Matrix arithmetic ----

bool IsScalar(Kind k) {
  switch (k) {
    case Kind::kTuple: case Kind::kSet: case Kind::kList: case Kind::kUnion: case Kind::kMatrix:
    case Kind::kRelation: case Kind::kRatio: case Kind::kText: case Kind::kChoice:
      return false;
    default:
      return true;
  }
}

class Distributor {
 public:
  explicit Distributor(const Expr& in) : in_(in), b_(in) {}

  bool Run(Expr* out) {
    int root = Copy(in_.root);
    return b_.Finish(root, changed_, out);
  }

 private:
  int Copy(int i) {
    Node n = in_.at(i);
    if (b_.full()) return b_.Number(0);
    for (int& k : n.kids) k = Copy(k);
    int m = MatrixResult(n);
    return m >= 0 ? m : b_.Push(std::move(n));
  }

  // The matrix `n` computes (its kids already copied), or -1 if it is not matrix arithmetic.
  int MatrixResult(const Node& n) {
    auto matrix = [this](int k) { return b_.at(k).kind == Kind::kMatrix; };
    auto scalar = [this](int k) { return IsScalar(b_.at(k).kind); };
    if (n.kind == Kind::kNeg && matrix(n.kids[0])) return Cellwise(Kind::kNeg, n.kids[0], -1, -1);
    if (n.kids.size() != 2) return -1;
    int x = n.kids[0], y = n.kids[1];
    switch (n.kind) {
      case Kind::kMul:
        if (matrix(y) && scalar(x)) return Cellwise(Kind::kMul, y, x, -1);
        if (matrix(x) && scalar(y)) return Cellwise(Kind::kMul, x, -1, y);
        return -1;
      case Kind::kDiv:
        return matrix(x) && scalar(y) ? Cellwise(Kind::kDiv, x, -1, y) : -1;
      case Kind::kAdd:
      case Kind::kSub:
        if (!matrix(x) || !matrix(y) || b_.at(x).rows != b_.at(y).rows || b_.at(x).cols != b_.at(y).cols) return -1;
        return Cellwise(n.kind, x, -1, y);
      default:
        return -1;
    }
  }

  // A matrix shaped like `m` whose cells are op(left, cell, right) with the optional operands `left` / `right`
  // (a scalar, copied into every cell so the result stays a tree, or a same-shape matrix whose matching cell
  // is used).
  int Cellwise(Kind op, int m, int left, int right) {
    changed_ = true;
    Node out = b_.at(m);
    for (size_t c = 0; c < out.kids.size(); ++c) {
      auto operand = [&](int k) {
        return b_.at(k).kind == Kind::kMatrix ? b_.at(k).kids[c] : Clone(k);
      };
      std::vector<int> args;
      if (left >= 0) args.push_back(operand(left));
      args.push_back(out.kids[c]);
      if (right >= 0) args.push_back(operand(right));
      out.kids[c] = b_.Op(op, std::move(args));
    }
    return b_.Push(std::move(out));
  }

  int Clone(int k) {
    Node n = b_.at(k);
    if (b_.full()) return b_.Number(0);
    for (int& kid : n.kids) kid = Clone(kid);
    return b_.Push(std::move(n));
  }

  const Expr& in_;
  Builder b_;
  bool changed_ = false;
};

}  // namespace

bool CancelIdenticalTerms(const Expr& in, Expr* out) { return Canceller(in).Run(out); }

bool DistributeOverMatrices(const Expr& in, Expr* out) {
  // Most answers have no matrix: a scan of the arena spares them the copy.
  bool any = false;
  for (const Node& n : in.nodes) any = any || n.kind == Kind::kMatrix;
  return any && Distributor(in).Run(out);
}

}  // namespace rlvr::verifier
