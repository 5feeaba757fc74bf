// The gRPC shell of the verifier: `VerifierService` implements rlvr.verifier.v1.Verifier by handing each item
// to the pure library (verify.h) on a fixed pool of worker threads. It knows nothing of math.
//
// Why a worker pool: gRPC's sync server needs one thread per open call (a stream holds its thread for its
// whole life), so the number of RPC threads says nothing about CPU use. Verification runs on `threads`
// workers instead; a batch is split across them, and admission is bounded by the number of items in flight
// (`max_queue`): beyond it a call is answered RESOURCE_EXHAUSTED at once rather than queued without bound.
#ifndef RLVR_CPP_VERIFIER_SERVICE_H_
#define RLVR_CPP_VERIFIER_SERVICE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "cpp/verifier/verify.h"
#include "rlvr_verifier.grpc.pb.h"

namespace rlvr::verifier {

struct ServiceOptions {
  Limits limits;                                           // per-item hard bounds of the library
  absl::Duration default_deadline = absl::Seconds(1);      // per item, when the request says 0
  int threads = 2;                                         // verification workers
  int max_batch = 4096;                                    // items per VerifyBatch call
  int64_t max_queue = 65536;                               // items admitted and not yet answered
  std::string auth_token;                                  // non-empty: require "authorization: Bearer <token>"
  std::string build = "unknown";                           // the server's build (commit), reported by Stats
};

// A fixed set of threads running closures in FIFO order; the destructor finishes queued work, then joins.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

class VerifierService final : public v1::Verifier::Service {
 public:
  // Upper bounds (microseconds) of the per-item latency histogram; one more bucket counts the overflow.
  static constexpr std::array<int64_t, 14> kLatencyBucketsUs = {
      50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000};

  explicit VerifierService(ServiceOptions options);

  grpc::Status Verify(grpc::ServerContext* context, const v1::VerifyRequest* request,
                      v1::VerifyResponse* response) override;
  grpc::Status VerifyBatch(grpc::ServerContext* context, const v1::VerifyBatchRequest* request,
                           v1::VerifyBatchResponse* response) override;
  grpc::Status VerifyStream(grpc::ServerContext* context,
                            grpc::ServerReaderWriter<v1::VerifyResponse, v1::VerifyRequest>* stream) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;

 private:
  // Every RPC's one entry: the bearer-token check, then `body`, then the final status counted for Stats.
  template <typename Body>
  grpc::Status Handle(const grpc::ServerContext& context, Body body);
  // Bearer-token check; OK when no token is configured.
  grpc::Status Authorize(const grpc::ServerContext& context) const;
  // Reserves `n` in-flight items, or returns false when that would exceed max_queue.
  bool Admit(int64_t n);
  // Verifies requests[0..n) into responses[0..n) on the worker pool and waits for all of them.
  void RunItems(const grpc::ServerContext& context, const v1::VerifyRequest* const* requests,
                v1::VerifyResponse* const* responses, int n);
  void VerifyOne(const v1::VerifyRequest& request, absl::Time call_deadline, v1::VerifyResponse* response);

  const ServiceOptions options_;
  std::atomic<int64_t> in_flight_{0};  // admitted items not yet answered
  std::atomic<int64_t> queued_{0};     // admitted items no worker has started yet
  std::array<std::atomic<int64_t>, 7> verdict_counts_{};             // by v1::Verdict value
  std::array<std::atomic<int64_t>, 17> status_counts_{};             // by grpc::StatusCode
  std::array<std::atomic<int64_t>, kLatencyBucketsUs.size() + 1> latency_counts_{};
  WorkerPool pool_;  // last: destroyed (joined) first, while the counters above still exist
};

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_SERVICE_H_
