#!/usr/bin/env python3
"""kamctl's RPC side against a running daemon (rpc.cfg.in, jsonrpcs on a FIFO in a
scratch runtime folder): kamctl rpc (the answer printed, parameters typed as upstream:
numbers as numbers, s: strings, i: integers, text JSON-escaped), an unknown method
failing, kamctl ul show / show --brief / show AOR / rm after a REGISTER this test sends,
and the errors when the daemon is gone or does not read its FIFO.

Usage: test_kamctl_rpc.py SHELL KAMCTL KAMDBCTL KAMAILIO MODDIR CFG_TEMPLATE
"""
import json
import os
import shutil
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "modules", "tm"))
from kamctl_env import Env  # noqa: E402
from daemon import Run  # noqa: E402

shell, kamctl, kamdbctl, kam, moddir, template = sys.argv[1:7]
env = Env("kamctl-rpc-", shell, kamctl, kamdbctl)
check = env.check
run = Run("kamctl-rpc-daemon-")
rundir = os.path.join(env.work, "run")
replies = os.path.join(env.work, "replies")
os.mkdir(rundir)
os.mkdir(replies)
fifo = os.path.join(rundir, "kamailio_rpc.fifo")
cfg = os.path.join(env.work, "rpc.cfg")
with open(template) as f:
    text = f.read().replace("@REPLY_DIR@", replies)
with open(cfg, "w") as f:
    f.write(text)

env.rc(SIP_DOMAIN="example.com", RPCFIFOPATH=fifo, RPCFIFOREPLYDIR=replies, RPCFIFOTIMEOUT=3,
       CTLENGINE="RPCFIFO", VERBOSE=0)


def answer(r):
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def register(port, user, contact):
    ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ua.bind(("127.0.0.1", 0))
    ua.settimeout(3)
    me = ua.getsockname()[1]
    msg = ("REGISTER sip:127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKkamctl1\r\n"
           "From: <sip:%s@example.com>;tag=k1\r\nTo: <sip:%s@example.com>\r\n"
           "Call-ID: kamctl-rpc-1\r\nCSeq: 1 REGISTER\r\nMax-Forwards: 70\r\n"
           "Contact: <%s>;expires=600\r\nContent-Length: 0\r\n\r\n"
           % (port, me, user, user, contact))
    ua.sendto(msg.encode(), ("127.0.0.1", port))
    try:
        return ua.recv(65536).decode(errors="replace")
    except socket.timeout:
        return ""
    finally:
        ua.close()


