"""Client of the C++ verifier against the real server binary: embedded default, batching order, unreachable
servers, retries with failover, bearer auth, health, and the `verify` binary end to end.

Cases use plain numbers, whose verdicts do not depend on the library's finer equivalence rules.
"""
import concurrent.futures
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import protected_verifier
import rlvr_verifier_pb2 as pb
import rlvr_verifier_pb2_grpc as pb_grpc
from rlvr import provenance, verifier_client
from rlvr.verifier_client import EmbeddedServer, VerifierClient, VerifierError, open_verifier


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    s = EmbeddedServer()
    yield s
    assert s.stop() == 0, s.log_tail()


def test_embedded_default_verifies_and_stops_cleanly():
    with open_verifier() as verifier:
        pid = verifier._server.pid
        verdicts = verifier.verify(["42", "41", "", "  42 "], ["42"] * 4)
        assert [v.verdict for v in verdicts] == ["CORRECT", "INCORRECT", "NO_ANSWER", "CORRECT"]
        assert [v.id for v in verdicts] == ["0", "1", "2", "3"]
        assert verdicts[0].correct and not verdicts[1].correct
        assert verdicts[1].extracted == "41"
        assert all(v.elapsed_us >= 0 for v in verdicts)
        server = verifier._server
    assert server.stop() == 0  # close() sent SIGTERM and the server drained and exited 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_embedded_server_exits_when_its_launcher_is_killed():
    launcher = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from rlvr.verifier_client import EmbeddedServer; "
         "s = EmbeddedServer(); print(s.pid, flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    server_pid = int(launcher.stdout.readline())
    os.kill(server_pid, 0)  # running
    launcher.kill()  # SIGKILL: no atexit, no stop()
    launcher.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail(f"server {server_pid} still running 10 s after its launcher was killed")


def test_embedded_server_that_dies_is_restarted_on_its_port():
    with open_verifier(backoff_s=0.01) as verifier:
        server = verifier._server
        first_pid, address = server.pid, server.address
        assert verifier.verify(["1"], ["1"])[0].correct
        os.kill(first_pid, signal.SIGKILL)
        server._proc.wait()
        verdicts = verifier.verify(["1", "2"], ["1", "1"])
        assert [v.correct for v in verdicts] == [True, False]
        assert server.restarts == 1 and server.pid != first_pid and server.address == address
    assert server.stop() == 0
    assert not server.restart_if_dead()  # stopped on purpose: stays stopped


def test_batches_keep_order_across_chunks_and_parallel_calls(server):
    n = 1000
    with VerifierClient(server.address, batch_size=7, max_in_flight=3) as verifier:
        verdicts = verifier.verify([str(i) for i in range(n)], ["500"] * n, [f"q{i}" for i in range(n)])
        assert [v.id for v in verdicts] == [f"q{i}" for i in range(n)]
        assert [v.extracted for v in verdicts] == [str(i) for i in range(n)]
        assert [i for i, v in enumerate(verdicts) if v.correct] == [500]
        stats = verifier.stats()
        assert sum(stats.latency_counts) >= n
        assert stats.in_flight == 0


def test_empty_input_and_mismatched_lengths(server):
    with VerifierClient(server.address) as verifier:
        assert verifier.verify([], []) == []
        with pytest.raises(ValueError, match="2 responses but 1 golds"):
            verifier.verify(["1", "2"], ["1"])
        with pytest.raises(ValueError, match="1 ids for 2 responses"):
            verifier.verify(["1", "2"], ["1", "2"], ["a"])


def test_truncated_responses_get_no_answer_unless_a_completed_box_is_kept(server):
    responses = ["So we get 12", "So the answer is \\boxed{12}. Checking: 5 + 7 =", "So the answer is \\boxed{12"]
    with VerifierClient(server.address) as verifier:
        plain = verifier.verify(responses, ["12"] * 3)
        cut = verifier.verify(responses, ["12"] * 3, truncated=[True, True, False])
        with pytest.raises(ValueError, match="one bool per response"):
            verifier.verify(responses, ["12"] * 3, truncated=[True])
        with pytest.raises(ValueError, match="one bool per response"):
            verifier.verify(responses, ["12"] * 3, truncated=[1, 0, 0])
    assert [v.verdict for v in plain] == ["CORRECT", "CORRECT", "NO_ANSWER"]
    assert [v.verdict for v in cut] == ["NO_ANSWER", "NO_ANSWER", "NO_ANSWER"]
    assert "truncated" in cut[0].reason
    with VerifierClient(server.address, keep_truncated_box=True) as verifier:
        kept = verifier.verify(responses, ["12"] * 3, truncated=[True, True, True])
    assert [v.verdict for v in kept] == ["NO_ANSWER", "CORRECT", "NO_ANSWER"]


