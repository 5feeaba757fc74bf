"""Exposes Debian's gRPC++ and protobuf C++ libraries to Bazel.

Plain `-lgrpc++` does not link against Debian's Abseil (`absl::debian3::*` symbols), so the link flags
come from pkg-config at fetch time (grpc++_reflection ships no .pc file: it is added by name).
"""

def _pkg_config(ctx, args):
    result = ctx.execute(["pkg-config"] + args)
    if result.return_code != 0:
        fail("pkg-config %s failed (install libgrpc++-dev libprotobuf-dev pkgconf, or run ./bazelw): %s" %
             (" ".join(args), result.stderr))
    return [flag for flag in result.stdout.strip().split(" ") if flag]

def _system_grpc_impl(ctx):
    modules = ["grpc++", "protobuf", "absl_flags", "absl_flags_parse", "absl_random_random", "absl_status",
               "absl_statusor", "absl_str_format", "absl_strings", "absl_synchronization", "absl_time"]
    linkopts = _pkg_config(ctx, ["--libs"] + modules)
    copts = _pkg_config(ctx, ["--cflags"] + modules)
    for tool in ["protoc", "grpc_cpp_plugin"]:
        if not ctx.which(tool):
            fail("%s not found on PATH (install protobuf-compiler protobuf-compiler-grpc, or run ./bazelw)" % tool)
    ctx.symlink(ctx.which("protoc"), "protoc")
    ctx.symlink(ctx.which("grpc_cpp_plugin"), "grpc_cpp_plugin")
    ctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])

exports_files(["protoc", "grpc_cpp_plugin"])

cc_library(
    name = "grpc",
    copts = {copts},
    linkopts = ["-lgrpc++_reflection"] + {linkopts},
)

cc_library(
    name = "gtest",
    linkopts = ["-lgmock", "-lgtest", "-lpthread"],
)

cc_library(
    name = "gtest_main",
    linkopts = ["-lgmock", "-lgtest_main", "-lgtest", "-lpthread"],
)
""".format(copts = repr(copts), linkopts = repr(linkopts)))

system_grpc = repository_rule(
    implementation = _system_grpc_impl,
    environ = ["PATH", "PKG_CONFIG_PATH"],
    local = True,
)
