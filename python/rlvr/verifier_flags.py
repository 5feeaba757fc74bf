"""The flags by which every binary reaches a verifier, defined once: importing this module defines them.

A binary whose config dataclass has fields of the same names (TrainConfig, ExperimentConfig) picks them up with
its other flags; the rest call `open_verifier()`.
"""
from absl import flags

from rlvr import verifier_client

FLAGS = flags.FLAGS
flags.DEFINE_string("verifier_address", "", "host:port of a running verifier (comma-separated replicas, or "
                    "dns:///name:port); empty: start the embedded C++ server on a free loopback port.")
flags.DEFINE_string("verifier_auth_token_file", "", "File holding the bearer token the verifier requires "
                    "(its --auth_token_file); empty: send none.")
flags.DEFINE_string("verifier_tls_ca", "", "PEM certificate of the CA that signed the verifier's TLS certificate "
                    "(its --tls_cert); empty: plaintext.")


def open_verifier(**options) -> verifier_client.VerifierClient:
    """A client as the flags say; `options` go to VerifierClient. Bad token or CA files raise ValueError."""
    return verifier_client.open_verifier(
        FLAGS.verifier_address or None, **verifier_client.connection_options(FLAGS.verifier_auth_token_file,
                                                                             FLAGS.verifier_tls_ca), **options)
