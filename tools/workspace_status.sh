#!/bin/sh
# Bazel's --workspace_status_command (.bazelrc): the commit the verifier server is stamped with
# (//cpp/verifier:build_stamp), "<sha>" or "<sha>+dirty" when tracked files have uncommitted changes, the same
# definition as python/rlvr/provenance.git_commit. Outside a git checkout it prints nothing: the stamp says "unknown".
sha=$(git rev-parse HEAD 2>/dev/null) || exit 0
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null)
echo "STABLE_GIT_COMMIT ${sha}${dirty:++dirty}"
