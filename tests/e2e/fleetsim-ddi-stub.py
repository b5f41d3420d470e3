#!/usr/bin/env python3
"""A minimal hawkBit DDI stand-in for tests/e2e/fleetsim.sh: enough of the
DDI API to check what cradle-fleetsim --mode ddi sends (not a server).

  fleetsim-ddi-stub.py PORT CERT KEY LOG
Every controller has action 7 (version 2.0.0) until it closes it; SIM-000002
gets cancelAction 8 (stopId 7) instead; SIM-000003's action says update:
skip. Each request is appended to LOG as a JSON line {method, path, body}."""
import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, CERT, KEY, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
closed = set()
BASE = "https://127.0.0.1:%d/ddi/T1-EU/controller/v1/" % PORT


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, body):
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "body": body}) + "\n")

    def answer(self, code, doc=None):
        data = json.dumps(doc).encode() if doc is not None else b""
        self.send_response(code)
        self.send_header("Content-Type", "application/hal+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record(None)
        parts = self.path.split("?")[0].split("/")
        if len(parts) < 6 or parts[1:5] != ["ddi", "T1-EU", "controller", "v1"]:
            return self.answer(404, {"message": "no such path"})
        cid = parts[5]
        if len(parts) == 6:
            links = {"configData": {"href": BASE + cid + "/configData"}}
            if cid == "SIM-000002" and cid not in closed:
                links["cancelAction"] = {"href": BASE + cid + "/cancelAction/8"}
            elif cid not in closed:
                links["deploymentBase"] = {"href": BASE + cid + "/deploymentBase/7?c=-12"}
            return self.answer(200, {"config": {"polling": {"sleep": "00:00:01"}}, "_links": links})
        if parts[6:] == ["deploymentBase", "7"]:
            update = "skip" if cid == "SIM-000003" else "forced"
            return self.answer(200, {"id": "7", "deployment": {"download": "forced", "update": update, "chunks": [
                {"part": "os", "version": "2.0.0", "name": "firmware", "artifacts": [
                    {"filename": "fw.img", "size": 4, "hashes": {"sha256": "00" * 32},
                     "_links": {"download-http": {"href": BASE + cid + "/softwaremodules/1/artifacts/fw.img"}}}]}]}})
        if parts[6:] == ["cancelAction", "8"]:
            return self.answer(200, {"id": "8", "cancelAction": {"stopId": "7"}})
        return self.answer(404, {"message": "no such resource"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"null")
        self.record(body)
        parts = self.path.split("/")
        if parts[-1] == "feedback" and body.get("status", {}).get("execution") == "closed":
            closed.add(parts[5])
        self.answer(200)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