def test_dns_name_address(server):
    port = server.address.rsplit(":", 1)[1]
    with VerifierClient(f"dns:///localhost:{port}", batch_size=16) as verifier:
        verdicts = verifier.verify(["1", "2"] * 50, ["1"] * 100)
    assert [v.correct for v in verdicts] == [True, False] * 50


def test_run_record_names_each_servers_build(server, start_proxy):
    """Embedded or remote, the record's commit is the one the server was stamped with at build time (Bazel's
    workspace status): the checkout's commit here. A replica that cannot say (FlakyProxy has no Stats, like a
    server older than StatsResponse.build) is recorded as unknown with the reason."""
    commit = provenance.git_commit()
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", commit), commit  # the tests run from a git checkout
    with open_verifier() as embedded:
        record = provenance.verifier_record(embedded)
    assert record["kind"] == "embedded" and record["commit"] == commit and len(record["binary_sha256"]) == 16
    with VerifierClient(server.address) as remote:
        assert provenance.verifier_record(remote) == {"address": server.address, "commit": commit, "kind": "remote"}
    _, proxy = start_proxy(failures=0)
    with VerifierClient(f"{server.address},{proxy}") as mixed:
        assert mixed.builds() == {server.address: commit, proxy: "unknown (Stats failed: UNIMPLEMENTED)"}
        assert provenance.verifier_record(mixed)["commit"] == (
            f"{server.address} {commit}; {proxy} unknown (Stats failed: UNIMPLEMENTED)")


def test_unreachable_server_error_names_the_address():
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(VerifierError, match=f"unreachable at {address}"):
        VerifierClient(address, connect_timeout_s=0.5)


def test_missing_server_binary_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("RLVR_VERIFIER_SERVER", str(tmp_path / "nope"))
    with pytest.raises(VerifierError, match="RLVR_VERIFIER_SERVER=.*nope is not an executable"):
        open_verifier()


def test_server_that_fails_to_start_reports_its_log():
    with pytest.raises(VerifierError, match="exited with status 1 before listening.*max_batch must be >= 1"):
        EmbeddedServer(args=["--max_batch=0"])


class FlakyProxy(pb_grpc.VerifierServicer):
    """Fault injector in front of the real server: the first `failures` VerifyBatch calls fail with `code`."""

    def __init__(self, target: str, failures: int, code=grpc.StatusCode.UNAVAILABLE):
        self.failures, self.code, self.calls = failures, code, 0
        self.lock = threading.Lock()
        self.channel = grpc.insecure_channel(target)
        self.stub = pb_grpc.VerifierStub(self.channel)

    def VerifyBatch(self, request, context):
        with self.lock:
            self.calls += 1
            fail = self.calls <= self.failures
        if fail:
            context.abort(self.code, "injected failure")
        return self.stub.VerifyBatch(request)


@pytest.fixture
def start_proxy(server):
    started = []

    def start(failures, code=grpc.StatusCode.UNAVAILABLE):
        proxy = FlakyProxy(server.address, failures, code)
        grpc_server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=4))
        pb_grpc.add_VerifierServicer_to_server(proxy, grpc_server)
        port = grpc_server.add_insecure_port("127.0.0.1:0")
        grpc_server.start()
        started.append(grpc_server)
        return proxy, f"127.0.0.1:{port}"

    yield start
    for s in started:
        s.stop(None)


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED,
                                  grpc.StatusCode.DEADLINE_EXCEEDED])
def test_retries_retryable_failures_with_backoff(start_proxy, code):
    proxy, address = start_proxy(failures=3, code=code)
    with VerifierClient(address, max_retries=3, backoff_s=0.01) as verifier:
        verdicts = verifier.verify(["1", "2"], ["2", "2"])
    assert [v.verdict for v in verdicts] == ["INCORRECT", "CORRECT"]
    assert proxy.calls == 4


def test_gives_up_after_max_retries_naming_the_address(start_proxy):
    proxy, address = start_proxy(failures=100)
    with VerifierClient(address, max_retries=2, backoff_s=0.01) as verifier:
        with pytest.raises(VerifierError, match=f"verifier at {address}: VerifyBatch failed after 3 attempts.*"
                                                f"UNAVAILABLE injected failure"):
            verifier.verify(["1"], ["1"])
    assert proxy.calls == 3


