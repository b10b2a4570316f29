#!/usr/bin/env python3
"""xhttp end to end: HTTP/1.1 requests on the SIP TCP listener run event_route[xhttp:request]
($hu, $rm, $hdr(), $rb, {url.*}); keep-alive and close as HTTP/1.1 says; malformed requests
get 400 and the connection closes; JSON-RPC over HTTP with jsonrpc_dispatch() (a result, a
fault, malformed JSON); SIP over TCP on the same listener still works, and jsonrpc_exec()
from the SIP route puts core.version's answer into the reply.

A configuration without the event route answers HTTP requests 500.

Usage: test_xhttp.py KAMAILIO MODDIR CFG NOROUTE_CFG
"""
import http.client
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpd  # noqa: E402

kam, moddir, cfg, noroute_cfg = sys.argv[1:5]
run = httpd.Run("xhttp-")
check = run.check


def rpc(conn, method, *params):
    req = {"jsonrpc": "2.0", "method": method, "id": 3}
    if params:
        req["params"] = list(params)
    conn.request("POST", "/RPC", body=json.dumps(req),
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.reason, r.read().decode()


def header(text, name):
    for line in text.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return None


try:
    port = run.start(kam, cfg, moddir)

    # one connection, several requests: the route sees the request, the connection stays
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/echo?a=1&b=2", headers={"X-Test": "hello"})
    r = c.getresponse()
    body = r.read().decode()
    check(r.status == 200 and r.getheader("Content-Type") == "text/plain",
          "GET answered 200 text/plain: %d %s" % (r.status, r.getheader("Content-Type")))
    check(body.startswith("GET /echo?a=1&b=2 path=/echo query=a=1&b=2 port=")
          and body.endswith(" test=hello body="), "$rm $hu {url.*} $hdr(): %r" % body)
    port1 = body.split("port=")[1].split()[0]
    check(r.getheader("Connection") is None and not r.will_close, "HTTP/1.1 keeps the connection")
    sock1 = c.sock
    c.request("POST", "/echo", body="some body")
    r = c.getresponse()
    body = r.read().decode()
    check(r.status == 200 and body.endswith("body=some body"), "POST body in $rb: %r" % body)
    check(c.sock is sock1 and body.split("port=")[1].split()[0] == port1,
          "the second request came on the same connection (source port %s)" % port1)
    c.request("GET", "/nowhere")
    r = c.getresponse()
    check(r.status == 404 and r.read() == b"<html><body>no /nowhere</body></html>",
          "xhttp_reply(404, ...) from the route")
    # a route that does not answer: the client is not left waiting
    c.request("GET", "/silent")
    r = c.getresponse()
    check(r.status == 500 and r.read() == b"", "no answer from the route: 500")
    # url_skip: the route does not run for it
    c.request("GET", "/skip/this")
    r = c.getresponse()
    check(r.status == 404 and r.read() == b"", "url_skip: 404 without running the route")
    # HEAD: the headers of the answer, no body
    c.request("HEAD", "/echo")
    r = c.getresponse()
    check(r.status == 200 and int(r.getheader("Content-Length")) > 0 and r.read() == b"",
          "HEAD: Content-Length without a body")

    # JSON-RPC over HTTP, on the same connection
    st, reason, text = rpc(c, "core.version")
    res = json.loads(text)
    version = res.get("result", "")
    check(st == 200 and version.startswith("kamailio ") and res.get("id") == 3,
          "JSON-RPC core.version over HTTP: %s" % text)
    check("\n" not in text, "pretty_format 0: the answer is one line")
    st, reason, text = rpc(c, "tm.stats")
    res = json.loads(text).get("result", {})
    check(st == 200 and isinstance(res, dict) and "current" in res and "total" in res,
          "JSON-RPC tm.stats over HTTP: %s" % text)
    st, reason, text = rpc(c, "system.methodHelp")
    check(st == 400 and reason == "method name expected" and
          json.loads(text)["error"] == {"code": 400, "message": "method name expected"},
          "a fault: HTTP %d %s, %s" % (st, reason, text))
    st, reason, text = rpc(c, "no.such.method")
    check(st == 500 and json.loads(text)["error"] == {"code": 500, "message": "Method Not Found"},
          "unknown method: HTTP %d, %s" % (st, text))
    c.request("POST", "/RPC", body='{"jsonrpc": "2.0", "method": ')
    r = c.getresponse()
    text = r.read().decode()
    check(r.status == 400 and json.loads(text) == {"jsonrpc": "2.0", "error": {
        "code": -32700, "message": "Parse error"}, "id": None},
        "malformed JSON: HTTP 400 and a JSON-RPC parse error: %s" % text)
    st, reason, text = rpc(c, "core.version")
    check(st == 200 and c.sock is sock1, "the connection still serves after all that")
    c.close()

    # Connection: close, and HTTP/1.0: answered, then closed
    out, closed = run.raw(b"GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nConnection: close\r\n" in out
          and closed, "Connection: close closes after the answer")
    out, closed = run.raw(b"GET /close HTTP/1.1\r\nHost: a\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 404 Not Found\r\n") and b"\r\nConnection: close\r\n" in out
          and closed, "set_reply_close() in the route closes after the answer")
    out, closed = run.raw(b"GET /echo HTTP/1.0\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 200 OK\r\n") and closed, "HTTP/1.0 closes after the answer")
    # two requests in one segment (pipelined): two answers, in order
    out, closed = run.raw(b"GET /echo?1 HTTP/1.1\r\nHost: a\r\n\r\n"
                          b"GET /echo?2 HTTP/1.1\r\nHost: a\r\n\r\n")
    check(out.count(b"HTTP/1.1 200 OK") == 2 and out.index(b"query=1") < out.index(b"query=2")
          and not closed, "pipelined requests: two answers in order")
    # a chunked body is decoded for $rb
    out, closed = run.raw(b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n")
    check(out.endswith(b"body=hello world"), "chunked body: %r" % out[-40:])

    # malformed requests: 400 (or what RFC 7230 says) and the connection closes
    for req, code, what in [
            (b"GET /echo HTTP/1.1\r\nHost a\r\n\r\n", 400, "a header without ':'"),
            (b"GET /echo HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space before ':'"),
            (b"GET /echo HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host"),
            (b"GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "no request target"),
            (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n", 400,
             "a bad Content-Length"),
            (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
             b"chunked\r\n\r\n0\r\n\r\n", 400, "Content-Length with Transfer-Encoding"),
            (b"GET /echo HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0 on HTTP/1.x"),
            (b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 999999\r\n\r\n", 413,
             "a body over the limit"),
            (b"GET /echo HTTP/1.1\r\nHost: a\r\n" + b"Via: x\r\n" * 65 + b"\r\n", 400,
             "more Via fields than a message may have")]:
        out, closed = run.raw(req)
        check(out.startswith(b"HTTP/1.1 %d " % code) and closed,
              "%s: %d and closed (%r)" % (what, code, out[:40]))

    # SIP over TCP on the same listener, and jsonrpc_exec() from its route
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(httpd.options_request(port, s.getsockname()[1], "TCP").encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        d = s.recv(65536)
        if not d:
            break
        reply += d
    reply = reply.decode()
    s.close()
    check(reply.startswith("SIP/2.0 200 OK\r\n"), "SIP OPTIONS over TCP answered: %r" % reply[:30])
    check(header(reply, "X-RPC-Code") == "200", "jsonrpc_exec: $jsonrpl(code) 200")
    exec_body = header(reply, "X-RPC")
    check(exec_body is not None and json.loads(exec_body) == {
        "jsonrpc": "2.0", "result": version, "id": 1},
        "jsonrpc_exec: $jsonrpl(body) is core.version's answer: %s" % exec_body)
    reply = run.options()
    check(reply is not None and reply.startswith("SIP/2.0 200 OK"), "SIP OPTIONS over UDP too")
    run.stop()

    # a configuration without event_route[xhttp:request]: 500, not a client left waiting
    run.start(kam, noroute_cfg, moddir)
    out, closed = run.raw(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 500 ") and not closed, "no event route: 500 %r" % out[:30])
    reply = run.options()
    check(reply is not None and reply.startswith("SIP/2.0 200 OK"), "no event route: SIP works")
    run.stop()
except Exception as e:  # noqa: BLE001 -- an error is a failure, with its trace
    import traceback
    traceback.print_exc()
    check(False, "the test ran to its end: %r" % e)
finally:
    run.finish()
