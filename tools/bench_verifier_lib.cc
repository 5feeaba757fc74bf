// In-process throughput of the verification library (no gRPC), single-threaded: the "per core" figure.
// Input: a file of NUL-terminated fields, response then gold for each case (written by bench_verifier.py,
// which owns the case format). Verifies every case in turn, repeating the pass until --min_seconds have
// elapsed, prints one JSON line {"cases":..,"passes":..,"seconds":..,"cases_per_s":..} and, with
// --verdicts_out, writes the verdict of each case (one name per line) from the first pass. "slowest" lists the
// cases with the largest per-case time, taking each case's minimum over the passes (which filters out
// preemption by other processes).
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cpp/verifier/verify.h"

ABSL_FLAG(std::string, cases, "", "NUL-separated response/gold file.");
ABSL_FLAG(std::string, verdicts_out, "", "Where to write one verdict name per case.");
ABSL_FLAG(double, min_seconds, 2.0, "Repeat full passes over the cases until this much time has passed.");
ABSL_FLAG(int64_t, deadline_us, 1000000, "Per-item deadline, as the server's default.");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_cases), std::ios::binary);
  if (!in) {
    std::cerr << "bench_verifier_lib: cannot read --cases='" << absl::GetFlag(FLAGS_cases) << "'\n";
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string content = buffer.str();
  std::vector<absl::string_view> fields = absl::StrSplit(content, '\0');
  if (!fields.empty() && fields.back().empty()) fields.pop_back();  // after the last terminator
  if (fields.size() % 2 != 0) {
    std::cerr << "bench_verifier_lib: expected response/gold pairs, got an odd number of fields ("
              << fields.size() << ")\n";
    return 1;
  }
  const size_t n = fields.size() / 2;
  const rlvr::verifier::Limits limits;
  const absl::Duration budget = absl::Microseconds(absl::GetFlag(FLAGS_deadline_us));

  std::vector<rlvr::verifier::Verdict> verdicts(n);
  std::vector<absl::Duration> fastest(n, absl::InfiniteDuration());
  const absl::Time start = absl::Now();
  int passes = 0;
  do {
    for (size_t i = 0; i < n; ++i) {
      const absl::Time t0 = absl::Now();
      verdicts[i] = rlvr::verifier::Verify(fields[2 * i], fields[2 * i + 1], limits, t0 + budget).verdict;
      fastest[i] = std::min(fastest[i], absl::Now() - t0);
    }
    ++passes;
  } while (absl::ToDoubleSeconds(absl::Now() - start) < absl::GetFlag(FLAGS_min_seconds));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);

  if (const std::string path = absl::GetFlag(FLAGS_verdicts_out); !path.empty()) {
    std::ofstream out(path);
    for (rlvr::verifier::Verdict v : verdicts) out << rlvr::verifier::VerdictName(v) << "\n";
  }
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  const size_t top = std::min<size_t>(5, n);
  std::partial_sort(order.begin(), order.begin() + top, order.end(),
                    [&](size_t a, size_t b) { return fastest[a] > fastest[b]; });
  std::cout << "{\"cases\": " << n << ", \"passes\": " << passes << ", \"seconds\": " << seconds
            << ", \"cases_per_s\": " << (n * passes) / seconds << ", \"slowest\": [";
  for (size_t k = 0; k < top; ++k) {
    std::cout << (k ? ", " : "") << "{\"index\": " << order[k]
              << ", \"us\": " << absl::ToDoubleMicroseconds(fastest[order[k]]) << "}";
  }
  std::cout << "]}" << std::endl;
  return 0;
}
