// gRPC tests of the verifier shell: every RPC on an in-process server on a free loopback port, admission
// bound, bearer auth, health (incl. NOT_SERVING while draining), reflection, and draining of in-flight calls.
// The cases use plain numbers, whose verdicts do not depend on the library's finer rules.
#include "cpp/verifier/service.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cpp/verifier/service_server.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/impl/client_unary_call.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/sync_stream.h"
#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

std::unique_ptr<VerifierServer> StartServer(ServiceOptions service = {}) {
  ServerOptions options;
  options.port = 0;
  options.service = std::move(service);
  auto server = VerifierServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

std::shared_ptr<grpc::Channel> Connect(const VerifierServer& server) {
  return grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
}

v1::VerifyRequest Item(std::string id, std::string response, std::string gold) {
  v1::VerifyRequest r;
  r.set_id(std::move(id));
  r.set_response(std::move(response));
  r.set_gold(std::move(gold));
  return r;
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(buffer.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return bytes;
}

// grpc.health.v1.Health/Check, encoded by hand (HealthCheckRequest.service = field 1; the response's status
// = field 1: 1 SERVING, 2 NOT_SERVING): Debian ships no C++ stubs for the health proto.
grpc::Status HealthCheck(grpc::Channel* channel, const std::string& service, int* status) {
  UnknownFieldSet request;
  request.AddLengthDelimited(1, service);
  std::string bytes;
  request.SerializeToString(&bytes);
  grpc::ClientContext context;
  grpc::ByteBuffer reply;
  grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel, grpc::internal::RpcMethod("/grpc.health.v1.Health/Check", grpc::internal::RpcMethod::NORMAL_RPC),
      &context, ToBuffer(bytes), &reply);
  if (!s.ok()) return s;
  UnknownFieldSet response;
  EXPECT_TRUE(response.ParseFromString(FromBuffer(reply)));
  *status = 0;  // proto3 omits the default (UNKNOWN = 0)
  for (int i = 0; i < response.field_count(); ++i) {
    if (response.field(i).number() == 1) *status = static_cast<int>(response.field(i).varint());
  }
  return s;
}

// One grpc.reflection.v1alpha request (field `field` of ServerReflectionRequest set to `value`); returns
// the serialized response.
std::string Reflect(grpc::Channel* channel, int field, const std::string& value) {
  UnknownFieldSet request;
  request.AddLengthDelimited(field, value);
  std::string bytes;
  request.SerializeToString(&bytes);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel,
          grpc::internal::RpcMethod("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                    grpc::internal::RpcMethod::BIDI_STREAMING),
          &context));
  EXPECT_TRUE(stream->Write(ToBuffer(bytes)));
  stream->WritesDone();
  grpc::ByteBuffer reply;
  EXPECT_TRUE(stream->Read(&reply));
  EXPECT_TRUE(stream->Finish().ok());
  return FromBuffer(reply);
}

const UnknownField* FindField(const UnknownFieldSet& set, int number) {
  for (int i = 0; i < set.field_count(); ++i) {
    if (set.field(i).number() == number) return &set.field(i);
  }
  return nullptr;
}

TEST(VerifierServiceTest, UnaryVerifyEchoesIdAndVerdicts) {
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  struct Case {
    std::string response, gold;
    v1::Verdict verdict;
  };
  const std::vector<Case> cases = {{"42", "42", v1::CORRECT}, {"41", "42", v1::INCORRECT}, {"", "42", v1::NO_ANSWER}};
  for (const Case& c : cases) {
    grpc::ClientContext context;
    v1::VerifyResponse response;
    ASSERT_TRUE(stub->Verify(&context, Item("item-7", c.response, c.gold), &response).ok());
    EXPECT_EQ(response.id(), "item-7");
    EXPECT_EQ(response.verdict(), c.verdict) << "response '" << c.response << "' gold '" << c.gold << "'";
    EXPECT_GE(response.elapsed_us(), 0);
  }
}

