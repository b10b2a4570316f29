#!/usr/bin/env python3
"""tm's server transactions on the wire (uas.cfg): the auto 100 Trying, a final reply
to an INVITE retransmitted over UDP (timer G) until the ACK and no longer, a retransmitted
request answered with the very same reply without running the script again, an ACK to a
2xx matched by its dialog, sl's send_reply going through the transaction, one final reply
only.

Usage: test_tm_uas.py KAMAILIO MODDIR CFG
"""
import os
import random
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import Run  # noqa: E402

kam, moddir, cfg = sys.argv[1:4]
run = Run("tm-uas-")
check = run.check


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
me = sock.getsockname()[1]


def request(port, method, user, branch, callid, cseq=1, to_tag=None):
    msg = ("%s sip:%s@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
           "From: <sip:a@example.com>;tag=f%s\r\n"
           "To: <sip:%s@example.com>%s\r\n"
           "Call-ID: %s\r\nCSeq: %d %s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (method, user, port, me, branch, callid, user,
              ";tag=%s" % to_tag if to_tag else "", callid, cseq, method))
    sock.sendto(msg.encode(), ("127.0.0.1", port))


def collect(seconds):
    """Every datagram that comes within seconds, with its arrival time."""
    got = []
    end = time.time() + seconds
    while True:
        left = end - time.time()
        if left <= 0:
            return got
        sock.settimeout(left)
        try:
            got.append((time.time(), sock.recv(65536).decode()))
        except socket.timeout:
            return got


def status(m):
    return m.split("\r\n", 1)[0]


def to_tag(m):
    r = re.search(r"\r\nTo: [^\r]*;tag=([^;\r]+)", m)
    return r.group(1) if r else None


def runs(port):
    request(port, "OPTIONS", "stats", "z9hG4bKs%d" % random.getrandbits(30), "s%d" % random.getrandbits(30))
    got = collect(1)
    return status(got[0][1]) if got else None


try:
    port = run.start(kam, cfg, moddir)
    time.sleep(0.4)
    # INVITE answered 486: 100 Trying first, then the 486, which comes again (timer G)
    request(port, "INVITE", "busy", "z9hG4bK1a", "c1")
    got = collect(1.0)
    codes = [status(m) for _, m in got]
    check(codes[:2] == ["SIP/2.0 100 trying -- your call is important to us",
                        "SIP/2.0 486 Busy Here"], "100 then 486: %s" % codes[:2])
    finals = [m for _, m in got if status(m).startswith("SIP/2.0 486")]
    check(len(finals) >= 2 and all(m == finals[0] for m in finals),
          "the 486 retransmitted unchanged until the ACK (%d copies in 1 s)" % len(finals))
    # the INVITE again: the same 486, the script does not run again
    request(port, "INVITE", "busy", "z9hG4bK1a", "c1")
    got = collect(0.15)
    check(got and got[0][1] == finals[0], "a retransmitted INVITE gets the same 486")
    # the ACK ends the retransmissions
    request(port, "ACK", "busy", "z9hG4bK1a", "c1", to_tag=to_tag(finals[0]))
    collect(0.3)
    got = collect(2.0)
    check(not got, "no 486 after the ACK (%d came)" % len(got))
    check(runs(port) == "SIP/2.0 200 runs=1", "the script ran once for the INVITE")

    # a non-INVITE: its retransmission gets the same reply, no new run of the script
    request(port, "MESSAGE", "plain", "z9hG4bK2a", "c2")
    first = collect(0.5)
    request(port, "MESSAGE", "plain", "z9hG4bK2a", "c2")
    again = collect(0.5)
    check(len(first) == 1 and status(first[0][1]) == "SIP/2.0 200 done", "MESSAGE answered")
    check(len(again) == 1 and again[0][1] == first[0][1], "its retransmission: the same reply")
    check(runs(port) == "SIP/2.0 200 runs=2", "the script ran once for the MESSAGE")

    # a 2xx to an INVITE: retransmitted until the ACK, which has a branch of its own
    request(port, "INVITE", "ok", "z9hG4bK3a", "c3")
    got = collect(0.5)
    oks = [m for _, m in got if status(m) == "SIP/2.0 200 OK"]
    check(len(oks) >= 2, "the 200 retransmitted until the ACK (%d copies)" % len(oks))
    request(port, "ACK", "ok", "z9hG4bK3b", "c3", to_tag=to_tag(oks[0]) if oks else None)
    collect(0.2)
    got = collect(1.5)
    check(not got, "the ACK to the 200 is matched by the dialog: no more 200 (%d)" % len(got))

    # sl's send_reply() through the transaction: stateful, so retransmitted
    request(port, "INVITE", "sl", "z9hG4bK4a", "c4")
    got = collect(0.6)
    t480 = [m for _, m in got if status(m) == "SIP/2.0 480 Temporarily Unavailable"]
    check(len(t480) >= 2, "send_reply's 480 is stateful (%d copies)" % len(t480))
    request(port, "ACK", "sl", "z9hG4bK4a", "c4", to_tag=to_tag(t480[0]) if t480 else None)

    # one final reply per transaction
    request(port, "MESSAGE", "twice", "z9hG4bK5a", "c5")
    got = collect(0.5)
    check([status(m) for _, m in got] == ["SIP/2.0 404 Not Here"], "only the first final reply: %s"
          % [status(m) for _, m in got])
    check(runs(port) == "SIP/2.0 200 runs=5", "a second t_reply() fails")

    run.stop("the daemon stops cleanly with transactions alive")
finally:
    run.finish()
