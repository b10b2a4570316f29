#!/usr/bin/env python3
"""auth on the wire where SIPp cannot go (it does MD5 only): a challenge with one
WWW-Authenticate per configured algorithm (RFC 8760), SHA-256 and SHA-512-256
credentials, auth-int, Authentication-Info's rspauth, nc replay, stale=true for an
expired nonce with a right response only, the user check of pv_auth_check, and, with
one_time_nonce, a nonce used twice. The client computes digests with hashlib.

Usage: test_auth_digest.py KAMAILIO MODDIR CFG
"""
import hashlib
import os
import random
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tm"))
from daemon import Run  # noqa: E402

kam, moddir, cfg = sys.argv[1:4]
run = Run("auth-digest-")
check = run.check

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
sock.settimeout(3)
me = sock.getsockname()[1]
REALM = "example.com"
HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256,
          "SHA-512-256": lambda b: hashlib.new("sha512_256", b)}


def H(alg, text):
    return HASHES[alg](text.encode()).hexdigest()


class Call:
    def __init__(self, port, method="REGISTER", user="alice"):
        self.port, self.method, self.user = port, method, user
        self.callid = "%08x@auth-test" % random.getrandbits(32)
        self.cseq = 0

    def send(self, headers="", body="", from_user=None):
        self.cseq += 1
        msg = ("%s sip:example.com SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%08x\r\n"
               "From: <sip:%s@example.com>;tag=f1\r\nTo: <sip:%s@example.com>\r\n"
               "Call-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n%s"
               "Content-Length: %d\r\n\r\n%s"
               % (self.method, me, random.getrandbits(32), from_user or self.user, self.user,
                  self.callid, self.cseq, self.method, headers, len(body.encode()), body))
        sock.sendto(msg.encode(), ("127.0.0.1", self.port))
        return sock.recv(65536).decode()

    def credentials(self, ch, alg, password="secret", qop="auth", nc=1, body="",
                    user=None, header=None):
        """The credentials line for challenge parameters ch, and what rspauth must be."""
        user = user or self.user
        ha1 = H(alg, "%s:%s:%s" % (user, REALM, password))
        uri, cnonce = "sip:example.com", "%08x" % random.getrandbits(32)
        a2 = "%s:%s" % (self.method, uri)
        if qop == "auth-int":
            a2 += ":" + H(alg, body)
        ha2 = H(alg, a2)
        if qop:
            rsp = H(alg, "%s:%s:%08x:%s:%s:%s" % (ha1, ch["nonce"], nc, cnonce, qop, ha2))
            rspauth = H(alg, "%s:%s:%08x:%s:%s:%s" % (ha1, ch["nonce"], nc, cnonce, qop,
                                                      H(alg, ":" + uri)))
        else:
            rsp, rspauth = H(alg, "%s:%s:%s" % (ha1, ch["nonce"], ha2)), None
        line = ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'response="%s", algorithm=%s'
                % (header or ("Authorization" if self.method == "REGISTER"
                              else "Proxy-Authorization"),
                   user, REALM, ch["nonce"], uri, rsp, alg))
        if qop:
            line += ', qop=%s, nc=%08x, cnonce="%s"' % (qop, nc, cnonce)
        return line + "\r\n", rspauth


def status(m):
    return int(m.split(" ", 2)[1])


def headers(m, name):
    return [l.split(":", 1)[1].strip() for l in m.split("\r\n\r\n", 1)[0].split("\r\n")
            if l.lower().startswith(name.lower() + ":")]


def params(value):
    return {k.lower(): q if quoted else t
            for k, quoted, q, t in re.findall(r'([\w-]+)=(?:(")([^"]*)"|([^,\s]+))', value)}


def challenge(c):
    """Challenge c without credentials: the parameters of each challenge line."""
    m = c.send()
    name = "WWW-Authenticate" if c.method == "REGISTER" else "Proxy-Authenticate"
    check(status(m) == (401 if c.method == "REGISTER" else 407),
          "%s without credentials is challenged" % c.method)
    check(headers(m, "X-Rc") == ["-5"], "no credentials: -5")
    return [params(v) for v in headers(m, name)]


def rc(m):
    return (headers(m, "X-Rc") or ["none"])[0]


