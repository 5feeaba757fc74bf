"""The generated Python stubs expose the v1 contract that the client and the C++ server share."""
import rlvr_verifier_pb2 as pb
import rlvr_verifier_pb2_grpc as pb_grpc


def test_service_methods():
    service = pb.DESCRIPTOR.services_by_name["Verifier"]
    assert service.full_name == "rlvr.verifier.v1.Verifier"
    assert {m.name for m in service.methods} == {"Verify", "VerifyBatch", "VerifyStream", "Stats"}
    stream = service.methods_by_name["VerifyStream"]
    assert stream.client_streaming and stream.server_streaming
    assert hasattr(pb_grpc, "VerifierStub")


def test_verdict_values_are_stable():
    # Wire values are part of the contract: renumbering breaks deployed clients.
    assert [(v.name, v.number) for v in pb.Verdict.DESCRIPTOR.values] == [
        ("VERDICT_UNSPECIFIED", 0), ("CORRECT", 1), ("INCORRECT", 2), ("NO_ANSWER", 3),
        ("UNPARSEABLE", 4), ("TIMEOUT", 5), ("INVALID", 6)]


def test_request_round_trip():
    req = pb.VerifyRequest(id="a", response="\\boxed{1}", gold="1", deadline_us=500)
    assert pb.VerifyRequest.FromString(req.SerializeToString()) == req


def test_request_field_numbers_are_stable():
    # Fields are only ever added with new numbers (truncated, keep_truncated_box came after the first release).
    assert [(f.name, f.number) for f in pb.VerifyRequest.DESCRIPTOR.fields] == [
        ("id", 1), ("response", 2), ("gold", 3), ("deadline_us", 4), ("truncated", 5), ("keep_truncated_box", 6)]


def test_old_request_bytes_parse_with_the_new_fields_unset():
    # A client built before `truncated` existed sends fields 1-4 only; the server then sees truncated = false.
    old = b"\n\x01a\x12\t\\boxed{1}\x1a\x011 \xf4\x03"
    req = pb.VerifyRequest.FromString(old)
    assert (req.id, req.response, req.gold, req.deadline_us, req.truncated) == ("a", "\\boxed{1}", "1", 500, False)


def test_stats_fields_are_stable_and_old_replies_parse_with_no_build():
    # `build` (the server's commit) came after the first release: a reply from an older server leaves it empty.
    assert [(f.name, f.number) for f in pb.StatsResponse.DESCRIPTOR.fields] == [
        ("verdict_counts", 1), ("status_counts", 2), ("latency_bucket_upper_us", 3), ("latency_counts", 4),
        ("queue_depth", 5), ("in_flight", 6), ("build", 7)]
    old = pb.StatsResponse(queue_depth=3, in_flight=2).SerializeToString()
    assert pb.StatsResponse.FromString(old).build == ""
