#include "cpp/verifier/service.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"

namespace rlvr::verifier {
namespace {

constexpr std::array<const char*, 17> kStatusNames = {
    "OK",        "CANCELLED",         "UNKNOWN",   "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
    "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};

// Items per worker task: small batches go to one worker (a hand-off costs more than verifying a few
// items), large ones are spread over all workers.
constexpr int kMinItemsPerTask = 16;

v1::Verdict ToProto(Verdict v) {
  switch (v) {
    case Verdict::kCorrect: return v1::CORRECT;
    case Verdict::kIncorrect: return v1::INCORRECT;
    case Verdict::kNoAnswer: return v1::NO_ANSWER;
    case Verdict::kUnparseable: return v1::UNPARSEABLE;
    case Verdict::kTimeout: return v1::TIMEOUT;
    case Verdict::kInvalid: return v1::INVALID;
  }
  return v1::INVALID;
}

// The call's deadline as absl::Time; a call without one has an infinite deadline.
absl::Time CallDeadline(const grpc::ServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

// Compares without an early exit, so the time taken does not reveal how much of the token matched.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

WorkerPool::WorkerPool(int threads) {
  threads_.reserve(std::max(1, threads));
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Submit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
}

void WorkerPool::Run() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WorkerPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return p->stopping_ || !p->tasks_.empty(); },
          this));
      if (tasks_.empty()) return;  // stopping, and nothing left to do
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

VerifierService::VerifierService(ServiceOptions options)
    : options_(std::move(options)), pool_(options_.threads) {}

grpc::Status VerifierService::Authorize(const grpc::ServerContext& context) const {
  if (options_.auth_token.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing 'authorization: Bearer <token>' metadata");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  if (!ConstantTimeEquals(value, absl::StrCat("Bearer ", options_.auth_token))) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong bearer token");
  }
  return grpc::Status::OK;
}

bool VerifierService::Admit(int64_t n) {
  if (in_flight_.fetch_add(n, std::memory_order_relaxed) + n > options_.max_queue) {
    in_flight_.fetch_sub(n, std::memory_order_relaxed);
    return false;
  }
  return true;
}

template <typename Body>
grpc::Status VerifierService::Handle(const grpc::ServerContext& context, Body body) {
  grpc::Status status = Authorize(context);
  if (status.ok()) status = body();
  const int code = static_cast<int>(status.error_code());
  if (code >= 0 && code < static_cast<int>(status_counts_.size())) {
    status_counts_[code].fetch_add(1, std::memory_order_relaxed);
  }
  return status;
}

void VerifierService::VerifyOne(const v1::VerifyRequest& request, absl::Time call_deadline,
                                v1::VerifyResponse* response) {
  const absl::Time start = absl::Now();
  response->set_id(request.id());
  if (request.deadline_us() < 0) {
    response->set_verdict(v1::INVALID);
    response->set_reason(absl::StrCat("deadline_us must be >= 0 (0 = server default), got ", request.deadline_us()));
  } else {
    // The item's own budget starts when a worker picks it up, and never outlives the call.
    const absl::Duration budget =
        request.deadline_us() > 0 ? absl::Microseconds(request.deadline_us()) : options_.default_deadline;
    Outcome outcome = rlvr::verifier::Verify(request.response(), request.gold(), options_.limits,
                                             std::min(start + budget, call_deadline),
                                             Truncation{request.truncated(), request.keep_truncated_box()});
    response->set_verdict(ToProto(outcome.verdict));
    response->set_extracted(std::move(outcome.extracted));
    response->set_canonical_answer(std::move(outcome.canonical_answer));
    response->set_canonical_gold(std::move(outcome.canonical_gold));
    response->set_reason(std::move(outcome.reason));
  }
  const int64_t elapsed_us = absl::ToInt64Microseconds(absl::Now() - start);
  response->set_elapsed_us(elapsed_us);
  verdict_counts_[response->verdict()].fetch_add(1, std::memory_order_relaxed);
  const auto bucket = std::lower_bound(kLatencyBucketsUs.begin(), kLatencyBucketsUs.end(), elapsed_us);
  latency_counts_[bucket - kLatencyBucketsUs.begin()].fetch_add(1, std::memory_order_relaxed);
}

