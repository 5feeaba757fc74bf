"""py_test that runs one pytest file and writes JUnit XML where Bazel expects it (one case per test)."""

def py_pytest(name, src, deps = [], data = [], size = "small", tags = [], **kwargs):
    native.py_test(
        name = name,
        srcs = ["//python/tests:pytest_main.py", src],
        main = "//python/tests:pytest_main.py",
        args = ["$(location %s)" % src],
        deps = deps,
        data = data,
        size = size,
        tags = tags,
        python_version = "PY3",
        **kwargs
    )