def test_retry_window_keeps_retrying_past_max_retries_then_names_address_and_window(start_proxy, caplog):
    proxy, address = start_proxy(failures=10 ** 6)
    with VerifierClient(address, max_retries=2, backoff_s=0.01, max_backoff_s=0.2, retry_window_s=1.5) as verifier:
        start = time.monotonic()
        with pytest.raises(VerifierError, match=f"verifier at {address}: VerifyBatch still failing after retrying "
                                                f"for 1.5 s .*UNAVAILABLE injected failure"):
            verifier.verify(["1"], ["1"])
        elapsed = time.monotonic() - start
    assert 1.5 <= elapsed < 10
    assert proxy.calls > 3  # the window, not max_retries, decided when to stop
    warnings = [r.getMessage() for r in caplog.records if r.name == "rlvr.verifier_client"]
    assert warnings == [f"verifier {address} unavailable (UNAVAILABLE): retrying for up to 1.5 s"]


def test_retry_window_rides_out_a_server_restart(caplog):
    server = EmbeddedServer()
    try:
        with VerifierClient(server.address, retry_window_s=30, max_backoff_s=0.5) as verifier:
            assert verifier.verify(["1"], ["1"])[0].correct
            os.kill(server.pid, signal.SIGKILL)
            server._proc.wait()
            # Down for 2.5 s, longer than max_retries=6 with these backoffs last (<= 1.75 s); back on the same port.
            restart = threading.Timer(2.5, server.restart_if_dead)
            restart.start()
            start = time.monotonic()
            verdicts = verifier.verify(["1", "2"], ["1", "1"])
            elapsed = time.monotonic() - start
            restart.join()
        assert [v.correct for v in verdicts] == [True, False]
        assert server.restarts == 1 and elapsed >= 2.5
        warnings = [r.getMessage() for r in caplog.records if r.name == "rlvr.verifier_client"]
        assert len(warnings) == 2, warnings
        assert warnings[0] == f"verifier {server.address} unavailable (UNAVAILABLE): retrying for up to 30 s"
        assert warnings[1].startswith(f"verifier {server.address} answered again after ")
    finally:
        server.stop()


def test_non_retryable_failure_is_not_retried(start_proxy):
    proxy, address = start_proxy(failures=1, code=grpc.StatusCode.INVALID_ARGUMENT)
    with VerifierClient(address, backoff_s=0.01) as verifier:
        with pytest.raises(VerifierError, match="refused VerifyBatch: INVALID_ARGUMENT"):
            verifier.verify(["1"], ["1"])
    assert proxy.calls == 1


def test_fails_over_from_a_dead_replica(server):
    dead = EmbeddedServer()
    dead_address = dead.address
    with VerifierClient(f"{dead_address},{server.address}", batch_size=10, backoff_s=0.01,
                        max_retries=4) as verifier:
        assert dead.stop() == 0
        n = 200
        verdicts = verifier.verify([str(i % 5) for i in range(n)], ["3"] * n)
    assert [v.id for v in verdicts] == [str(i) for i in range(n)]
    assert sum(v.correct for v in verdicts) == n // 5


