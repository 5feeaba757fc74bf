// The verifier gRPC server: `bazel run //cpp/verifier:server -- --port=50051 --threads=4`.
// With --port=0 the kernel picks a free port; the first stdout line is always `listening on HOST:PORT`
// (clients that launch the server read it). SIGTERM/SIGINT: health goes NOT_SERVING, in-flight calls drain
// for up to --shutdown_grace_s, then the process exits 0.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "cpp/verifier/build_stamp.h"
#include "cpp/verifier/service_server.h"

namespace {

// Flag defaults are the option structs' own, written once there; the server binary differs only where a
// command-line server wants another default than the library (a well-known port, every core).
const rlvr::verifier::ServerOptions kDefaults;

}  // namespace

ABSL_FLAG(std::string, bind, kDefaults.bind, "Address to listen on; 0.0.0.0 or :: exposes the server.");
ABSL_FLAG(int, port, 50051, "TCP port; 0 picks a free one (printed on stdout).");
ABSL_FLAG(int, threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())),
          "Verification worker threads (CPU parallelism).");
ABSL_FLAG(int, rpc_threads, kDefaults.rpc_threads, "Maximum gRPC threads: one per open call, streams included.");
ABSL_FLAG(int, max_message_bytes, kDefaults.max_message_bytes, "Maximum request/response message size.");
ABSL_FLAG(int64_t, default_deadline_us, absl::ToInt64Microseconds(kDefaults.service.default_deadline),
          "Per-item budget when a request says deadline_us=0.");
ABSL_FLAG(int, max_batch, kDefaults.service.max_batch,
          "Maximum items in one VerifyBatch call (more: INVALID_ARGUMENT).");
ABSL_FLAG(int64_t, max_queue, kDefaults.service.max_queue,
          "Maximum items in flight; beyond it calls get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_input_bytes, static_cast<int64_t>(kDefaults.service.limits.max_input_bytes),
          "Per-item limit on the response and gold lengths.");
ABSL_FLAG(int, max_depth, kDefaults.service.limits.max_depth, "Per-item limit on brace/parenthesis nesting.");
ABSL_FLAG(int, max_exponent_digits, kDefaults.service.limits.max_exponent_digits,
          "Per-item limit on the digits of exponents of exact numbers.");
ABSL_FLAG(int64_t, max_steps, kDefaults.service.limits.max_steps, "Per-item evaluation work budget.");
ABSL_FLAG(std::string, auth_token_file, "", "File holding a bearer token; calls without it get UNAUTHENTICATED.");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain; with --tls_key, serve TLS.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --tls_cert.");
ABSL_FLAG(int64_t, drain_delay_ms, 0, "On SIGTERM, report NOT_SERVING this long before refusing new calls.");
ABSL_FLAG(int, parent_pid, 0, "When set, shut down (as on SIGTERM) once this process is no longer our parent, so "
          "a launcher killed with SIGKILL leaves no orphan server.");
ABSL_FLAG(int64_t, shutdown_grace_s, 30, "On SIGTERM, how long in-flight calls may run before being cancelled.");

namespace {

int Fail(absl::string_view message) {
  std::cerr << "verifier server: " << message << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Answer-verification gRPC server (rlvr.verifier.v1.Verifier).");
  absl::FlagsUsageConfig usage;
  usage.version_string = [] {
    return std::string("verifier server, built from commit ") + rlvr::verifier::kBuildCommit + "\n";
  };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);

  // Block the shutdown signals before any thread starts, so every thread inherits the mask and only
  // sigwait below sees them: no signal handler, no global state.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  rlvr::verifier::ServerOptions options;
  options.bind = absl::GetFlag(FLAGS_bind);
  options.port = absl::GetFlag(FLAGS_port);
  options.rpc_threads = absl::GetFlag(FLAGS_rpc_threads);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  rlvr::verifier::ServiceOptions& service = options.service;
  service.threads = absl::GetFlag(FLAGS_threads);
  service.max_batch = absl::GetFlag(FLAGS_max_batch);
  service.max_queue = absl::GetFlag(FLAGS_max_queue);
  service.build = rlvr::verifier::kBuildCommit;
  if (absl::GetFlag(FLAGS_default_deadline_us) <= 0) return Fail("--default_deadline_us must be > 0");
  service.default_deadline = absl::Microseconds(absl::GetFlag(FLAGS_default_deadline_us));
  service.limits.max_input_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_max_input_bytes));
  service.limits.max_depth = absl::GetFlag(FLAGS_max_depth);
  service.limits.max_exponent_digits = absl::GetFlag(FLAGS_max_exponent_digits);
  service.limits.max_steps = absl::GetFlag(FLAGS_max_steps);
  if (const std::string path = absl::GetFlag(FLAGS_auth_token_file); !path.empty()) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return Fail("cannot read --auth_token_file '" + path + "'");
    char buffer[4096];
    const size_t n = std::fread(buffer, 1, sizeof(buffer), f);
    std::fclose(f);
    service.auth_token = std::string(absl::StripAsciiWhitespace(absl::string_view(buffer, n)));
    if (service.auth_token.empty()) return Fail("--auth_token_file '" + path + "' holds no token");
  }

  auto server = rlvr::verifier::VerifierServer::Start(options);
  if (!server.ok()) return Fail(server.status().ToString());
  std::cout << "listening on " << (*server)->address() << std::endl;  // endl flushes: launchers wait for it

  if (const int parent = absl::GetFlag(FLAGS_parent_pid); parent > 0) {
    // Polling getppid() is simpler and safer than PR_SET_PDEATHSIG, which fires when the launching *thread*
    // exits. The orphaned server signals itself, so shutdown takes the same path as a SIGTERM.
    std::thread([parent] {
      while (getppid() == parent) absl::SleepFor(absl::Milliseconds(200));
      kill(getpid(), SIGTERM);
    }).detach();
  }

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::cerr << "verifier server: signal " << signal_number << ", draining" << std::endl;
  (*server)->BeginDrain();
  absl::SleepFor(absl::Milliseconds(absl::GetFlag(FLAGS_drain_delay_ms)));
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_s)));
  std::cerr << "verifier server: stopped" << std::endl;
  return 0;
}
