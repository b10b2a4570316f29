#!/usr/bin/env python3
"""usrloc's RPC methods over jsonrpcs (rpc.cfg), on bindings made by REGISTERs and by
ul.add: ul.dump (full and brief), ul.lookup, ul.rm_contact, ul.rm, ul.flush and their
faults, with upstream's structure and member names; usrloc's and registrar's statistics;
a binding that expires goes from the table and runs event_route[usrloc:contact-expired].

Usage: test_usrloc_rpc.py KAMAILIO MODDIR CFG
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tm"))
from daemon import Run  # noqa: E402

kam, moddir, cfg = sys.argv[1:4]
run = Run("usrloc-rpc-")
check = run.check
work = run.work
rundir = os.path.join(work, "run")
os.mkdir(rundir)

ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ua.bind(("127.0.0.1", 0))
ua_port = ua.getsockname()[1]
cseq = [0]


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
        return json.loads(s.recv(262144).decode())
    finally:
        s.close()
        os.unlink(me)


def request(port, first_line, extra=""):
    cseq[0] += 1
    msg = ("%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKu%d\r\n"
           "From: <sip:a@example.com>;tag=f\r\nTo: <%s>\r\nCall-ID: ul-rpc\r\n"
           "CSeq: %d %s\r\nMax-Forwards: 70\r\n%sContent-Length: 0\r\n\r\n"
           % (first_line, ua_port, cseq[0], first_line.split(" ")[1], cseq[0],
              first_line.split(" ")[0], extra))
    ua.sendto(msg.encode(), ("127.0.0.1", port))
    ua.settimeout(2)
    try:
        return ua.recv(65536).decode()
    except socket.timeout:
        return ""


def register(port, user, contacts, extra=""):
    hdrs = "".join("Contact: %s\r\n" % c for c in contacts)
    msg = ("REGISTER sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKr%d\r\n"
           "From: <sip:%s@example.com>;tag=f\r\nTo: <sip:%s@example.com>\r\n"
           "Call-ID: reg-%s\r\nCSeq: %d REGISTER\r\nMax-Forwards: 70\r\n%s%s"
           "Content-Length: 0\r\n\r\n"
           % (port, ua_port, cseq[0] + 1, user, user, user, cseq[0] + 1, hdrs, extra))
    cseq[0] += 1
    ua.sendto(msg.encode(), ("127.0.0.1", port))
    ua.settimeout(2)
    try:
        return ua.recv(65536).decode()
    except socket.timeout:
        return ""


def status(m):
    return m.split("\r\n", 1)[0] if m else None


def stats(port):
    return status(request(port, "OPTIONS sip:stats@127.0.0.1:%d" % port))


def contacts_of(res):
    return [c["Contact"] for c in res.get("Contacts", [])]


try:
    port = run.start(kam, cfg, moddir, ["-Y", rundir],
                     lambda: os.path.exists(os.path.join(rundir, "kamailio_rpc.sock")))
    r = register(port, "alice", ["<sip:alice@192.0.2.1:5060>;q=0.8",
                                 "<sip:alice@192.0.2.2:5060>;expires=100"],
                 "Expires: 300\r\nUser-Agent: phone/1.0\r\nAllow: INVITE, ACK, BYE\r\n")
    check(status(r) == "SIP/2.0 200 OK", "REGISTER alice: %s" % status(r))

    # ul.dump: upstream's structure
    d = rpc("ul.dump").get("result", {})
    doms = {x["Domain"]["Domain"]: x["Domain"] for x in d.get("Domains", [])}
    check(set(doms) == {"location", "other"}, "ul.dump lists both tables: %s" % list(doms))
    loc = doms.get("location", {})
    check(loc.get("Size") == 1024 and loc.get("Stats") == {"Records": 1, "Max-Slots": 1},
          "the table's size and statistics: %s" % {k: loc.get(k) for k in ("Size", "Stats")})
    aors = loc.get("AoRs", [])
    check(len(aors) == 1 and aors[0]["Info"]["AoR"] == "alice"
          and isinstance(aors[0]["Info"]["HashID"], int), "one AoR, alice: %s" % aors)
    cs = contacts_of(aors[0]["Info"]) if aors else []
    check([c["Address"] for c in cs] == ["sip:alice@192.0.2.1:5060", "sip:alice@192.0.2.2:5060"],
          "its contacts, by q: %s" % [c.get("Address") for c in cs])
    if len(cs) == 2:
        a, b = cs
        check(a["Q"] == "0.8" and b["Q"] == "-1", "Q: %s %s" % (a["Q"], b["Q"]))
        check(a["Expires"] in (299, 300) and b["Expires"] in (99, 100),
              "Expires as seconds left: %s %s" % (a["Expires"], b["Expires"]))
        check(a["Call-ID"] == "reg-alice" and a["CSeq"] == 1, "Call-ID and CSeq: %s %s"
              % (a["Call-ID"], a["CSeq"]))
        check(a["User-Agent"] == "phone/1.0" and a["Methods"] == 1 | 4 | 8,
              "User-Agent and the Allow methods: %s %s" % (a["User-Agent"], a["Methods"]))
        check(a["Socket"] == "udp:127.0.0.1:%d" % port and a["Received"] == "[not set]"
              and a["Path"] == "[not set]" and a["Instance"] == "[not set]",
              "Socket, Received, Path, Instance: %s" % a)
        check(a["Ruid"].startswith("uloc-") and a["Ruid"] != b["Ruid"], "ruids: %s %s"
              % (a["Ruid"], b["Ruid"]))
        check(a["State"] == "CS_NEW" and a["Flags"] == 0 and a["CFlags"] == 0
              and a["Reg-Id"] == 0 and a["Tcpconn-Id"] == -1, "the other members: %s" % a)
    brief = rpc("ul.dump", "brief").get("result", {})
    bdom = [x["Domain"] for x in brief.get("Domains", []) if x["Domain"]["Domain"] == "location"]
    check(bdom and bdom[0]["AoRs"] == [{"AoR": "alice"}], "ul.dump brief: %s" % bdom)

    # ul.lookup and its faults
    lk = rpc("ul.lookup", "location", "alice").get("result", {})
    check(lk.get("AoR") == "alice" and len(contacts_of(lk)) == 2, "ul.lookup alice: %s" % lk)
    lk = rpc("ul.lookup", "location", "alice@example.com").get("result", {})
    check(lk.get("AoR") == "alice", "without use_domain the domain of an AoR is ignored")
    e = rpc("ul.lookup", "location", "nobody").get("error", {})
    check(e == {"code": 500, "message": "AOR not found in location table"}, "unknown AoR: %s" % e)
    e = rpc("ul.lookup", "nowhere", "alice").get("error", {})
    check(e == {"code": 500, "message": "Domain table not found"}, "unknown table: %s" % e)

    # ul.add, then what it made
    r = rpc("ul.add", "location", "bob", "sip:bob@198.51.100.7", 60, 0.5, ".", 0, 2, 5)
    check(r.get("result") == {}, "ul.add: %s" % r)
    r = rpc("ul.add", "location", "bob", "sip:bob@198.51.100.8", 0, 1, "<sip:edge;lr>", 1, 0, 0,
            "sip:203.0.113.1:5080", "udp:127.0.0.1:%d" % port)
    check(r.get("result") == {}, "ul.add with received and socket: %s" % r)
    r = rpc("ul.add", "location", "bob", "sip:bob@x", 60, 0.5, ".", 0, 0, 0, ".", "udp:10.9.9.9:1")
    check(r.get("error", {}).get("code") == 500, "ul.add with a socket not ours: %s" % r)
    bc = contacts_of(rpc("ul.lookup", "location", "bob").get("result", {}))
    byaddr = {c["Address"]: c for c in bc}
    c1 = byaddr.get("sip:bob@198.51.100.7", {})
    c2 = byaddr.get("sip:bob@198.51.100.8", {})
    check([c["Address"] for c in bc] == ["sip:bob@198.51.100.8", "sip:bob@198.51.100.7"],
          "q 1 before q 0.5: %s" % list(byaddr))
    check(c1.get("Q") == "0.5" and c1.get("CFlags") == 2 and c1.get("Methods") == 5
          and c1.get("Call-ID") == "dfjrewr12386fd6-343@kamailio.rpc"
          and c1.get("User-Agent") == "kamailio SIP Router - RPC Server"
          and c1.get("Ruid", "").startswith("ulcx-") and c1.get("Expires") in (59, 60),
          "the first ul.add contact: %s" % c1)
    check(c2.get("Expires") == "permanent" and c2.get("Path") == "<sip:edge;lr>"
          and c2.get("Received") == "sip:203.0.113.1:5080" and c2.get("Flags") == 1
          and c2.get("Socket") == "udp:127.0.0.1:%d" % port, "the second: %s" % c2)

    # statistics: 2 AoRs, 4 contacts, 1 REGISTER accepted
    check(stats(port) == "SIP/2.0 200 users=2 contacts=4 expires=0 registered=2 accepted=1 "
          "rejected=0 expired=0", "statistics: %s" % stats(port))

    # ul.rm_contact, ul.rm
    e = rpc("ul.rm_contact", "location", "alice", "sip:alice@192.0.2.9:5060").get("error", {})
    check(e.get("code") == 404 and e.get("message") == "Contact not found", "unknown contact: %s" % e)
    r = rpc("ul.rm_contact", "location", "alice", "sip:alice@192.0.2.1:5060")
    check(r.get("result") == {}, "ul.rm_contact: %s" % r)
    left = [c["Address"] for c in contacts_of(rpc("ul.lookup", "location", "alice")["result"])]
    check(left == ["sip:alice@192.0.2.2:5060"], "one contact left: %s" % left)
    check(rpc("ul.rm", "location", "bob").get("result") == {}, "ul.rm bob")
    check(rpc("ul.lookup", "location", "bob").get("error", {}).get("code") == 500, "bob is gone")
    check(rpc("ul.rm", "location", "bob").get("result") == {}, "ul.rm of nothing is no error")
    check(rpc("ul.flush").get("result") == {}, "ul.flush")

    # a binding of 1 s goes with the timer, and the event route sees it
    r = register(port, "carol", ["<sip:carol@192.0.2.3:5060>;expires=1"])
    check(status(r) == "SIP/2.0 200 OK" and ";expires=1" in r, "REGISTER carol for 1 s")
    check(rpc("ul.lookup", "location", "carol").get("result", {}).get("AoR") == "carol",
          "carol is there")
    time.sleep(2.5)
    check(rpc("ul.lookup", "location", "carol").get("error", {}).get("code") == 500,
          "carol expired")
    names = [a["AoR"] for x in rpc("ul.dump", "brief")["result"]["Domains"]
             for a in x["Domain"]["AoRs"]]
    check(names == ["alice"], "ul.dump has alice only: %s" % names)
    check(stats(port) == "SIP/2.0 200 users=1 contacts=1 expires=1 registered=1 accepted=2 "
          "rejected=0 expired=carol/sip:carol@192.0.2.3:5060/1", "statistics: %s" % stats(port))

    run.stop()
finally:
    run.finish()
