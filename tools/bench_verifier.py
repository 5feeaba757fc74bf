"""Verifier benchmark: the C++ library in-process, the gRPC server under 1..N client threads, and HuggingFace
Math-Verify, all on the same deterministic case file in the same run.

  bazel run //tools:bench_verifier -- [--n_cases=3000] [--client_threads=1,2,4,8] [--seconds=3]

Prints cases/s (library per core, gRPC VerifyBatch per client-thread count with p50/p99 call latency, unary
Verify round-trip p50/p99), the library/Math-Verify speed ratio, the agreement of the two (CORRECT vs not), and
each one's accuracy against the label every case carries by construction. Writes the cases, the disagreements
and a JSON summary to --out_dir.
"""
import collections
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

import grpc
from absl import app, flags

import rlvr_verifier_pb2 as pb
import rlvr_verifier_pb2_grpc as pb_grpc
from rlvr import verifier_client

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bench_verifier_cases  # noqa: E402  (sibling files, not part of the rlvr package)
import math_verify_oracle  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("n_cases", 3000, "Number of generated cases.")
flags.DEFINE_integer("seed", 0, "Seed of the case generator.")
flags.DEFINE_list("client_threads", ["1", "2", "4", "8"], "gRPC client thread counts to measure.")
flags.DEFINE_integer("batch_size", 256, "Items per VerifyBatch call.")
flags.DEFINE_float("seconds", 3.0, "Duration of each gRPC measurement (and minimum of the library's).")
flags.DEFINE_integer("server_threads", 2, "--threads of the server.")
flags.DEFINE_integer("math_verify_cases", 0, "Run Math-Verify on only the first N cases (0 = all).")
flags.DEFINE_string("out_dir", None, "Where cases, disagreements and the summary go; default "
                    "<workspace>/tools/data under `bazel run`, else ./tools/data.")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def histogram_bound_us(stats, q: float):
    """Upper bound of the Stats latency bucket holding quantile `q` ("overflow" past the last bucket)."""
    total, seen = sum(stats.latency_counts), 0
    for upper, count in zip(list(stats.latency_bucket_upper_us) + ["overflow"], stats.latency_counts):
        seen += count
        if seen >= q * total:
            return upper
    return "overflow"