TEST(VerifierServiceTest, NegativeDeadlineIsInvalidItem) {
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  v1::VerifyRequest request = Item("a", "1", "1");
  request.set_deadline_us(-5);
  grpc::ClientContext context;
  v1::VerifyResponse response;
  ASSERT_TRUE(stub->Verify(&context, request, &response).ok());
  EXPECT_EQ(response.verdict(), v1::INVALID);
  EXPECT_NE(response.reason().find("deadline_us"), std::string::npos) << response.reason();
}

TEST(VerifierServiceTest, BatchKeepsOrderAcrossWorkers) {
  ServiceOptions service;
  service.threads = 3;  // 300 items → several tasks finishing in any order
  auto server = StartServer(service);
  auto stub = v1::Verifier::NewStub(Connect(*server));
  v1::VerifyBatchRequest request;
  for (int i = 0; i < 300; ++i) *request.add_requests() = Item(absl::StrCat("id", i), absl::StrCat(i), "77");
  grpc::ClientContext context;
  v1::VerifyBatchResponse response;
  ASSERT_TRUE(stub->VerifyBatch(&context, request, &response).ok());
  ASSERT_EQ(response.responses_size(), 300);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(response.responses(i).id(), absl::StrCat("id", i));
    EXPECT_EQ(response.responses(i).extracted(), absl::StrCat(i));
    EXPECT_EQ(response.responses(i).verdict(), i == 77 ? v1::CORRECT : v1::INCORRECT) << i;
  }
}

TEST(VerifierServiceTest, EmptyBatchIsOk) {
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  grpc::ClientContext context;
  v1::VerifyBatchResponse response;
  ASSERT_TRUE(stub->VerifyBatch(&context, v1::VerifyBatchRequest(), &response).ok());
  EXPECT_EQ(response.responses_size(), 0);
}

TEST(VerifierServiceTest, OversizedBatchIsInvalidArgument) {
  ServiceOptions service;
  service.max_batch = 5;
  auto server = StartServer(service);
  auto stub = v1::Verifier::NewStub(Connect(*server));
  v1::VerifyBatchRequest request;
  for (int i = 0; i < 6; ++i) *request.add_requests() = Item("x", "1", "1");
  grpc::ClientContext context;
  v1::VerifyBatchResponse response;
  grpc::Status status = stub->VerifyBatch(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("max_batch"), std::string::npos) << status.error_message();
}

