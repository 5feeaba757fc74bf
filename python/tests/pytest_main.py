"""Runs pytest on the files given as arguments, reporting per-test results to Bazel's XML_OUTPUT_FILE."""
import os
import sys

import pytest

if __name__ == "__main__":
    args = list(sys.argv[1:])
    xml = os.environ.get("XML_OUTPUT_FILE")
    if xml:
        args.append(f"--junitxml={xml}")
    # Bazel's test sandbox and runfiles tree are read-only for pytest's cache.
    args += ["-p", "no:cacheprovider", "-q"]
    sys.exit(pytest.main(args))