void VerifierService::RunItems(const grpc::ServerContext& context, const v1::VerifyRequest* const* requests,
                               v1::VerifyResponse* const* responses, int n) {
  const absl::Time call_deadline = CallDeadline(context);
  const int per_task = std::max(kMinItemsPerTask, (n + options_.threads - 1) / std::max(1, options_.threads));
  const int tasks = (n + per_task - 1) / per_task;
  absl::BlockingCounter done(tasks);
  queued_.fetch_add(n, std::memory_order_relaxed);
  for (int begin = 0; begin < n; begin += per_task) {
    const int end = std::min(n, begin + per_task);
    pool_.Submit([this, requests, responses, begin, end, call_deadline, &done] {
      for (int i = begin; i < end; ++i) {
        queued_.fetch_sub(1, std::memory_order_relaxed);
        VerifyOne(*requests[i], call_deadline, responses[i]);
      }
      done.DecrementCount();
    });
  }
  done.Wait();
  in_flight_.fetch_sub(n, std::memory_order_relaxed);
}

grpc::Status VerifierService::Verify(grpc::ServerContext* context, const v1::VerifyRequest* request,
                                     v1::VerifyResponse* response) {
  return Handle(*context, [&] {
    if (!Admit(1)) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("server busy: ", options_.max_queue, " items in flight"));
    }
    RunItems(*context, &request, &response, 1);
    return grpc::Status::OK;
  });
}

grpc::Status VerifierService::VerifyBatch(grpc::ServerContext* context, const v1::VerifyBatchRequest* request,
                                          v1::VerifyBatchResponse* response) {
  return Handle(*context, [&] {
    const int n = request->requests_size();
    if (n > options_.max_batch) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("batch of ", n, " items exceeds --max_batch=", options_.max_batch));
    }
    if (!Admit(n)) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("server busy: batch of ", n, " items would exceed ", options_.max_queue,
                                       " items in flight"));
    }
    std::vector<const v1::VerifyRequest*> requests(n);
    std::vector<v1::VerifyResponse*> responses(n);
    response->mutable_responses()->Reserve(n);
    for (int i = 0; i < n; ++i) {
      requests[i] = &request->requests(i);
      responses[i] = response->add_responses();
    }
    RunItems(*context, requests.data(), responses.data(), n);
    return grpc::Status::OK;
  });
}

grpc::Status VerifierService::VerifyStream(
    grpc::ServerContext* context, grpc::ServerReaderWriter<v1::VerifyResponse, v1::VerifyRequest>* stream) {
  return Handle(*context, [&] {
    v1::VerifyRequest request;
    while (stream->Read(&request)) {
      if (!Admit(1)) {
        return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            absl::StrCat("server busy: ", options_.max_queue, " items in flight; stream ended "
                                         "before item '", request.id(), "'"));
      }
      v1::VerifyResponse response;
      const v1::VerifyRequest* request_ptr = &request;
      v1::VerifyResponse* response_ptr = &response;
      RunItems(*context, &request_ptr, &response_ptr, 1);
      if (!stream->Write(response)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
    }
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled");
    return grpc::Status::OK;
  });
}

grpc::Status VerifierService::Stats(grpc::ServerContext* context, const v1::StatsRequest* /*request*/,
                                    v1::StatsResponse* response) {
  return Handle(*context, [&] {
    for (int v = v1::CORRECT; v <= v1::INVALID; ++v) {
      (*response->mutable_verdict_counts())[v1::Verdict_Name(v)] = verdict_counts_[v].load(std::memory_order_relaxed);
    }
    for (size_t code = 0; code < status_counts_.size(); ++code) {
      const int64_t count = status_counts_[code].load(std::memory_order_relaxed);
      if (count > 0) (*response->mutable_status_counts())[kStatusNames[code]] = count;
    }
    for (int64_t upper : kLatencyBucketsUs) response->add_latency_bucket_upper_us(upper);
    for (const auto& count : latency_counts_) response->add_latency_counts(count.load(std::memory_order_relaxed));
    response->set_queue_depth(queued_.load(std::memory_order_relaxed));
    response->set_in_flight(in_flight_.load(std::memory_order_relaxed));
    response->set_build(options_.build);
    return grpc::Status::OK;
  });
}

}  // namespace rlvr::verifier