TEST(VerifierServiceTest, OverQueueLimitIsResourceExhausted) {
  ServiceOptions service;
  service.max_queue = 10;
  auto server = StartServer(service);
  auto stub = v1::Verifier::NewStub(Connect(*server));
  v1::VerifyBatchRequest request;
  for (int i = 0; i < 11; ++i) *request.add_requests() = Item("x", "1", "1");
  grpc::ClientContext context;
  v1::VerifyBatchResponse response;
  EXPECT_EQ(stub->VerifyBatch(&context, request, &response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Within the limit the same server answers, so the rejected batch left nothing reserved.
  request.mutable_requests()->RemoveLast();
  grpc::ClientContext again;
  EXPECT_TRUE(stub->VerifyBatch(&again, request, &response).ok());
  EXPECT_EQ(response.responses_size(), 10);
}

TEST(VerifierServiceTest, StreamAnswersEachItemInOrder) {
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  grpc::ClientContext context;
  auto stream = stub->VerifyStream(&context);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(stream->Write(Item(absl::StrCat("s", i), absl::StrCat(i), "3")));
    v1::VerifyResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.id(), absl::StrCat("s", i));
    EXPECT_EQ(response.verdict(), i == 3 ? v1::CORRECT : v1::INCORRECT);
  }
  stream->WritesDone();
  v1::VerifyResponse extra;
  EXPECT_FALSE(stream->Read(&extra));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(VerifierServiceTest, StatsCountVerdictsStatusesAndLatencies) {
  ServiceOptions service;
  service.max_batch = 4;
  auto server = StartServer(service);
  auto stub = v1::Verifier::NewStub(Connect(*server));
  v1::VerifyBatchRequest batch;
  *batch.add_requests() = Item("a", "1", "1");
  *batch.add_requests() = Item("b", "2", "1");
  *batch.add_requests() = Item("c", "", "1");
  grpc::ClientContext c1;
  v1::VerifyBatchResponse out;
  ASSERT_TRUE(stub->VerifyBatch(&c1, batch, &out).ok());
  for (int i = 0; i < 2; ++i) *batch.add_requests() = Item("d", "1", "1");  // 5 > max_batch
  grpc::ClientContext c2;
  ASSERT_FALSE(stub->VerifyBatch(&c2, batch, &out).ok());

  grpc::ClientContext c3;
  v1::StatsResponse stats;
  ASSERT_TRUE(stub->Stats(&c3, v1::StatsRequest(), &stats).ok());
  EXPECT_EQ(stats.verdict_counts().at("CORRECT"), 1);
  EXPECT_EQ(stats.verdict_counts().at("INCORRECT"), 1);
  EXPECT_EQ(stats.verdict_counts().at("NO_ANSWER"), 1);
  EXPECT_EQ(stats.verdict_counts().at("TIMEOUT"), 0);
  EXPECT_EQ(stats.status_counts().at("OK"), 1);
  EXPECT_EQ(stats.status_counts().at("INVALID_ARGUMENT"), 1);
  ASSERT_EQ(stats.latency_counts_size(), stats.latency_bucket_upper_us_size() + 1);
  int64_t items = 0;
  for (int64_t c : stats.latency_counts()) items += c;
  EXPECT_EQ(items, 3);
  EXPECT_EQ(stats.in_flight(), 0);
  EXPECT_EQ(stats.queue_depth(), 0);
  EXPECT_EQ(stats.build(), "unknown");  // nothing told the library which build it is part of
  // Stats calls are counted like every other call (after they answer).
  grpc::ClientContext c4;
  ASSERT_TRUE(stub->Stats(&c4, v1::StatsRequest(), &stats).ok());
  EXPECT_EQ(stats.status_counts().at("OK"), 2);
}

TEST(VerifierServiceTest, StatsNameTheBuild) {
  ServiceOptions service;
  service.build = "0123abcd+dirty";
  auto server = StartServer(service);
  grpc::ClientContext context;
  v1::StatsResponse stats;
  ASSERT_TRUE(v1::Verifier::NewStub(Connect(*server))->Stats(&context, v1::StatsRequest(), &stats).ok());
  EXPECT_EQ(stats.build(), "0123abcd+dirty");
}

TEST(VerifierServiceTest, BearerTokenIsRequiredWhenConfigured) {
  ServiceOptions service;
  service.auth_token = "s3cret";
  auto server = StartServer(service);
  auto stub = v1::Verifier::NewStub(Connect(*server));
  for (const std::string header : {"", "Bearer wrong", "s3cret", "Bearer s3cret"}) {
    grpc::ClientContext context;
    if (!header.empty()) context.AddMetadata("authorization", header);
    v1::VerifyResponse response;
    grpc::Status status = stub->Verify(&context, Item("a", "1", "1"), &response);
    EXPECT_EQ(status.error_code(),
              header == "Bearer s3cret" ? grpc::StatusCode::OK : grpc::StatusCode::UNAUTHENTICATED)
        << "header '" << header << "': " << status.error_message();
  }
  grpc::ClientContext context;
  v1::StatsResponse stats;
  EXPECT_EQ(stub->Stats(&context, v1::StatsRequest(), &stats).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Every refused call, Stats included, is counted once.
  grpc::ClientContext authorized;
  authorized.AddMetadata("authorization", "Bearer s3cret");
  ASSERT_TRUE(stub->Stats(&authorized, v1::StatsRequest(), &stats).ok());
  EXPECT_EQ(stats.status_counts().at("UNAUTHENTICATED"), 4);
  EXPECT_EQ(stats.status_counts().at("OK"), 1);
  // Health stays open: load balancers probe it without credentials.
  int health = 0;
  auto channel = Connect(*server);
  ASSERT_TRUE(HealthCheck(channel.get(), "", &health).ok());
  EXPECT_EQ(health, 1);
}

TEST(VerifierServiceTest, HealthServingThenNotServingWhileDraining) {
  auto server = StartServer();
  auto channel = Connect(*server);
  int status = 0;
  ASSERT_TRUE(HealthCheck(channel.get(), "", &status).ok());
  EXPECT_EQ(status, 1);
  ASSERT_TRUE(HealthCheck(channel.get(), "rlvr.verifier.v1.Verifier", &status).ok());
  EXPECT_EQ(status, 1);
  EXPECT_EQ(HealthCheck(channel.get(), "no.such.Service", &status).error_code(), grpc::StatusCode::NOT_FOUND);
  server->BeginDrain();
  ASSERT_TRUE(HealthCheck(channel.get(), "rlvr.verifier.v1.Verifier", &status).ok());
  EXPECT_EQ(status, 2);
  ASSERT_TRUE(HealthCheck(channel.get(), "", &status).ok());
  EXPECT_EQ(status, 2);
}

TEST(VerifierServiceTest, ReflectionListsServicesAndDescribesTheContract) {
  auto server = StartServer();
  auto channel = Connect(*server);
  // ServerReflectionRequest.list_services = 7 → ServerReflectionResponse.list_services_response = 6,
  // a ListServiceResponse whose `service` (1) entries carry `name` (1).
  UnknownFieldSet listing;
  ASSERT_TRUE(listing.ParseFromString(Reflect(channel.get(), 7, "")));
  const UnknownField* services = FindField(listing, 6);
  ASSERT_NE(services, nullptr);
  UnknownFieldSet list;
  ASSERT_TRUE(list.ParseFromString(services->length_delimited()));
  std::vector<std::string> names;
  for (int i = 0; i < list.field_count(); ++i) {
    UnknownFieldSet entry;
    ASSERT_TRUE(entry.ParseFromString(list.field(i).length_delimited()));
    names.push_back(FindField(entry, 1)->length_delimited());
  }
  auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  EXPECT_TRUE(has("rlvr.verifier.v1.Verifier"));
  EXPECT_TRUE(has("grpc.health.v1.Health"));
  EXPECT_TRUE(has("grpc.reflection.v1alpha.ServerReflection"));
  // file_containing_symbol = 4 → file_descriptor_response = 4, whose file_descriptor_proto (1) entries are
  // serialized FileDescriptorProtos.
  UnknownFieldSet described;
  ASSERT_TRUE(described.ParseFromString(Reflect(channel.get(), 4, "rlvr.verifier.v1.Verifier")));
  const UnknownField* files = FindField(described, 4);
  ASSERT_NE(files, nullptr);
  UnknownFieldSet file_list;
  ASSERT_TRUE(file_list.ParseFromString(files->length_delimited()));
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(FindField(file_list, 1)->length_delimited()));
  EXPECT_EQ(file.package(), "rlvr.verifier.v1");
  ASSERT_EQ(file.service_size(), 1);
  EXPECT_EQ(file.service(0).name(), "Verifier");
  EXPECT_EQ(file.service(0).method_size(), 4);
}

TEST(VerifierServiceTest, ShutdownDrainsAnOpenStream) {
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  grpc::ClientContext context;
  auto stream = stub->VerifyStream(&context);
  v1::VerifyResponse response;
  ASSERT_TRUE(stream->Write(Item("before", "5", "5")));
  ASSERT_TRUE(stream->Read(&response));
  std::thread stopper([&] { server->Shutdown(absl::Seconds(20)); });
  absl::SleepFor(absl::Milliseconds(200));  // Shutdown has begun and is waiting for the stream
  ASSERT_TRUE(stream->Write(Item("during", "6", "5")));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.id(), "during");
  EXPECT_EQ(response.verdict(), v1::INCORRECT);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  stopper.join();
  // Stopped: new calls fail.
  grpc::ClientContext late;
  late.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  EXPECT_FALSE(stub->Verify(&late, Item("after", "1", "1"), &response).ok());
}

