#!/usr/bin/env python3
"""A local receiver for cradled's Art. 14 reminder webhook (tests only).

Checks X-Cradle-Signature (sha256=<hex HMAC-SHA256 of the body>) against the
secret in argv[2] in constant time; a bad or missing signature gets 401 and
is logged as BAD. The first FAIL_FIRST requests get 500 (to exercise the
retries). Accepted reminders are appended to argv[3] as
"<report> <point>" lines; end-of-support reminders as "<X-Cradle-Event>
<product> <point>", notification lists as "<X-Cradle-Event> <case> <devices>". Prints its port on stdout, then serves.
"""
import hashlib
import hmac
import http.server
import json
import os
import sys

secret = open(sys.argv[2], "rb").read().rstrip(b"\r\n")
log = sys.argv[3]
fail_first = int(os.environ.get("FAIL_FIRST", "0"))
seen = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global seen
        seen += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Cradle-Signature", "")
        if not hmac.compare_digest(want, got):
            with open(log, "a") as f:
                f.write("BAD signature\n")
            self.send_response(401)
            self.end_headers()
            return
        if seen <= fail_first:
            self.send_response(500)
            self.end_headers()
            return
        doc = json.loads(body)
        with open(log, "a") as f:
            if doc.get("event") == "product.support.reminder":  # end of support (issue 10 section 6)
                f.write("%s %s %s\n" % (self.headers.get("X-Cradle-Event"), doc["product"], doc["point"]))
            elif doc.get("event") == "case.notify_list":  # a notification list (issue 10 section 6)
                f.write("%s %s %d\n" % (self.headers.get("X-Cradle-Event"), doc["case"], doc["devices_total"]))
            else:
                f.write("%s %s\n" % (doc["report"], doc["point"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
