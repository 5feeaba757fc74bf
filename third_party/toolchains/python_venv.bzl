"""A Python toolchain whose interpreter is the project's `.venv` (made by ./bazelw).

Bazel 4's default stub shebang `#!/usr/bin/env python` does not exist on plain Debian, and the
interpreter must see the pinned packages, so both point at the venv by absolute path.
"""

def _python_venv_impl(ctx):
    workspace = ctx.path(Label("//:WORKSPACE")).dirname
    python = "%s/.venv/bin/python3" % workspace
    if not ctx.path(python).exists:
        fail("%s not found: run ./bazelw once to create the venv from requirements.txt" % python)
    ctx.file("BUILD.bazel", """
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

py_runtime(
    name = "venv_py3",
    interpreter_path = "{python}",
    python_version = "PY3",
    stub_shebang = "#!{python}",
)

py_runtime_pair(name = "venv_pair", py3_runtime = ":venv_py3")

toolchain(
    name = "toolchain",
    toolchain = ":venv_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)

exports_files(["python3"])
""".format(python = python))
    # A wrapper, not a symlink: Python finds its venv (pyvenv.cfg) from the path it was started by.
    ctx.file("python3", "#!/bin/sh\nexec %s \"$@\"\n" % python, executable = True)

python_venv = repository_rule(implementation = _python_venv_impl, local = True)