TEST(VerifierServiceTest, AdversarialItemsAreAnsweredWithinTheirDeadline) {
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  std::string nested_braces = "\\boxed{";
  for (int i = 0; i < 100000; ++i) nested_braces += "{";
  std::string many_boxes;
  for (int i = 0; i < 10000; ++i) many_boxes += absl::StrCat("\\boxed{", i, "} ");
  const std::vector<std::pair<std::string, std::string>> items = {
      {nested_braces, "1"},
      {absl::StrCat("\\boxed{", std::string(1 << 20, '9'), "}"), "9"},  // 1 MB number
      {std::string(2 << 20, 'a'), "1"},                                // over the 1 MB limit
      {"\\boxed{10^{10^{10}}}", "10^{10^{10}}"},
      {"\\boxed{2^{99999999}}", "2^{99999999}"},
      {std::string("\\boxed{1\0002}", 11), "12"},                     // NUL byte
      {many_boxes, "9999"},
      {"\\boxed{((((((((((((((((((((x))))))))))))))))))))^{1000000}}", "x^{1000000}"},
  };
  constexpr int64_t kDeadlineUs = 200000;
  v1::VerifyBatchRequest request;
  for (size_t i = 0; i < items.size(); ++i) {
    v1::VerifyRequest* r = request.add_requests();
    *r = Item(absl::StrCat("adv", i), items[i].first, items[i].second);
    r->set_deadline_us(kDeadlineUs);
  }
  grpc::ClientContext context;
  v1::VerifyBatchResponse response;
  ASSERT_TRUE(stub->VerifyBatch(&context, request, &response).ok());
  ASSERT_EQ(response.responses_size(), static_cast<int>(items.size()));
  for (int i = 0; i < response.responses_size(); ++i) {
    const v1::VerifyResponse& r = response.responses(i);
    EXPECT_EQ(r.id(), absl::StrCat("adv", i));
    EXPECT_NE(r.verdict(), v1::VERDICT_UNSPECIFIED) << i;
    // The deadline is checked periodically, so allow a little overshoot for the last check.
    EXPECT_LE(r.elapsed_us(), kDeadlineUs + 50000) << "item " << i << ": " << v1::Verdict_Name(r.verdict());
  }
  EXPECT_EQ(response.responses(2).verdict(), v1::INVALID) << response.responses(2).reason();
}

TEST(VerifierServiceTest, InvalidUtf8IsRejectedByTheTransportAndTheServerCarriesOn) {
  // proto3 `string` fields must be UTF-8: the server's parser refuses the message before the library sees it.
  auto server = StartServer();
  auto stub = v1::Verifier::NewStub(Connect(*server));
  grpc::ClientContext context;
  v1::VerifyResponse response;
  grpc::Status status = stub->Verify(&context, Item("bad", "\\boxed{\xff\xfe}", "1"), &response);
  EXPECT_FALSE(status.ok());
  grpc::ClientContext again;
  EXPECT_TRUE(stub->Verify(&again, Item("good", "1", "1"), &response).ok());
  EXPECT_EQ(response.verdict(), v1::CORRECT);
}

TEST(VerifierServiceTest, PortInUseIsAClearError) {
  auto first = StartServer();
  ServerOptions options;
  options.port = first->port();
  auto second = VerifierServer::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find(absl::StrCat(first->port())), std::string::npos) << second.status();
}

}  // namespace
}  // namespace rlvr::verifier
