"""Load test of the verifier server: N concurrent clients (unary, batch and/or stream) for a fixed time.

  bazel run //tools:load_verifier -- --clients=16 --modes=stream --seconds=60
  bazel run //tools:load_verifier -- --clients=16 --modes=unary,batch,stream --verifier_address=host:port
  (a protected server: also --verifier_auth_token_file=... --verifier_tls_ca=..., as for every binary)

Clients are assigned to the modes in turn. Reports per mode: calls, items/s, latency p50/p99/p999 (per call:
one item for unary and stream, one batch for batch), errors by gRPC status; and the server's peak RSS (VmHWM,
when the server runs on this machine: embedded by default, or --server_pid). Exits 1 when any error other than
RESOURCE_EXHAUSTED (deliberate backpressure) occurred.
"""
import collections
import pathlib
import queue
import sys
import threading
import time

import grpc
from absl import app, flags

import rlvr_verifier_pb2 as pb
import rlvr_verifier_pb2_grpc as pb_grpc
from rlvr import config, verifier_client

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bench_verifier_cases  # noqa: E402  (a sibling file, not part of the rlvr package)

FLAGS = flags.FLAGS
flags.DEFINE_integer("clients", 2 * 8, "Concurrent clients (threads, each with its own channel).")
flags.DEFINE_list("modes", ["unary", "batch", "stream"], "Call kinds, assigned to clients in turn.")
flags.DEFINE_float("seconds", 10.0, "Duration of the run.")
flags.DEFINE_integer("batch_size", 64, "Items per VerifyBatch call in batch mode.")
flags.DEFINE_integer("n_cases", 2000, "Generated cases the clients cycle through.")
# --verifier_address (empty: start one here), token, TLS CA; the load tool counts failures rather than retrying
config.define_flags(verifier_client.VerifierSpec, skip=("verifier_retry_s",), prefix="verifier_")
flags.DEFINE_integer("server_pid", None, "PID of the --verifier_address server, to read its peak RSS.")
flags.DEFINE_list("server_args", [], "Extra flags for the embedded server, e.g. --threads=2,--max_queue=512.")
flags.DEFINE_float("call_timeout_s", 10.0, "Deadline of each call.")


class Recorder:
    """Latencies and error codes of one mode, shared by its clients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.items = 0
        self.errors: collections.Counter[str] = collections.Counter()

    def add(self, latencies, items, errors):
        with self.lock:
            self.latencies.extend(latencies)
            self.items += items
            self.errors.update(errors)


def run_client(mode: str, address: str, access: dict, requests, stop: float, recorder: Recorder,
               offset: int) -> None:
    latencies, items, errors, i = [], 0, collections.Counter(), offset
    metadata = verifier_client.auth_metadata(access.get("auth_token"))
    with verifier_client.open_channel(address, access.get("tls_ca")) as channel:
        stub = pb_grpc.VerifierStub(channel)
        while time.perf_counter() < stop:
            try:
                if mode == "unary":
                    t0 = time.perf_counter()
                    stub.Verify(requests[i % len(requests)], timeout=FLAGS.call_timeout_s, metadata=metadata)
                    latencies.append(time.perf_counter() - t0)
                    items += 1
                    i += 1
                elif mode == "batch":
                    batch = [requests[(i + k) % len(requests)] for k in range(FLAGS.batch_size)]
                    t0 = time.perf_counter()
                    reply = stub.VerifyBatch(pb.VerifyBatchRequest(requests=batch), timeout=FLAGS.call_timeout_s,
                                             metadata=metadata)
                    latencies.append(time.perf_counter() - t0)
                    items += len(reply.responses)
                    i += FLAGS.batch_size
                else:
                    i, n = run_stream(stub, metadata, requests, i, stop, latencies)
                    items += n
            except grpc.RpcError as e:
                errors[e.code().name] += 1
    recorder.add(latencies, items, errors)


def run_stream(stub, metadata, requests, i: int, stop: float, latencies) -> tuple[int, int]:
    """One stream until `stop`, in lockstep: the next item is sent once the previous answer arrived."""
    outbox: queue.Queue = queue.Queue()

    def outgoing():
        while (item := outbox.get()) is not None:
            yield item

    replies = stub.VerifyStream(outgoing(), metadata=metadata)  # no deadline: the stream lives for the whole run
    n = 0
    try:
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            outbox.put(requests[i % len(requests)])
            next(replies)
            latencies.append(time.perf_counter() - t0)
            n += 1
            i += 1
    finally:
        outbox.put(None)
    for _ in replies:  # the server ends the stream after our last write
        pass
    return i, n


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile_ms(values, q):
    ordered = sorted(values)
    return 1e3 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main(argv):
    del argv
    unknown = set(FLAGS.modes) - {"unary", "batch", "stream"}
    if unknown or not FLAGS.modes:
        sys.exit(f"--modes: expected a list of unary, batch, stream; got {FLAGS.modes}")
    try:
        spec = config.from_flags(verifier_client.VerifierSpec, prefix="verifier_")
        access = verifier_client.connection_options(spec.auth_token_file, spec.tls_ca)
    except ValueError as e:
        sys.exit(f"error: {e}")
    server = None
    if spec.address:
        address, pid = spec.address, FLAGS.server_pid
    else:
        server = verifier_client.EmbeddedServer(args=FLAGS.server_args)
        address, pid = server.address, server.pid
    cases = bench_verifier_cases.make_cases(FLAGS.n_cases)
    requests = [pb.VerifyRequest(id=c["id"], response=c["response"], gold=c["gold"]) for c in cases]
    recorders = {mode: Recorder() for mode in FLAGS.modes}
    stop = time.perf_counter() + FLAGS.seconds
    threads = []
    for k in range(FLAGS.clients):
        mode = FLAGS.modes[k % len(FLAGS.modes)]
        threads.append(threading.Thread(target=run_client, args=(mode, address, access, requests, stop,
                                                                  recorders[mode], k * 97)))
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    rss = peak_rss_mib(pid) if pid else None
    if server is not None:
        code = server.stop()
        if code != 0:
            print(f"server exited with status {code}; log: {server.log_tail()}")

    print(f"{FLAGS.clients} clients x {FLAGS.seconds:g} s against {address} (modes {','.join(FLAGS.modes)})")
    bad = 0
    for mode, r in recorders.items():
        errors = dict(r.errors) or "none"
        bad += sum(n for code, n in r.errors.items() if code != "RESOURCE_EXHAUSTED")
        print(f"  {mode:6s}: {len(r.latencies)} calls, {r.items / elapsed:,.0f} items/s, latency p50 "
              f"{percentile_ms(r.latencies, 0.5):.3f} ms, p99 {percentile_ms(r.latencies, 0.99):.3f} ms, p999 "
              f"{percentile_ms(r.latencies, 0.999):.3f} ms, errors {errors}")
    total = sum(r.items for r in recorders.values())
    print(f"  total : {total / elapsed:,.0f} items/s; server peak RSS "
          f"{f'{rss:.1f} MiB' if rss is not None else 'unknown (pass --server_pid)'}")
    if bad:
        print(f"FAIL: {bad} errors other than RESOURCE_EXHAUSTED")
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
