"""Client of the C++ answer-verification service (rlvr.verifier.v1.Verifier), and the embedded server launcher.

    with open_verifier() as verifier:                      # starts //cpp/verifier:server on a free port
        verdicts = verifier.verify(responses, golds)       # one Verdict per item, same order
    with open_verifier("10.0.0.5:50051,10.0.0.6:50051"):   # replicas: round-robin, failing over

Items go out in VerifyBatch chunks (`batch_size`), up to `max_in_flight` chunks at once. A chunk that fails with
UNAVAILABLE, DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED is retried with exponential backoff and jitter, each retry
on the next replica, so a dead replica costs one attempt and no verdict is lost or duplicated (a chunk's verdicts
are taken from exactly one successful reply). A `dns:///name:port` address is one channel that gRPC balances
round-robin over every address the name resolves to. By default a call gives up after `max_retries` retries (a few
seconds); `retry_window_s` > 0 instead keeps retrying for that long, so a client rides out a verifier restart
(systemd restart, Kubernetes rollout). The outage and the recovery are logged as warnings.
"""
from __future__ import annotations

import atexit
import concurrent.futures
import dataclasses
import itertools
import logging
import os
import pathlib
import random
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Sequence

import grpc

import rlvr_verifier_pb2 as pb
import rlvr_verifier_pb2_grpc as pb_grpc
from rlvr.config import arg

RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.RESOURCE_EXHAUSTED)
_WORKSPACE = "pairwise_rlvr"
_SERVER_RUNFILE = os.path.join(_WORKSPACE, "cpp", "verifier", "server")
_DOWN_S = 1.0  # how long a replica that answered UNAVAILABLE is tried only after the others
_LISTENING = re.compile(r"^listening on (\S+):(\d+)$")
logger = logging.getLogger(__name__)


class VerifierError(RuntimeError):
    """The verifier could not answer: unreachable, refusing, or out of retries. The message names the address."""


@dataclasses.dataclass(frozen=True)
class Verdict:
    id: str
    verdict: str  # CORRECT, INCORRECT, NO_ANSWER, UNPARSEABLE, TIMEOUT or INVALID
    extracted: str
    canonical_answer: str
    canonical_gold: str
    reason: str
    elapsed_us: int

    @property
    def correct(self) -> bool:
        return self.verdict == "CORRECT"


def _verdict(r: pb.VerifyResponse) -> Verdict:
    return Verdict(id=r.id, verdict=pb.Verdict.Name(r.verdict), extracted=r.extracted,
                   canonical_answer=r.canonical_answer, canonical_gold=r.canonical_gold, reason=r.reason,
                   elapsed_us=r.elapsed_us)


def auth_metadata(token: str | None):
    """Call metadata carrying a bearer token; None without one."""
    return (("authorization", f"Bearer {token}"),) if token else None


def open_channel(address: str, tls_ca: str | None = None, options: Sequence = ()) -> grpc.Channel:
    """A plaintext channel, or a TLS one trusting the PEM CA certificate `tls_ca`."""
    if tls_ca:
        credentials = grpc.ssl_channel_credentials(root_certificates=pathlib.Path(tls_ca).read_bytes())
        return grpc.secure_channel(address, credentials, options)
    return grpc.insecure_channel(address, options)


