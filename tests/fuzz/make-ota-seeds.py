#!/usr/bin/env python3
# Writes the seed corpus of fuzz-ota-crypt: containers in the format of
# docs/ota.md "Encrypted payloads" (a second implementation, with Python's
# cryptography package), under the fuzz target's fixed key 0x01..0x20, and
# wrapped-key objects. Run from the repository root; the output is committed.
import os, struct, base64, json, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY = bytes(range(1, 33))
out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/fuzz-ota-crypt"
os.makedirs(out, exist_ok=True)

def container(plain, chunk=4096, prefix=b"\x07" * 7):
    hdr = b"CRDOTAE1" + struct.pack(">I", chunk) + prefix + b"\0" + struct.pack(">Q", len(plain)) + b"\0" * 4
    n = max(1, -(-len(plain) // chunk))
    body = b""
    g = AESGCM(KEY)
    for i in range(n):
        nonce = prefix + struct.pack(">I", i) + (b"\x01" if i == n - 1 else b"\x00")
        body += g.encrypt(nonce, plain[i * chunk:(i + 1) * chunk], hdr)
    return hdr + body

seeds = {
    "container-empty": b"\x00" + container(b""),
    "container-small": b"\x0e" + container(b"cradle" * 10),
    "container-3-chunks": b"\xfe" + container(bytes(i % 251 for i in range(4096 * 2 + 100))),
    "container-truncated": b"\x00" + container(bytes(5000))[:4096 + 32 + 16],
    "wrap-p256": b"\x01" + json.dumps({"alg": "ECDH-ES+HKDF-SHA256+A256KW", "crv": "P-256",
                                        "epk": base64.b64encode(b"\x04" + bytes(64)).decode(),
                                        "wrapped_key": base64.b64encode(bytes(40)).decode()}).encode(),
    "wrap-bad-alg": b"\x01" + b'{"alg": "x", "crv": "P-384", "epk": "BA==", "wrapped_key": "AA=="}',
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
