// Builds and runs a gRPC server around VerifierService, with the standard grpc.health.v1 health service,
// server reflection, optional TLS, message-size limits and a two-step graceful shutdown (drain, then stop).
#ifndef RLVR_CPP_VERIFIER_SERVICE_SERVER_H_
#define RLVR_CPP_VERIFIER_SERVICE_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cpp/verifier/service.h"
#include "grpcpp/server.h"

namespace rlvr::verifier {

struct ServerOptions {
  std::string bind = "127.0.0.1";  // loopback unless told otherwise
  int port = 0;                    // 0: the kernel picks a free port
  int max_message_bytes = 64 << 20;
  int rpc_threads = 256;           // gRPC threads; a sync server holds one per open call (streams included)
  std::string tls_cert_file;       // both set: serve TLS; both empty: plaintext
  std::string tls_key_file;
  ServiceOptions service;
};

class VerifierServer {
 public:
  static absl::StatusOr<std::unique_ptr<VerifierServer>> Start(const ServerOptions& options);

  int port() const { return port_; }
  // "host:port" clients can dial (IPv6 hosts in brackets).
  std::string address() const;

  // Step 1 of a graceful shutdown: health reports NOT_SERVING so balancers stop sending new work.
  void BeginDrain();
  // Step 2: stop accepting calls, let in-flight calls finish for up to `grace`, then cancel the rest.
  // Returns when the server has stopped.
  void Shutdown(absl::Duration grace);

 private:
  VerifierServer(const ServerOptions& options) : bind_(options.bind), service_(options.service) {}

  std::string bind_;
  int port_ = 0;
  VerifierService service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_SERVICE_SERVER_H_
