"""JSON-RPC over jsonrpcs' datagram socket, for the tests of the RPC commands: each call
from a socket of its own in the test's work directory, the answer decoded."""
import json
import os
import socket


class Client:
    def __init__(self, work, server, check):
        self.me = os.path.join(work, "client.sock")
        self.server = server
        self.check = check

    def call(self, method, *params):
        if os.path.exists(self.me):
            os.unlink(self.me)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(self.me)
        s.settimeout(3)
        req = {"jsonrpc": "2.0", "method": method, "id": 1}
        if params:
            req["params"] = list(params)
        s.sendto(json.dumps(req).encode(), self.server)
        try:
            return json.loads(s.recv(262144).decode())
        finally:
            s.close()
            os.unlink(self.me)

    def result(self, method, *params):
        """The result; a fault is a failed check (and None)."""
        r = self.call(method, *params)
        if "error" in r:
            self.check(False, "%s %s: %s" % (method, params, r["error"]))
            return None
        return r["result"]

    def error(self, method, *params):
        return self.call(method, *params).get("error", {})
