// The commit the server binary was built from, stamped in by Bazel (tools/workspace_status.sh through the
// `build_stamp` genrule): "<sha>", "<sha>+dirty", or "unknown" when built outside a git checkout.
#ifndef RLVR_CPP_VERIFIER_BUILD_STAMP_H_
#define RLVR_CPP_VERIFIER_BUILD_STAMP_H_

namespace rlvr::verifier {

extern const char kBuildCommit[];

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_BUILD_STAMP_H_
