#!/usr/bin/env python3
"""auth_db on the wire beyond the SIPp scenarios, with daemon.cfg and a python3 client:
the table version check at start, a bad load_credentials, auth_check()'s user checks,
is_subscriber(), use_domain, SHA-256 credentials against plain passwords (calculate_ha1
1), and a database file that goes away while the daemon runs (the functions fail with
-1, the config answers 500, the daemon keeps serving, and it recovers once the file is
back), with read-write and with read-only connections.

Usage: test_auth_db.py KAMAILIO MODDIR CFG SCHEMA_DIR
"""
import hashlib
import os
import random
import re
import socket
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(here, "..", "tm"))
sys.path.insert(0, here)
from daemon import Run  # noqa: E402
from subscriber_db import make_db  # noqa: E402

kam, moddir, cfg, schema = sys.argv[1:5]
run = Run("auth-db-")
check = run.check
REALM = "example.com"

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
sock.settimeout(3)
me = sock.getsockname()[1]


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def headers(m, name):
    return [l.split(":", 1)[1].strip() for l in m.split("\r\n\r\n", 1)[0].split("\r\n")
            if l.lower().startswith(name.lower() + ":")]


def status(m):
    return int(m.split(" ", 2)[1])


def rc(m):
    return (headers(m, "X-Rc") or ["none"])[0]


class Call:
    """One dialog-less exchange of requests from (and to) a user."""

    def __init__(self, port, method="REGISTER", from_user="alice", to_user=None,
                 from_domain=REALM):
        self.port, self.method, self.from_domain = port, method, from_domain
        self.from_user, self.to_user = from_user, to_user or from_user
        self.callid = "%08x@auth-db-test" % random.getrandbits(32)
        self.cseq, self.nonce, self.nc = 0, None, 0

    def send(self, headers_=""):
        self.cseq += 1
        msg = ("%s sip:%s@example.com SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%08x\r\n"
               "From: <sip:%s@%s>;tag=f1\r\nTo: <sip:%s@example.com>\r\n"
               "Call-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\n%s"
               "Content-Length: 0\r\n\r\n"
               % (self.method, self.to_user, me, random.getrandbits(32), self.from_user,
                  self.from_domain, self.to_user, self.callid, self.cseq, self.method,
                  headers_))
        sock.sendto(msg.encode(), ("127.0.0.1", self.port))
        return sock.recv(65536).decode()

    def challenge(self):
        m = self.send()
        name = "WWW-Authenticate" if self.method == "REGISTER" else "Proxy-Authenticate"
        self.nonce = re.search(r'nonce="([^"]+)"', (headers(m, name) or [""])[0]).group(1)
        return m

    def auth(self, user="alice", password="secret", extra="", alg="MD5"):
        """Send the request with credentials for the last challenge's nonce."""
        H = sha256 if alg == "SHA-256" else md5
        self.nc += 1
        uri, cnonce = "sip:example.com", "%08x" % random.getrandbits(32)
        ha1 = H("%s:%s:%s" % (user, REALM, password))
        rsp = H("%s:%s:%08x:%s:auth:%s" % (ha1, self.nonce, self.nc, cnonce,
                                           H("%s:%s" % (self.method, uri))))
        name = "Authorization" if self.method == "REGISTER" else "Proxy-Authorization"
        return self.send('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                         'response="%s", algorithm=%s, qop=auth, nc=%08x, cnonce="%s"\r\n%s'
                         % (name, user, REALM, self.nonce, uri, rsp, alg, self.nc, cnonce,
                            extra))


def start(db, *defines):
    args = ["-A", 'DB_URL="sqlite:///%s"' % db, "-A", 'DB_PATH="%s"' % db]
    for d in defines:
        args += ["-A", d]
    port = run.start(kam, cfg, moddir, args)
    # it may still be binding its socket when start() returns
    sock.settimeout(0.2)
    try:
        for _ in range(50):
            try:
                Call(port, "OPTIONS").send()
                return port
            except OSError:
                pass
        raise SystemExit("the daemon does not answer")
    finally:
        sock.settimeout(3)