try:
    port = run.start(kam, cfg, moddir, extra=["-Y", rundir], ready=lambda: os.path.exists(fifo))

    # --- kamctl rpc ---
    r = env.kamctl("rpc", "core.version")
    a = answer(r)
    check(r.returncode == 0 and a and a.get("jsonrpc") == "2.0"
          and isinstance(a.get("result"), str) and "kamailio" in a["result"].lower(),
          "kamctl rpc core.version prints the JSON answer")

    odd = 'quote " backslash \\ tab \t newline \n control \x01 utf-8 \u00e9 end'
    env.rc(SIP_DOMAIN="example.com", RPCFIFOPATH=fifo, RPCFIFOREPLYDIR=replies,
           RPCFIFOTIMEOUT=3, VERBOSE=1)
    r = env.kamctl("rpc", "core.echo", "12", "s:34", "-1.5e3", "i:7", "0012", odd, "s:")
    a = answer(r)
    got = a and a.get("result")
    check(r.returncode == 0 and got == ["12", "34", "-1500", "7", "0012", odd, ""],
          "kamctl rpc core.echo: every parameter comes back (%r)" % got)
    sent = [line.split("RPC request: ", 1)[1] for line in r.stderr.splitlines()
            if "RPC request: " in line]
    req = json.loads(sent[0]) if sent else {}
    check(req.get("params") == [12, "34", -1.5e3, 7, "0012", odd, ""]
          and isinstance(req["params"][0], int) and isinstance(req["params"][3], int),
          "numbers are sent as numbers, s: as strings, i: as integers (%r)" % req.get("params"))
    check(req.get("method") == "core.echo" and req.get("jsonrpc") == "2.0"
          and "reply_name" in req and "/" not in req["reply_name"], "the request's members")

    r = env.kamctl("rpc", "core.echo", "i:x")
    check(r.returncode == 1 and "integer" in r.stderr, "i: with no integer is refused")

    r = env.kamctl("rpc", "no.such_method")
    a = answer(r)
    check(r.returncode == 1 and a and a.get("error", {}).get("code") == 500,
          "an unknown method: the error answer is printed, exit 1")

    # --- kamctl ul ---
    contact = "sip:alice@127.0.0.1:5099;transport=udp"
    reply = register(port, "alice", contact)
    check(reply.startswith("SIP/2.0 200"), "the REGISTER is answered 200 (%r)" % reply[:40])

    r = env.kamctl("ul", "show")
    a = answer(r)
    aors = []
    if a and "result" in a:
        for d in a["result"].get("Domains", []):
            for x in d["Domain"].get("AoRs", []):
                info = x["Info"]
                aors.append((info["AoR"], [c["Contact"]["Address"] for c in info["Contacts"]]))
    check(r.returncode == 0 and aors == [("alice", [contact])],
          "kamctl ul show lists alice's contact (%r)" % aors)

    r = env.kamctl("ul", "show", "--brief")
    a = answer(r)
    brief = [x["AoR"] for d in (a or {}).get("result", {}).get("Domains", [])
             for x in d["Domain"].get("AoRs", [])]
    check(r.returncode == 0 and brief == ["alice"], "kamctl ul show --brief (%r)" % brief)

    r = env.kamctl("ul", "show", "alice")
    a = answer(r)
    res = (a or {}).get("result", {})
    check(r.returncode == 0 and res.get("AoR") == "alice"
          and [c["Contact"]["Address"] for c in res.get("Contacts", [])] == [contact],
          "kamctl ul show alice (SIP_DOMAIN added, ul.lookup)")
    r = env.kamctl("ul", "show", "bob@example.com")
    check(r.returncode == 1 and (answer(r) or {}).get("error"), "ul show of an unknown AoR fails")

    r = env.kamctl("ul", "rm", "alice@example.com")
    check(r.returncode == 0, "kamctl ul rm alice@example.com")
    r = env.kamctl("ul", "show", "alice")
    check(r.returncode == 1, "... and alice is no longer registered")

    check(os.listdir(replies) == [], "no reply FIFO is left behind")
    run.stop()

    # --- errors ---
    r = env.kamctl("rpc", "core.version")
    check(r.returncode == 1 and "no FIFO" in r.stderr, "a stopped daemon: no FIFO, exit 1")

    os.mkfifo(fifo)  # a FIFO nobody reads
    env.rc(RPCFIFOPATH=fifo, RPCFIFOREPLYDIR=replies, RPCFIFOTIMEOUT=1)
    t = time.monotonic()
    r = env.kamctl("rpc", "core.version")
    check(r.returncode == 1 and "is kamailio running" in r.stderr and time.monotonic() - t < 5,
          "a FIFO nobody reads: an error after RPCFIFOTIMEOUT")
    check(os.listdir(replies) == [], "no reply FIFO is left behind after an error")

    env.rc(RPCFIFOPATH=fifo, CTLENGINE="BINRPC")
    r = env.kamctl("rpc", "core.version")
    check(r.returncode == 1 and "CTLENGINE" in r.stderr, "an unknown CTLENGINE is refused")
finally:
    if run.failures:
        env.failures += run.failures
    if env.failures and os.path.exists(os.path.join(run.work, "kamailio.log")):
        print("---- daemon log")
        print(open(os.path.join(run.work, "kamailio.log")).read()[-4000:])
    if run.proc and run.proc.poll() is None:
        run.proc.kill()
        run.proc.wait()
    shutil.rmtree(run.work, ignore_errors=True)

env.finish()