def main_daemon(port):
    reg = Call(port)
    chs = challenge(reg)
    check([c.get("algorithm") for c in chs] == ["SHA-256", "SHA-512-256", "MD5"],
          "one challenge per algorithm, in the configured order: %s" % chs)
    check(len({c["nonce"] for c in chs}) == 1 and all(c["realm"] == REALM and
          c.get("qop") == "auth" and "stale" not in c for c in chs),
          "each with the realm, qop=auth, no stale, one nonce")
    ch = chs[0]

    # every algorithm, and Authentication-Info's rspauth (add_authinfo_hdr)
    for i, alg in enumerate(["SHA-256", "SHA-512-256", "MD5"]):
        cred, rspauth = reg.credentials(ch, alg, nc=i + 1)
        m = reg.send(cred)
        check(status(m) == 200, "%s credentials accepted" % alg)
        info = params((headers(m, "Authentication-Info") or [""])[0])
        check(info.get("rspauth") == rspauth and info.get("nextnonce") == ch["nonce"],
              "%s: Authentication-Info with the right rspauth" % alg)

    # a wrong password: -2, and the challenge has no stale=true
    cred, _ = reg.credentials(ch, "SHA-256", password="wrong", nc=10)
    m = reg.send(cred)
    check(status(m) == 401 and rc(m) == "-2", "wrong SHA-256 password: 401, -2")
    check("stale" not in m, "no stale=true for a wrong password")

    # auth-int covers the body
    body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
    cred, _ = reg.credentials(ch, "SHA-512-256", qop="auth-int", nc=11, body=body)
    check(status(reg.send(cred, body)) == 200, "SHA-512-256 auth-int with its body")
    cred, _ = reg.credentials(ch, "SHA-256", qop="auth-int", nc=12, body=body)
    m = reg.send(cred, body.replace("1 1", "1 2"))
    check(status(m) == 401 and rc(m) == "-2", "auth-int with another body: -2")

    # nc replayed: -4 and stale=true (the response was right)
    cred, _ = reg.credentials(ch, "SHA-256", nc=12)
    check(status(reg.send(cred)) == 200, "nc 12 accepted")
    m = reg.send(cred)
    check(status(m) == 401 and rc(m) == "-4" and "stale=true" in m,
          "nc 12 again: 401, -4, stale=true")

    # INVITE: 407, Proxy-Authorization; pv_auth_check's user check
    inv = Call(port, "INVITE")
    pch = challenge(inv)[1]
    check(pch.get("algorithm") == "SHA-512-256", "407 with the algorithms too")
    cred, _ = inv.credentials(pch, "SHA-512-256")
    check(status(inv.send(cred)) == 200, "INVITE with SHA-512-256 Proxy-Authorization")
    check(status(inv.send(cred + "X-Test: has\r\n")) == 200, "has_credentials()")
    check(status(inv.send("X-Test: has\r\n")) == 404, "has_credentials() without them")
    cred, _ = inv.credentials(pch, "SHA-256", nc=2)
    m = inv.send(cred + "X-Test: check\r\n", from_user="mallory")
    check(status(m) == 407 and rc(m) == "-8", "pv_auth_check: another From user, -8")
    cred, _ = inv.credentials(pch, "SHA-256", nc=3)
    check(status(inv.send(cred + "X-Test: check\r\n")) == 200, "pv_auth_check: same user")

    # expired (nonce_expire 2): -4 and stale=true for a right response only
    time.sleep(3.2)
    cred, _ = reg.credentials(ch, "SHA-256", nc=20)
    m = reg.send(cred)
    check(status(m) == 401 and rc(m) == "-4" and "stale=true" in m,
          "expired nonce, right response: -4, stale=true")
    new = params(headers(m, "WWW-Authenticate")[0])
    check(new["nonce"] != ch["nonce"], "a new nonce with it")
    cred, _ = reg.credentials(ch, "SHA-256", password="wrong", nc=21)
    m = reg.send(cred)
    check(status(m) == 401 and rc(m) == "-2" and "stale" not in m,
          "expired nonce, wrong response: -2, no stale")
    cred, _ = reg.credentials(new, "SHA-256")
    check(status(reg.send(cred)) == 200, "the new nonce works")
    # a nonce that was never ours
    bad = dict(new, nonce=new["nonce"][:-4] + ("AAAA" if new["nonce"][-4:] != "AAAA"
                                                else "BBBB"))
    cred, _ = reg.credentials(bad, "SHA-256")
    m = reg.send(cred)
    check(status(m) == 401 and rc(m) == "-4", "a forged nonce with a right response: -4")


def one_time_daemon(port):
    reg = Call(port)
    ch = challenge(reg)[0]
    cred, rspauth = reg.credentials(ch, "SHA-256", qop=None)
    m = reg.send(cred)
    check(status(m) == 200, "one_time_nonce: first use")
    info = params((headers(m, "Authentication-Info") or [""])[0])
    check(info.get("nextnonce") not in (None, ch["nonce"]), "nextnonce is a new nonce")
    m = reg.send(cred)
    check(status(m) == 401 and rc(m) == "-6", "the same nonce again: -6")
    cred, _ = reg.credentials(dict(ch, nonce=info["nextnonce"]), "MD5", qop=None)
    check(status(reg.send(cred)) == 200, "nextnonce works once")


def wait_ready(port):
    """The daemon answers (it may still be binding its socket when start() returns)."""
    sock.settimeout(0.2)
    try:
        for _ in range(50):
            try:
                Call(port, "OPTIONS").send("X-Test: has\r\n")
                return
            except OSError:
                pass
        raise SystemExit("the daemon does not answer")
    finally:
        sock.settimeout(3)


try:
    for defines, scenario in (([], main_daemon), (["-A", "ONE_TIME_NONCE"], one_time_daemon)):
        port = run.start(kam, cfg, moddir, defines)
        wait_ready(port)
        scenario(port)
        run.stop()
finally:
    run.finish()
