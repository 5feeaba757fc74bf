"""A verifier as a shared deployment runs it: TLS (a self-signed certificate for 127.0.0.1) and a bearer token."""
import subprocess

from rlvr.verifier_client import EmbeddedServer

TOKEN = "s3cret-t0ken"


def start(tmp_path):
    """(server, token file, CA certificate file); stop the server with server.stop()."""
    cert, key, token = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "token"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    token.write_text(TOKEN + "\n")
    server = EmbeddedServer(args=[f"--tls_cert={cert}", f"--tls_key={key}", f"--auth_token_file={token}"])
    return server, str(token), str(cert)