def refuses(db, define, needle, what):
    """The daemon does not start with db and define; its log says needle."""
    log = os.path.join(run.work, "refused.log")
    args = ["-A", 'DB_URL="sqlite:///%s"' % db, "-A", 'DB_PATH="%s"' % db]
    if define:
        args += ["-A", define]
    with open(log, "w") as f:
        p = subprocess.run([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l",
                            "udp:127.0.0.1:%d" % random.randint(20000, 31999)] + args,
                           stdout=f, stderr=f, timeout=10)
    text = open(log).read()
    check(p.returncode != 0 and needle in text, "%s: the daemon refuses to start" % what)
    if p.returncode == 0 or needle not in text:
        print(text[-2000:])


def version_check():
    """A subscriber table of another version stops the start, with a clear error."""
    db = os.path.join(run.work, "v6.db")
    make_db(db, schema, version=6)
    refuses(db, None, "table subscriber has version 6, module expects 7",
            "subscriber version 6")
    refuses(db, "BAD_CREDENTIALS", "'$ci' is not a writable pseudo-variable",
            "load_credentials into $ci")
    # version_table 0 skips the check
    port = start(db, "NO_VERSION_CHECK")
    c = Call(port)
    c.challenge()
    check(status(c.auth()) == 200, "version_table 0: the same database is used")
    run.stop("version_table 0: the daemon stops cleanly")


def user_checks(port):
    """auth_check() and its flags, is_subscriber()."""
    c = Call(port)
    c.challenge()
    m = c.auth(extra="X-Test: check\r\nX-Flags: 1\r\n")
    check(status(m) == 200 and rc(m) == "1" and headers(m, "X-Email") == ["alice@example.org"],
          "auth_check flags 1, REGISTER alice: 1, load_credentials AVP")
    c = Call(port, from_user="alice", to_user="bob")
    c.challenge()
    m = c.auth(extra="X-Test: check\r\nX-Flags: 1\r\n")
    check(rc(m) == "-8", "auth_check flags 1: alice's credentials registering bob: -8")
    m = c.auth(extra="X-Test: check\r\nX-Flags: 0\r\n")
    check(rc(m) == "1", "auth_check flags 0: no user check, 1")
    c = Call(port, "INVITE", from_user="bob", to_user="carol")
    c.challenge()
    m = c.auth(extra="X-Test: check\r\nX-Flags: 1\r\n")
    check(rc(m) == "-8", "auth_check flags 1: INVITE from bob with alice's credentials: -8")
    m = c.auth(extra="X-Test: check\r\nX-Flags: 3\r\n")
    check(rc(m) == "1", "auth_check flags 3: INVITE skips the From check: 1")
    c = Call(port, "MESSAGE", from_user="alice", to_user="bob")
    c.challenge()
    m = c.auth(user="bob", password="bobpw", extra="X-Test: check\r\nX-Flags: 1\r\n")
    check(rc(m) == "-8" and headers(m, "X-Email") == ["<null>"],
          "auth_check flags 1: bob's credentials, From alice: -8 (bob has no email)")
    m = c.auth(user="bob", password="wrong", extra="X-Test: check\r\nX-Flags: 1\r\n")
    check(status(m) == 407 and rc(m) == "-2", "auth_check, wrong password: 407, -2")
    c = Call(port, "INVITE", from_user="alice", to_user="bob")
    m = c.send("X-Test: check\r\nX-Flags: 1\r\n")
    check(status(m) == 407 and rc(m) == "-5", "auth_check without credentials: 407, -5")

    for uri, flags, want, email, what in [
            ("sip:alice@example.com", 1, "1", "alice@example.org", "alice (with domain)"),
            ("sip:alice@example.net", 0, "1", "alice@example.org", "alice (without domain)"),
            ("sip:alice@example.net", 1, "-2", "<null>", "alice in another domain"),
            ("sip:alice@example.com", 3, "1", "<null>", "alice, no credentials loaded"),
            ("sip:nobody@example.com", 1, "-2", "<null>", "an unknown user")]:
        m = Call(port, "OPTIONS").send("X-Test: subscriber\r\nX-Uri: %s\r\nX-Flags: %d\r\n"
                                       % (uri, flags))
        check(rc(m) == want and headers(m, "X-Email") == [email],
              "is_subscriber %s, flags %d (%s): %s, X-Email %s" % (uri, flags, what, want, email))