def test_bearer_token(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("t0ken\n")
    with open_verifier(server_args=[f"--auth_token_file={token_file}"], auth_token="t0ken") as verifier:
        assert verifier.verify(["7"], ["7"])[0].correct
        address = verifier.address
        with VerifierClient(address, auth_token="wrong") as bad:
            with pytest.raises(VerifierError, match=f"verifier at {address} refused VerifyBatch: UNAUTHENTICATED"):
                bad.verify(["7"], ["7"])
        with VerifierClient(address) as anonymous:
            with pytest.raises(VerifierError, match="UNAUTHENTICATED"):
                anonymous.verify(["7"], ["7"])


def test_replica_killed_mid_run_loses_and_duplicates_nothing():
    replicas = [EmbeddedServer() for _ in range(3)]
    try:
        address = ",".join(r.address for r in replicas)
        n = 20000
        responses, golds = [str(i % 7) for i in range(n)], ["3"] * n
        ids = [f"k{i}" for i in range(n)]
        with VerifierClient(address, batch_size=50, max_in_flight=3, backoff_s=0.01) as verifier:
            result = {}
            run = threading.Thread(target=lambda: result.update(v=verifier.verify(responses, golds, ids)))
            run.start()
            deadline = time.monotonic() + 30
            while verifier.stats().verdict_counts["CORRECT"] < 100 and time.monotonic() < deadline:
                time.sleep(0.005)  # let the run get going on every replica
            os.kill(replicas[1].pid, signal.SIGKILL)
            assert run.is_alive(), "the run ended before the replica was killed: make it longer"
            run.join(timeout=120)
            assert not run.is_alive()
        verdicts = result["v"]
        assert [v.id for v in verdicts] == ids  # each item exactly once, in order
        assert [v.correct for v in verdicts] == [i % 7 == 3 for i in range(n)]
        assert replicas[1].stop() == -signal.SIGKILL  # it really died mid-run
    finally:
        for r in replicas:
            r.stop()


def test_tls_and_token_from_files(tmp_path):
    server, token_file, ca = protected_verifier.start(tmp_path)
    try:
        with open_verifier(server.address, **verifier_client.connection_options(token_file, ca)) as verifier:
            assert verifier.verify(["5"], ["5"])[0].correct
        with pytest.raises(VerifierError, match="unreachable"):  # plaintext cannot talk to a TLS server
            VerifierClient(server.address, connect_timeout_s=1)
        with VerifierClient(server.address, tls_ca=ca) as anonymous:  # TLS but no token
            with pytest.raises(VerifierError, match="UNAUTHENTICATED"):
                anonymous.verify(["5"], ["5"])
    finally:
        server.stop()


def test_connection_option_files_are_checked(tmp_path):
    assert verifier_client.connection_options("", "") == {}
    with pytest.raises(ValueError, match=r"verifier_auth_token_file '.*nope': cannot read it"):
        verifier_client.connection_options(str(tmp_path / "nope"), "")
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ValueError, match="is empty; expected the bearer token"):
        verifier_client.connection_options(str(tmp_path / "empty"), "")
    with pytest.raises(ValueError, match=r"verifier_tls_ca '.*ca.pem': no such file"):
        verifier_client.connection_options("", str(tmp_path / "ca.pem"))