def bench_library(cases, tmp: pathlib.Path) -> tuple[dict, list[str]]:
    """Runs the C++ in-process bench binary; returns its JSON line and the verdict of every case."""
    fields = tmp / "cases.bin"
    with open(fields, "wb") as f:
        for c in cases:
            for text in (c["response"], c["gold"]):
                data = text.encode()
                if b"\0" in data:
                    raise ValueError(f"case {c['id']}: NUL byte in a field; the bench format cannot carry it")
                f.write(data + b"\0")
    verdicts_path = tmp / "verdicts.txt"
    binary = pathlib.Path(__file__).parent / "bench_verifier_lib"
    out = subprocess.run([str(binary), f"--cases={fields}", f"--verdicts_out={verdicts_path}",
                          f"--min_seconds={FLAGS.seconds}"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout), verdicts_path.read_text().split()


def bench_grpc_batch(stub, batches, threads: int, seconds: float) -> dict:
    """`threads` clients sending pre-built VerifyBatch requests back to back for `seconds`."""
    latencies, items, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def client(k):
        local_lat, local_items, i = [], 0, k
        while time.perf_counter() < stop:
            request = batches[i % len(batches)]
            t0 = time.perf_counter()
            reply = stub.VerifyBatch(request, timeout=60)
            local_lat.append(time.perf_counter() - t0)
            local_items += len(reply.responses)
            i += threads
        with lock:
            latencies.extend(local_lat)
            items[0] += local_items

    start = time.perf_counter()
    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    return {"threads": threads, "cases_per_s": items[0] / elapsed, "calls": len(latencies),
            "p50_ms": 1e3 * percentile(latencies, 0.5), "p99_ms": 1e3 * percentile(latencies, 0.99)}


def bench_grpc_unary(stub, requests, seconds: float) -> dict:
    latencies = []
    stop = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < stop:
        t0 = time.perf_counter()
        stub.Verify(requests[i % len(requests)], timeout=10)
        latencies.append(time.perf_counter() - t0)
        i += 1
    return {"calls": len(latencies), "calls_per_s": len(latencies) / seconds,
            "p50_ms": 1e3 * percentile(latencies, 0.5), "p99_ms": 1e3 * percentile(latencies, 0.99)}


def run_math_verify(cases) -> tuple[list[str], float]:
    """Math-Verify's verdict per case (CORRECT / INCORRECT / NO_ANSWER when it parses nothing) and the seconds."""
    grade = math_verify_oracle.grader()
    start = time.perf_counter()
    verdicts = [grade(c["response"], c["gold"])[0] for c in cases]
    return verdicts, time.perf_counter() - start


def main(argv):
    del argv
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY", ".")
    out_dir = pathlib.Path(FLAGS.out_dir or os.path.join(workspace, "tools", "data"))
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = bench_verifier_cases.make_cases(FLAGS.n_cases, FLAGS.seed)
    cases_path = out_dir / "verifier_cases.jsonl"
    cases_path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases ({dict(collections.Counter(c['expect'] for c in cases))}) -> {cases_path}")
    summary = {"n_cases": len(cases), "seed": FLAGS.seed}

    with tempfile.TemporaryDirectory() as tmp:
        lib, ours = bench_library(cases, pathlib.Path(tmp))
    summary["library"] = lib
    print(f"C++ library in-process, 1 thread: {lib['cases_per_s']:,.0f} cases/s ({lib['passes']} passes); "
          f"slowest cases (min over passes): " + ", ".join(f"{cases[s['index']]['id']} ({cases[s['index']]['category']}) "
                                                            f"{s['us']:.0f} us" for s in lib["slowest"]))

    requests = [pb.VerifyRequest(id=c["id"], response=c["response"], gold=c["gold"]) for c in cases]
    batches = [pb.VerifyBatchRequest(requests=requests[k:k + FLAGS.batch_size])
               for k in range(0, len(requests), FLAGS.batch_size)]
    server = verifier_client.EmbeddedServer(args=[f"--threads={FLAGS.server_threads}"])
    try:
        with grpc.insecure_channel(server.address) as channel:
            stub = pb_grpc.VerifierStub(channel)
            served = [r for b in batches for r in stub.VerifyBatch(b, timeout=60).responses]
            mismatched = sum(pb.Verdict.Name(r.verdict) != v for r, v in zip(served, ours))
            print(f"gRPC verdicts differing from the in-process library: {mismatched}")
            summary["grpc_vs_library_mismatches"] = mismatched
            summary["grpc_batch"] = []
            for threads in map(int, FLAGS.client_threads):
                r = bench_grpc_batch(stub, batches, threads, FLAGS.seconds)
                summary["grpc_batch"].append(r)
                print(f"gRPC VerifyBatch({FLAGS.batch_size}), {threads} client thread(s), server --threads="
                      f"{FLAGS.server_threads}: {r['cases_per_s']:,.0f} cases/s, call p50 {r['p50_ms']:.2f} ms, "
                      f"p99 {r['p99_ms']:.2f} ms")
            summary["grpc_unary"] = u = bench_grpc_unary(stub, requests, FLAGS.seconds)
            print(f"gRPC Verify (unary, 1 client): {u['calls_per_s']:,.0f} calls/s, round trip p50 "
                  f"{u['p50_ms']:.3f} ms, p99 {u['p99_ms']:.3f} ms")
            stats = stub.Stats(pb.StatsRequest(), timeout=10)
            summary["server_item_latency_histogram_us"] = dict(zip(
                [str(b) for b in stats.latency_bucket_upper_us] + ["overflow"], stats.latency_counts))
            bounds = {q: histogram_bound_us(stats, q) for q in (0.5, 0.99, 0.999)}
            summary["server_item_latency_bound_us"] = {str(q): b for q, b in bounds.items()}
            print("server-side time per item (all runs above, wall clock incl. preemption): " +
                  ", ".join(f"p{100 * q:g} <= {b} us" for q, b in bounds.items()))
    finally:
        server.stop()

    mv_cases = cases[:FLAGS.math_verify_cases] if FLAGS.math_verify_cases else cases
    theirs, mv_seconds = run_math_verify(mv_cases)
    mv_rate = len(mv_cases) / mv_seconds
    summary["math_verify"] = {"cases": len(mv_cases), "seconds": mv_seconds, "cases_per_s": mv_rate}
    summary["speed_ratio_library_vs_math_verify"] = lib["cases_per_s"] / mv_rate
    print(f"Math-Verify, 1 thread: {mv_rate:,.1f} cases/s on {len(mv_cases)} cases -> library is "
          f"{lib['cases_per_s'] / mv_rate:,.0f}x faster per core")

    # Agreement on the reward (CORRECT or not); accuracy against the label each case was built with.
    pairs = list(zip(mv_cases, ours, theirs))
    agree = sum((o == "CORRECT") == (t == "CORRECT") for _, o, t in pairs)
    ours_right = sum((o == "CORRECT") == (c["expect"] == "CORRECT") for c, o, _ in pairs)
    theirs_right = sum((t == "CORRECT") == (c["expect"] == "CORRECT") for c, _, t in pairs)
    n = len(pairs)
    summary.update(agreement=agree / n, ours_reward_accuracy=ours_right / n, math_verify_reward_accuracy=theirs_right / n,
                   ours_exact_verdict_accuracy=sum(o == c["expect"] for c, o, _ in pairs) / n)
    print(f"agreement on CORRECT-or-not: {agree}/{n} ({100 * agree / n:.1f}%); reward accuracy vs labels: "
          f"ours {100 * ours_right / n:.1f}%, Math-Verify {100 * theirs_right / n:.1f}%")
    disagreements = [
        {"id": c["id"], "category": c["category"], "gold": c["gold"], "response_tail": c["response"][-80:],
         "expect": c["expect"], "ours": o, "math_verify": t,
         "right": "ours" if (o == "CORRECT") == (c["expect"] == "CORRECT") else "math_verify"}
        for c, o, t in pairs if (o == "CORRECT") != (t == "CORRECT")]
    disagreements_path = out_dir / "verifier_disagreements.jsonl"
    disagreements_path.write_text("".join(json.dumps(d) + "\n" for d in disagreements))
    by_category = collections.Counter((d["category"], d["right"]) for d in disagreements)
    print(f"{len(disagreements)} disagreements -> {disagreements_path}; by (category, who matches the label):")
    for (category, right), count in sorted(by_category.items()):
        print(f"  {category:12s} {right:12s} {count}")
    summary["disagreements_by_category"] = {f"{c}/{r}": k for (c, r), k in sorted(by_category.items())}
    (out_dir / "bench_verifier_results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"summary -> {out_dir / 'bench_verifier_results.json'}")


if __name__ == "__main__":
    app.run(main)
