#!/usr/bin/env python3
"""tm's RPC methods and statistics (rpc.cfg): a ringing INVITE relayed to our socket shows
in tm.list and tm.stats; tm.cancel CANCELs its branch, and the callee's 487 reaches the
caller; the tmx statistics count what happened; tm.cancel of what does not exist is a
fault; on_sl_reply's route sees replies of no transaction and can drop them.

Usage: test_tm_rpc.py KAMAILIO MODDIR CFG
"""
import json
import os
import random
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import Run  # noqa: E402

kam, moddir, cfg = sys.argv[1:4]
run = Run("tm-rpc-")
check = run.check
work = run.work
rundir = os.path.join(work, "run")
os.mkdir(rundir)


uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uac.bind(("127.0.0.1", 0))
uas = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uas.bind(("127.0.0.1", 0))


def rpc(method, *params):
    me = os.path.join(work, "client.sock")
    if os.path.exists(me):
        os.unlink(me)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(me)
    s.settimeout(3)
    req = {"jsonrpc": "2.0", "method": method, "id": 1}
    if params:
        req["params"] = list(params)
    s.sendto(json.dumps(req).encode(), os.path.join(rundir, "kamailio_rpc.sock"))
    try:
        return json.loads(s.recv(65536).decode())
    finally:
        s.close()
        os.unlink(me)


def recv(sock, seconds=2.0):
    sock.settimeout(seconds)
    try:
        return sock.recv(65536).decode()
    except socket.timeout:
        return None


def status(m):
    return m.split("\r\n", 1)[0] if m else None


def reply_to(req, code, reason, tag="uas1"):
    """A reply of the callee to request req, sent back to the proxy (its top Via)."""
    head, _ = req.split("\r\n\r\n", 1)
    lines = head.split("\r\n")
    out = ["SIP/2.0 %d %s" % (code, reason)]
    for l in lines[1:]:
        name = l.split(":", 1)[0].lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            out.append(l)
        elif name in ("to", "t"):
            out.append(l + ";tag=" + tag)
    out.append("Content-Length: 0")
    via = re.search(r"\r\nVia: SIP/2.0/UDP ([0-9.]+):([0-9]+)", req)
    uas.sendto(("\r\n".join(out) + "\r\n\r\n").encode(), (via.group(1), int(via.group(2))))


def invite(port, callid):
    msg = ("INVITE sip:bob@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
           "From: <sip:a@example.com>;tag=fa\r\nTo: <sip:bob@example.com>\r\n"
           "Call-ID: %s\r\nCSeq: 7 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (port, uac.getsockname()[1], callid, callid))
    uac.sendto(msg.encode(), ("127.0.0.1", port))


def stats(port):
    msg = ("OPTIONS sip:stats@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKs%d\r\n"
           "From: <sip:a@example.com>;tag=s\r\nTo: <sip:stats@example.com>\r\n"
           "Call-ID: s%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
           % (port, uac.getsockname()[1], random.getrandbits(30), random.getrandbits(30)))
    uac.sendto(msg.encode(), ("127.0.0.1", port))
    return status(recv(uac))


try:
    port = run.start(kam, cfg, moddir,
                     ["-Y", rundir, "-A", "UAS_PORT=%d" % uas.getsockname()[1]],
                     lambda: os.path.exists(os.path.join(rundir, "kamailio_rpc.sock")))
    callid = "rpc%d" % random.getrandbits(30)
    invite(port, callid)
    check(status(recv(uac)) == "SIP/2.0 100 trying -- your call is important to us", "100")
    req = recv(uas)
    check(status(req) == "INVITE sip:bob@127.0.0.1:%d SIP/2.0" % port, "the INVITE relayed")
    reply_to(req, 180, "Ringing")
    check(status(recv(uac)) == "SIP/2.0 180 Ringing", "the 180 relayed")

    r = rpc("tm.list")
    # one value is the result itself, several an array (jsonrpcs, as upstream)
    listed = r.get("result", [])
    listed = listed if isinstance(listed, list) else [listed]
    mine = [t for t in listed if t.get("callid") == callid]
    check(len(mine) == 1 and mine[0]["method"] == "INVITE" and mine[0]["cseq"] == 7
          and mine[0]["nr_of_outgoings"] == 1 and mine[0]["uas_status"] == 180,
          "tm.list shows the transaction: %s" % mine)
    r = rpc("tm.stats")
    s = r.get("result", {})
    check(s.get("current") == 1 and s.get("total") == 1 and s.get("rpl_received") == 1,
          "tm.stats: %s" % s)
    r = rpc("tm.cancel", "nosuchcall", "1")
    check(r.get("error", {}).get("code") == 404, "tm.cancel of nothing: %s" % r)

    r = rpc("tm.cancel", callid, "7")
    check(r.get("result") == "200 OK", "tm.cancel: %s" % r)
    cancel = recv(uas)
    check(status(cancel) == "CANCEL sip:bob@127.0.0.1:%d SIP/2.0" % port and
          "CSeq: 7 CANCEL\r\n" in cancel, "the branch gets a CANCEL")
    reply_to(cancel, 200, "OK")
    reply_to(req, 487, "Request Terminated")
    r487 = recv(uac)
    check(status(r487) == "SIP/2.0 487 Request Terminated", "the 487 reaches the caller")
    # our ACK of it, hop by hop (the INVITE's branch): its retransmissions stop
    tag = re.search(r"\r\nTo: [^\r]*;tag=([^;\r]+)", r487 or "")
    uac.sendto(("ACK sip:bob@127.0.0.1:%d SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s\r\n"
                "From: <sip:a@example.com>;tag=fa\r\nTo: <sip:bob@example.com>;tag=%s\r\n"
                "Call-ID: %s\r\nCSeq: 7 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                % (port, uac.getsockname()[1], callid, tag.group(1) if tag else "x", callid)).encode(),
               ("127.0.0.1", port))
    ack = recv(uas)
    check(status(ack) and ack.startswith("ACK ") and "CSeq: 7 ACK\r\n" in ack,
          "the 487 is ACKed hop by hop")

    # 100 and 180 sent, 180 and 487 relayed, the CANCEL's 200 absorbed
    check(stats(port) == "SIP/2.0 200 uas=1 inuse=1 received=3 relayed=2 absorbed=1 "
          "generated=1 4xx=1", "tmx statistics")

    while recv(uac, 0.3):
        pass  # a 487 retransmitted before our ACK arrived
    # replies of no transaction: onreply_route[STRAY] (on_sl_reply) drops a 299; a 298
    # goes on statelessly to the next Via, which is ours
    for code in (299, 298):
        stray = ("SIP/2.0 %d Stray\r\n"
                 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKnotours%d\r\n"
                 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKcaller%d\r\n"
                 "From: <sip:a@example.com>;tag=x\r\nTo: <sip:b@example.com>;tag=y\r\n"
                 "Call-ID: stray%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
                 % (code, port, code, uac.getsockname()[1], code, code))
        uas.sendto(stray.encode(), ("127.0.0.1", port))
        got = recv(uac, 1.0)
        if code == 299:
            check(got is None, "on_sl_reply: the dropped 299 does not come (%s)" % status(got))
        else:
            check(status(got) == "SIP/2.0 298 Stray" and got.count("Via:") == 1,
                  "on_sl_reply: the 298 is relayed statelessly")

    run.stop()
finally:
    run.finish()