def test_stock_health_client_sees_serving(server):
    with grpc.insecure_channel(server.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "rlvr.verifier.v1.Verifier"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_sigterm_turns_health_not_serving_then_exits_zero():
    s = EmbeddedServer(args=["--drain_delay_ms=1500"])
    with grpc.insecure_channel(s.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        check = health_pb2.HealthCheckRequest(service="rlvr.verifier.v1.Verifier")
        assert stub.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.SERVING
        os.kill(s.pid, signal.SIGTERM)
        deadline = time.monotonic() + 1.0
        while stub.Check(check, timeout=5).status == health_pb2.HealthCheckResponse.SERVING:
            assert time.monotonic() < deadline, "health still SERVING 1 s after SIGTERM"
            time.sleep(0.02)
        # Still answering verification calls while draining.
        reply = pb_grpc.VerifierStub(channel).Verify(pb.VerifyRequest(response="3", gold="3"), timeout=5)
        assert reply.verdict == pb.CORRECT
    assert s.stop() == 0, s.log_tail()
    assert "draining" in s.log_tail()


def _binary(target: str) -> pathlib.Path:
    """A py_binary of this workspace (e.g. "python/verify") from the test's runfiles, else from bazel-bin."""
    for root in (os.environ.get("TEST_SRCDIR"), os.environ.get("RUNFILES_DIR")):
        if root and (pathlib.Path(root) / "pairwise_rlvr" / target).exists():
            return pathlib.Path(root) / "pairwise_rlvr" / target
    return pathlib.Path(verifier_client.__file__).resolve().parents[2] / "bazel-bin" / target


def test_load_tool_against_a_protected_server(tmp_path):
    protected, token_file, ca = protected_verifier.start(tmp_path)
    try:
        run = [str(_binary("tools/load_verifier")), "--clients=3", "--modes=unary,batch,stream", "--seconds=1",
               f"--verifier_address={protected.address}", f"--verifier_tls_ca={ca}", f"--server_pid={protected.pid}"]
        ok = subprocess.run(run + [f"--verifier_auth_token_file={token_file}"], capture_output=True, text=True,
                            timeout=120)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        for mode in ("unary", "batch", "stream"):
            line = re.search(rf"{mode} *: (\d+) calls, [\d,]+ items/s, latency p50 [\d.]+ ms, p99 [\d.]+ ms, "
                             rf"p999 [\d.]+ ms, errors none", ok.stdout)
            assert line and int(line.group(1)) > 0, ok.stdout
        assert re.search(r"server peak RSS [\d.]+ MiB", ok.stdout), ok.stdout
        refused = subprocess.run(run, capture_output=True, text=True, timeout=120)  # no token
        assert refused.returncode == 1 and "UNAUTHENTICATED" in refused.stdout and "FAIL:" in refused.stdout
    finally:
        protected.stop()


def test_verify_binary_end_to_end(tmp_path, server):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(json.dumps(c) for c in [
        {"id": "a", "response": "The answer is 12", "gold": "12"},
        {"response": "", "gold": "5", "source": "kept"},
        {"id": 7, "response": "9", "gold": "8"},
        {"response": "So we get 12", "gold": "12", "truncated": True},
    ]) + "\n\n")
    out = tmp_path / "verdicts.jsonl"
    protected, token_file, ca = protected_verifier.start(tmp_path)
    protected_args = [f"--verifier_address={protected.address}", f"--verifier_auth_token_file={token_file}",
                      f"--verifier_tls_ca={ca}"]
    # The last run names its files relative to the directory `bazel run` was called from, as a user would.
    caller_env = dict(os.environ, BUILD_WORKING_DIRECTORY=str(tmp_path))
    absolute = [f"--input={cases}", f"--output={out}"]
    relative = ["--input=cases.jsonl", "--output=verdicts.jsonl"]
    for address_args, files, env in (([], absolute, None),
                                     ([f"--verifier_address={server.address}"], absolute, None),
                                     (protected_args, relative, caller_env)):
        if out.exists():
            out.unlink()
        run = subprocess.run([str(_binary("python/verify")), *files, *address_args], capture_output=True, text=True,
                             timeout=120, env=env, cwd="/")
        assert run.returncode == 0, run.stderr
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r["id"] for r in rows] == ["a", "2", "7", "4"]
        assert [r["verdict"] for r in rows] == ["CORRECT", "NO_ANSWER", "INCORRECT", "NO_ANSWER"]
        assert rows[1]["source"] == "kept"
        assert rows[2]["extracted"] == "9"
        assert {"reason", "canonical_gold", "canonical_answer", "elapsed_us"} <= set(rows[0])
        assert "4 cases in" in run.stdout and "CORRECT=1" in run.stdout and "INCORRECT=1" in run.stdout
        assert "verify: 100%" in run.stderr  # the progress bar
    assert protected.stop() == 0


def test_verify_binary_keep_truncated_box(tmp_path, server):
    cases = tmp_path / "cut.jsonl"
    cases.write_text(json.dumps({"response": "So \\boxed{12}. Check: 5 + 7 =", "gold": "12", "truncated": True}) + "\n")
    out = tmp_path / "verdicts.jsonl"
    for keep, verdict in ((False, "NO_ANSWER"), (True, "CORRECT")):
        run = subprocess.run([str(_binary("python/verify")), f"--input={cases}", f"--output={out}",
                              f"--verifier_address={server.address}", f"--keep_truncated_box={keep}"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert json.loads(out.read_text())["verdict"] == verdict


def test_verify_binary_malformed_line_names_file_and_line(tmp_path, server):
    cases = tmp_path / "bad.jsonl"
    cases.write_text(json.dumps({"response": "1", "gold": "1"}) + "\n" + json.dumps({"response": "2"}) + "\n")
    out = tmp_path / "verdicts.jsonl"
    run = subprocess.run([str(_binary("python/verify")), f"--input={cases}", f"--output={out}",
                          f"--verifier_address={server.address}"], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f"{cases}:2: missing 'gold'" in run.stderr
    assert not out.exists()
    cases.write_text('{"response": "1", "gold": \n')
    run = subprocess.run([str(_binary("python/verify")), f"--input={cases}", f"--output={out}",
                          f"--verifier_address={server.address}"], capture_output=True, text=True, timeout=120)
    assert f"{cases}: line 1: bad JSON" in run.stderr
    cases.write_text(json.dumps({"response": "1", "gold": "1", "truncated": "yes"}) + "\n")
    run = subprocess.run([str(_binary("python/verify")), f"--input={cases}", f"--output={out}",
                          f"--verifier_address={server.address}"], capture_output=True, text=True, timeout=120)
    assert f"{cases}:1: 'truncated' must be true or false" in run.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