class VerifierClient:
    """gRPC client over one or more replicas (comma-separated `address`). A context manager; thread-safe."""

    def __init__(self, address: str, *, batch_size: int = 512, max_in_flight: int = 2, deadline_us: int = 0,
                 call_timeout_s: float = 120.0, max_retries: int = 6, backoff_s: float = 0.05,
                 max_backoff_s: float = 2.0, retry_window_s: float = 0.0, connect_timeout_s: float = 10.0,
                 auth_token: str | None = None, tls_ca: str | None = None, max_message_bytes: int = 64 << 20,
                 keep_truncated_box: bool = False, server: EmbeddedServer | None = None):
        """`deadline_us`: per-item budget sent to the server (0 = its default). `call_timeout_s`: deadline of
        each VerifyBatch call. `max_retries`: retries per chunk beyond the first attempt, when `retry_window_s`
        is 0; > 0: retryable failures are retried (backoff up to `max_backoff_s`) until that many seconds have
        passed since the call's first failure. `auth_token`: sent as `authorization: Bearer <token>`. `tls_ca`:
        PEM file of the CA that signed the servers' certificates (TLS on; None = plaintext).
        `keep_truncated_box`: a response flagged truncated still counts a \\boxed{} completed before the cut (else
        it is NO_ANSWER). `server`: an embedded server this client stops on close()."""
        if batch_size < 1 or max_in_flight < 1 or max_retries < 0 or deadline_us < 0 or retry_window_s < 0:
            raise ValueError(f"VerifierClient: batch_size and max_in_flight must be >= 1, max_retries, "
                             f"deadline_us and retry_window_s >= 0 (got {batch_size}, {max_in_flight}, "
                             f"{max_retries}, {deadline_us}, {retry_window_s})")
        self.addresses = [a.strip() for a in address.split(",") if a.strip()]
        if not self.addresses:
            raise ValueError(f"VerifierClient: no address in {address!r} (expected host:port[,host:port...])")
        self.batch_size = batch_size
        self.deadline_us = deadline_us
        self.call_timeout_s = call_timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.retry_window_s = retry_window_s
        self.keep_truncated_box = keep_truncated_box
        self._server = server
        self._metadata = auth_metadata(auth_token)
        options = [("grpc.max_receive_message_length", max_message_bytes),
                   ("grpc.max_send_message_length", max_message_bytes),
                   ("grpc.lb_policy_name", "round_robin"),  # spreads a dns:/// name over its addresses
                   ("grpc.enable_retries", 0),  # retries are ours: one policy, and each goes to the next replica
                   # Reconnect to a restarted replica within our retry budget (gRPC's default backoff is 1 s
                   # growing to 120 s).
                   ("grpc.initial_reconnect_backoff_ms", 100), ("grpc.min_reconnect_backoff_ms", 100),
                   ("grpc.max_reconnect_backoff_ms", 2000)]
        self._channels = [open_channel(a, tls_ca, options) for a in self.addresses]
        self._stubs = [pb_grpc.VerifierStub(c) for c in self._channels]
        self._next = itertools.count()  # round-robin cursor (itertools.count is atomic under the GIL)
        self._down_until = [0.0] * len(self.addresses)  # replicas that just failed are tried last for a while
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_in_flight,
                                                           thread_name_prefix="verifier-client")
        self._wait_until_reachable(connect_timeout_s)

    def _wait_until_reachable(self, timeout_s: float) -> None:
        """Fails fast with the addresses when no replica accepts a connection; dead replicas are tolerated."""
        futures = [grpc.channel_ready_future(c) for c in self._channels]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if any(f.done() for f in futures):
                break
            time.sleep(0.01)
        for f in futures:
            f.cancel()
        if not any(f.done() and not f.cancelled() for f in futures):
            self.close()
            raise VerifierError(f"verifier unreachable at {','.join(self.addresses)} (no connection within "
                                f"{timeout_s:g} s): is the server running? Start one with `bazel run "
                                f"//cpp/verifier:server -- --port=PORT`, or omit --verifier_address to embed one")

    @property
    def embedded_binary(self) -> str | None:
        """The server binary this client started (None for a server it only connects to)."""
        return self._server.binary if self._server is not None else None

    @property
    def address(self) -> str:
        return ",".join(self.addresses)

    def verify(self, responses: Sequence[str], golds: Sequence[str], ids: Sequence[str] | None = None,
               truncated: Sequence[bool] | None = None) -> list[Verdict]:
        """One Verdict per (response, gold), in order. ids default to "0", "1", ... (positions). `truncated[i]`:
        response i was cut off by the token limit (vLLM finish_reason "length"), so it gets NO_ANSWER (see
        keep_truncated_box); None = none was."""
        if len(responses) != len(golds):
            raise ValueError(f"verify: {len(responses)} responses but {len(golds)} golds")
        if ids is None:
            ids = [str(i) for i in range(len(responses))]
        elif len(ids) != len(responses):
            raise ValueError(f"verify: {len(ids)} ids for {len(responses)} responses")
        if truncated is None:
            truncated = [False] * len(responses)
        elif len(truncated) != len(responses) or not all(isinstance(t, bool) for t in truncated):
            raise ValueError(f"verify: truncated must be one bool per response ({len(responses)}), got "
                             f"{list(truncated)[:5]!r}{'...' if len(truncated) > 5 else ''} ({len(truncated)} items)")
        requests = [pb.VerifyRequest(id=str(i), response=r, gold=g, deadline_us=self.deadline_us, truncated=t,
                                     keep_truncated_box=self.keep_truncated_box)
                    for i, r, g, t in zip(ids, responses, golds, truncated)]
        chunks = [requests[k:k + self.batch_size] for k in range(0, len(requests), self.batch_size)]
        verdicts: list[Verdict] = []
        for replies in self._pool.map(self._verify_chunk, chunks):
            verdicts.extend(replies)
        return verdicts

    def _verify_chunk(self, chunk: list[pb.VerifyRequest]) -> list[Verdict]:
        reply = self._call("VerifyBatch", pb.VerifyBatchRequest(requests=chunk))
        if len(reply.responses) != len(chunk) or any(q.id != r.id for q, r in zip(chunk, reply.responses)):
            raise VerifierError(f"verifier at {self.address} answered a batch of {len(chunk)} items with "
                                f"{len(reply.responses)} verdicts or out of order (protocol violation)")
        return [_verdict(r) for r in reply.responses]

    def stats(self) -> pb.StatsResponse:
        """Counters of the next replica in turn (one replica's, not the fleet's)."""
        return self._call("Stats", pb.StatsRequest())

    def builds(self) -> dict[str, str]:
        """{replica address: the commit its server was built from (StatsResponse.build)}, for run records. A server
        that does not say (older than that field, or a Stats call failing) is "unknown (...)" with the reason, not
        an error: the record must not stop a run that can verify."""
        out = {}
        for address, stub in zip(self.addresses, self._stubs):
            try:
                build = stub.Stats(pb.StatsRequest(), timeout=self.call_timeout_s, metadata=self._metadata).build
                out[address] = build or "unknown (the server predates StatsResponse.build)"
            except grpc.RpcError as e:
                out[address] = f"unknown (Stats failed: {e.code().name})"
        return out

    def _call(self, method: str, request):
        """Calls `method` on the next replica in turn; a retryable failure moves on to the following replica,
        with exponential backoff once every replica has failed in this call, until the retries (or the retry
        window) are used up."""
        errors = []
        n = len(self._stubs)
        index = next(self._next) % n
        now = time.monotonic()
        for k in range(n):  # the first replica in turn not marked down; if all are, the one in turn
            if self._down_until[(index + k) % n] <= now:
                index = (index + k) % n
                break
        first_failure = None  # monotonic time of this call's first failure
        warned = False
        for attempt in itertools.count():
            try:
                reply = getattr(self._stubs[index], method)(request, timeout=self.call_timeout_s,
                                                            metadata=self._metadata)
            except grpc.RpcError as e:
                code = e.code()
                errors.append(f"{self.addresses[index]}: {code.name} {e.details()}")
                if code not in RETRYABLE:
                    raise VerifierError(f"verifier at {self.addresses[index]} refused {method}: {code.name}: "
                                        f"{e.details()}") from e
                if first_failure is None:
                    first_failure = time.monotonic()
                if code == grpc.StatusCode.UNAVAILABLE:
                    self._down_until[index] = time.monotonic() + _DOWN_S
                if self._server is not None and self._server.restart_if_dead():
                    errors.append(f"restarted the embedded server (it had died; log: {self._server.log_tail(300)})")
            else:
                if warned:
                    logger.warning("verifier %s answered again after %.1f s", self.addresses[index],
                                   time.monotonic() - first_failure)
                return reply
            if self.retry_window_s > 0:
                remaining = first_failure + self.retry_window_s - time.monotonic()
                if remaining <= 0:
                    raise VerifierError(f"verifier at {self.address}: {method} still failing after retrying for "
                                        f"{self.retry_window_s:g} s ({attempt + 1} attempts); last errors: "
                                        f"{'; '.join(errors[-3:])}")
            elif attempt >= self.max_retries:
                raise VerifierError(f"verifier at {self.address}: {method} failed after {self.max_retries + 1} "
                                    f"attempts; last errors: {'; '.join(errors[-3:])}")
            else:
                remaining = float("inf")
            index = (index + 1) % n  # fail over to the next replica at once; back off only when all failed
            if attempt + 1 >= n:
                if not warned:
                    budget = (f"for up to {self.retry_window_s:g} s" if self.retry_window_s > 0
                              else f"up to {self.max_retries - attempt} more times")
                    logger.warning("verifier %s unavailable (%s): retrying %s", self.address, code.name, budget)
                    warned = True
                delay = min(self.max_backoff_s, self.backoff_s * 2 ** min(30, (attempt + 1) // n - 1))
                # Jitter spreads clients retrying together; the last attempt lands at the window's end.
                time.sleep(min(remaining, delay * random.uniform(0.5, 1.0)))

    def close(self) -> None:
        """Closes the channels and stops the embedded server, if any. Idempotent."""
        self._pool.shutdown(wait=True)
        for c in self._channels:
            c.close()
        if self._server is not None:
            self._server.stop()

    def __enter__(self) -> VerifierClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def find_server_binary() -> str:
    """The server binary: $RLVR_VERIFIER_SERVER, else from Bazel runfiles, else from bazel-bin of the source tree."""
    override = os.environ.get("RLVR_VERIFIER_SERVER")
    if override:
        if not os.access(override, os.X_OK):
            raise VerifierError(f"RLVR_VERIFIER_SERVER={override} is not an executable file")
        return override
    here = pathlib.Path(__file__).resolve()
    candidates = []
    for root in (os.environ.get("RUNFILES_DIR"), os.environ.get("TEST_SRCDIR"), sys.argv[0] + ".runfiles"):
        if root:
            candidates.append(pathlib.Path(root) / _SERVER_RUNFILE)
    # This file sits at <runfiles>/pairwise_rlvr/python/rlvr/ in a Bazel run, at <repo>/python/rlvr/ in a checkout.
    candidates.append(pathlib.Path(__file__).parents[2] / "cpp" / "verifier" / "server")
    candidates.append(here.parents[2] / "bazel-bin" / "cpp" / "verifier" / "server")
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    raise VerifierError("verifier server binary not found; looked in " + ", ".join(map(str, candidates)) +
                        ". Run through Bazel (data = //cpp/verifier:server), build it with `./bazelw build "
                        "//cpp/verifier:server`, set RLVR_VERIFIER_SERVER, or pass a verifier address")


class EmbeddedServer:
    """The C++ server as a child process on a free loopback port; stop() (or interpreter exit) ends it, and the
    server shuts itself down if this process dies without either (--parent_pid). A server that died on its own
    (crash, OOM kill) is started again on the same port by restart_if_dead(), which clients call on failures."""

    def __init__(self, binary: str | None = None, args: Sequence[str] = (), start_timeout_s: float = 30.0):
        self.binary = binary or find_server_binary()
        self.restarts = 0
        self._args = list(args)
        self._start_timeout_s = start_timeout_s
        self._log = tempfile.TemporaryFile(mode="w+b", prefix="rlvr-verifier-", suffix=".log")
        self._lock = threading.Lock()
        self._stopped = False
        self._spawn(port=0)
        atexit.register(self.stop)

    def _spawn(self, port: int) -> None:
        self._proc = subprocess.Popen([self.binary, f"--port={port}", "--bind=127.0.0.1",
                                       f"--parent_pid={os.getpid()}", *self._args],
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log)
        try:
            self.address = self._read_address(self._start_timeout_s)
        except BaseException:
            self._proc.kill()
            self._proc.wait()
            self._proc.stdout.close()
            raise

    def restart_if_dead(self) -> bool:
        """Starts the server again on its port if it died without stop(); True when it did."""
        with self._lock:
            if self._stopped or self._proc.poll() is None:
                return False
            self._proc.stdout.close()
            self._spawn(port=int(self.address.rsplit(":", 1)[1]))  # same port: clients' channels reconnect
            self.restarts += 1
            return True

    def _read_address(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise VerifierError(f"{self.binary} printed no 'listening on' line within {timeout_s:g} s; "
                                    f"log: {self.log_tail()}")
            ready, _, _ = select.select([self._proc.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self._proc.stdout.fileno(), 4096)
                if not chunk:
                    code = self._proc.wait()
                    raise VerifierError(f"{self.binary} exited with status {code} before listening; "
                                        f"log: {self.log_tail()}")
                line += chunk
        match = _LISTENING.match(line.decode(errors="replace").strip())
        if not match:
            raise VerifierError(f"{self.binary}: expected 'listening on HOST:PORT', got {line!r}")
        return f"{match.group(1)}:{match.group(2)}"

    @property
    def pid(self) -> int:
        return self._proc.pid

    def log_tail(self, n_bytes: int = 2000) -> str:
        self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, self._log.tell() - n_bytes))
        return self._log.read().decode(errors="replace").strip() or "(empty)"

    def stop(self, timeout_s: float = 10.0) -> int | None:
        """SIGTERM (the server drains in-flight calls), then SIGKILL after `timeout_s`. Returns the exit code."""
        with self._lock:
            self._stopped = True
            if self._proc.poll() is None:
                self._proc.send_signal(signal.SIGTERM)
                try:
                    self._proc.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait()
            if self._proc.stdout and not self._proc.stdout.closed:
                self._proc.stdout.close()
            atexit.unregister(self.stop)
            return self._proc.returncode


def connection_options(auth_token_file: str = "", tls_ca: str = "") -> dict:
    """VerifierClient options for a protected, shared verifier: the bearer token, read from a file (so it stays
    out of command lines, logs and saved run configs), and the PEM CA certificate of TLS servers. Empty: off."""
    options = {}
    if auth_token_file:
        try:
            token = pathlib.Path(auth_token_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"verifier_auth_token_file {auth_token_file!r}: cannot read it ({e}); expected a "
                             f"text file holding the bearer token") from e
        if not token:
            raise ValueError(f"verifier_auth_token_file {auth_token_file!r} is empty; expected the bearer token")
        options["auth_token"] = token
    if tls_ca:
        if not os.path.isfile(tls_ca):
            raise ValueError(f"verifier_tls_ca {tls_ca!r}: no such file; expected the PEM certificate of the CA "
                             f"that signed the verifier's certificate")
        options["tls_ca"] = tls_ca
    return options


def open_verifier(address: str | None = None, *, server_args: Sequence[str] = (), **options) -> VerifierClient:
    """A client of the verifier at `address` ("host:port", comma-separated replicas, or "dns:///name:port").
    With no address, starts the server binary (Bazel runfiles, or $RLVR_VERIFIER_SERVER) on a free loopback port
    with `server_args`, and stops it when the client is closed. `options` go to VerifierClient."""
    if address:
        return VerifierClient(address, **options)
    server = EmbeddedServer(args=server_args)
    try:
        return VerifierClient(server.address, server=server, **options)
    except BaseException:
        server.stop()
        raise


@dataclasses.dataclass(frozen=True)
class VerifierSpec:
    """How a binary reaches its verifier, written once: every config nests it as
    `group(VerifierSpec, prefix="verifier_")`, so the flags are --verifier_address, --verifier_auth_token_file,
    --verifier_tls_ca and --verifier_retry_s everywhere. The token stays in its file (run configs hold the path)."""
    address: str = arg("", "host:port of a running verifier (comma-separated replicas, or dns:///name:port); empty: "
                       "start the embedded C++ server on a free loopback port.")
    auth_token_file: str = arg("", "File holding the bearer token the verifier requires (its --auth_token_file); "
                               "empty: send none.")
    tls_ca: str = arg("", "PEM certificate of the CA that signed the verifier's TLS certificate (its --tls_cert); "
                      "empty: plaintext.")
    retry_s: float = arg(0.0, "Seconds a call keeps retrying an unavailable verifier (e.g. one being restarted), "
                         "with backoff, before failing; 0: a few quick retries only.", min=0.0)

    def invariants(self) -> None:
        """Bad token or CA files fail in config.check (ValueError), before anything heavy starts."""
        connection_options(self.auth_token_file, self.tls_ca)

    def open(self, **options) -> VerifierClient:
        """A client as the spec says; `options` go to VerifierClient."""
        return open_verifier(self.address or None, retry_window_s=self.retry_s,
                             **connection_options(self.auth_token_file, self.tls_ca), **options)
