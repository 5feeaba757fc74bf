#include "cpp/verifier/service_server.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace rlvr::verifier {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " file '", path, "'"));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& options) {
  if (options.tls_cert_file.empty() && options.tls_key_file.empty()) return grpc::InsecureServerCredentials();
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both a certificate and a key file (--tls_cert and --tls_key)");
  }
  absl::StatusOr<std::string> cert = ReadFile(options.tls_cert_file, "TLS certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(options.tls_key_file, "TLS key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

// "host:port", with IPv6 hosts in brackets.
std::string HostPort(absl::string_view host, int port) {
  const bool ipv6 = absl::StrContains(host, ':') && !absl::StartsWith(host, "[");
  return ipv6 ? absl::StrCat("[", host, "]:", port) : absl::StrCat(host, ":", port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<VerifierServer>> VerifierServer::Start(const ServerOptions& options) {
  if (options.service.threads < 1) return absl::InvalidArgumentError("threads must be >= 1");
  if (options.service.max_batch < 1) return absl::InvalidArgumentError("max_batch must be >= 1");
  if (options.service.max_queue < 1) return absl::InvalidArgumentError("max_queue must be >= 1");
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port must be in [0, 65535], got ", options.port));
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();

  // Both are process-wide switches read by every ServerBuilder; setting them again is harmless.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<VerifierServer> server(new VerifierServer(options));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(HostPort(options.bind, options.port), *credentials, &server->port_);
  builder.RegisterService(&server->service_);
  // gRPC sets SO_REUSEPORT by default: a second server on a busy port would silently share its traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  grpc::ResourceQuota quota("rlvr_verifier");
  quota.SetMaxThreads(options.rpc_threads);
  builder.SetResourceQuota(quota);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", HostPort(options.bind, options.port),
                                               " (address in use, or not a local address?)"));
  }
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  health->SetServingStatus("", true);
  health->SetServingStatus(v1::Verifier::service_full_name(), true);
  return server;
}

std::string VerifierServer::address() const { return HostPort(bind_, port_); }

void VerifierServer::BeginDrain() { server_->GetHealthCheckService()->SetServingStatus(false); }

void VerifierServer::Shutdown(absl::Duration grace) {
  BeginDrain();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace rlvr::verifier