def domains(port, use_domain):
    """use_domain: the lookup takes the domain of user@domain (or the realm); auth_check
    compares the From and To domains of a REGISTER."""
    tag = "use_domain %d" % use_domain
    c = Call(port)
    c.challenge()
    m = c.auth(user="alice@example.net")
    check(rc(m) == ("-3" if use_domain else "1"),
          "%s: credentials of alice@example.net: %s" % (tag, rc(m)))
    m = c.auth(user="alice@example.com")
    check(rc(m) == "1", "%s: credentials of alice@example.com: 1" % tag)
    c = Call(port, from_domain="example.net")
    c.challenge()
    m = c.auth(extra="X-Test: check\r\nX-Flags: 1\r\n")
    check(rc(m) == ("-8" if use_domain else "1"),
          "%s: auth_check, REGISTER From another domain than To: %s" % (tag, rc(m)))


def db_goes_away(port, db):
    """The file is moved away and back while the daemon runs."""
    c = Call(port)
    c.challenge()
    check(all(status(c.auth()) == 200 for _ in range(6)), "with the database: 200")
    os.rename(db, db + ".away")
    got = [c.auth() for _ in range(6)]
    check(all(status(m) == 500 and rc(m) == "-1" for m in got),
          "database file gone: -1, the config answers 500 (%s)"
          % [status(m) for m in got])
    m = Call(port).send()
    check(status(m) == 401 and rc(m) == "-5",
          "the daemon keeps serving: a request without credentials gets 401")
    os.rename(db + ".away", db)
    # a worker that had opened the path while the file was gone (read-write: an empty
    # database there) finds it replaced on its next lookup, which fails once: at most one
    # error per worker (2), whichever worker gets the requests
    codes = []
    for _ in range(20):
        codes.append(status(c.auth()))
        if codes[-6:] == [200] * 6:
            break
    check(codes[-6:] == [200] * 6 and codes.count(500) <= 2,
          "file back: 200 again, after at most one 500 per worker (%s)" % codes)


def main():
    version_check()
    db = os.path.join(run.work, "subscriber.db")
    make_db(db, schema)
    port = start(db)
    user_checks(port)
    domains(port, 0)
    db_goes_away(port, db)
    run.stop()
    port = start(db, "USE_DOMAIN")
    domains(port, 1)
    run.stop("use_domain: the daemon stops cleanly")
    # calculate_ha1 1 computes the HA1 with the credentials' algorithm
    port = start(db, "SHA256")
    c = Call(port)
    c.challenge()
    m = c.auth(alg="SHA-256")
    check(status(m) == 200 and rc(m) == "1", "SHA-256 credentials against a plain password")
    m = c.auth(alg="SHA-256", password="wrong")
    check(status(m) == 401 and rc(m) == "-2", "SHA-256, wrong password: -2")
    run.stop("SHA-256: the daemon stops cleanly")
    # read-only, as db_sqlite's db_set_readonly opens it: no empty file made at the path
    port = start(db, "READONLY")
    db_goes_away(port, db)
    check(os.path.exists(db) and not os.path.exists(db + ".away"), "the file is back")
    run.stop("read-only: the daemon stops cleanly")


try:
    main()
finally:
    run.finish()
