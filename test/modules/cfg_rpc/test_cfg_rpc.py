#!/usr/bin/env python3
"""cfg_rpc over jsonrpcs (rpc.cfg): cfg.seti core debug changes what the workers log from
the next request on; delayed changes wait for cfg.commit and go with cfg.rollback;
cfg.get/list/diff/help/reset with upstream's shapes; the config's own variables, the
core's max_while_loops and memlog, tm's fr_timer and maxfwd's max_limit change what the
daemon does; bad groups, variables and values are faults.

Usage: test_cfg_rpc.py KAMAILIO MODDIR CFG
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tm"))
from daemon import Run  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cfg_rpc"))
from rpc_client import Client  # noqa: E402

kam, moddir, cfg = sys.argv[1:4]
run = Run("cfg-rpc-")
check = run.check
work = run.work
rundir = os.path.join(work, "run")
os.mkdir(rundir)
client = Client(work, os.path.join(rundir, "kamailio_rpc.sock"), check)
log_path = os.path.join(work, "kamailio.log")

ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ua.bind(("127.0.0.1", 0))
ua_port = ua.getsockname()[1]
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # a next hop that never answers
sink.bind(("127.0.0.1", 0))
seq = [0]


rpc = client.call
result = client.result
error = client.error


def items(res):
    """Several values come as an array, one alone: as a list either way."""
    return res if isinstance(res, list) else [res]


def options(user, callid, wait=2.0):
    """An OPTIONS to user; the status line of the answer, or "" when none came."""
    seq[0] += 1
    msg = ("OPTIONS sip:%s@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKcfg%d\r\n"
           "From: <sip:a@example.com>;tag=f%d\r\nTo: <sip:%s@127.0.0.1>\r\n"
           "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
           % (user, ua_port, seq[0], seq[0], user, callid))
    ua.sendto(msg.encode(), ("127.0.0.1", port))
    ua.settimeout(wait)
    try:
        return ua.recv(65536).decode().split("\r\n", 1)[0]
    except socket.timeout:
        return ""


def log():
    with open(log_path) as f:
        return f.read()


def debug_lines(prefix):
    """The request's DEBUG lines logged so far, by Call-ID prefix."""
    return [line for line in log().splitlines()
            if "cfg-rpc-debug-line " + prefix in line and "DEBUG" in line]


def requests(prefix, n=4):
    """n requests (both workers get some); True when every one was answered 200."""
    return all(options("x", "%s%d" % (prefix, i)).startswith("SIP/2.0 200") for i in range(n))


try:
    port = run.start(kam, cfg, moddir, ["-Y", rundir, "-A", "SINK_PORT=%d" % sink.getsockname()[1]],
                     lambda: os.path.exists(os.path.join(rundir, "kamailio_rpc.sock")))

    # ---- core.debug, live
    check(result("cfg.get", "core", "debug") == 2, "cfg.get core debug: the config's 2")
    check(requests("a") and debug_lines("a") == [], "debug 2: no DEBUG line")
    result("cfg.seti", "core", "debug", 3)
    check(requests("b"), "requests answered after cfg.seti core debug 3")
    got = debug_lines("b")
    check(len(got) == 4 and all(("cfg-rpc-debug-line b%d" % i) in "\n".join(got) for i in range(4)),
          "debug 3: every request's DEBUG line is logged, in every worker (%d)" % len(got))
    check("core.debug has been changed to 3" in log(), "the change is logged")
    result("cfg.seti", "core", "debug", 1)
    check(requests("c") and debug_lines("c") == [], "cfg.seti core debug 1: DEBUG lines stop")

    # ---- delayed changes: nothing until cfg.commit; cfg.rollback drops them
    result("cfg.set_delayed_int", "core", "debug", 3)
    check(result("cfg.get", "core", "debug") == 1, "set_delayed: the value stays until commit")
    check(requests("d", 2) and debug_lines("d") == [], "set_delayed: workers log as before")
    diff = items(result("cfg.diff"))
    check(diff == [{"group name": "core", "variable name": "debug", "old value": 1,
                    "new value": 3}], "cfg.diff lists the prepared change: %s" % diff)
    result("cfg.commit")
    check(requests("e", 2) and len(debug_lines("e")) == 2, "cfg.commit: applied from the next request")
    check(result("cfg.diff") in ([], None, {}), "cfg.diff: nothing left after the commit")
    result("cfg.set_delayed", "core", "debug", 1)
    result("cfg.set_delayed_string", "pstn", "gw_ip", "9.9.9.9")
    check(len(items(result("cfg.diff"))) == 2, "two changes prepared")
    result("cfg.rollback")
    check(result("cfg.diff") in ([], None, {}), "cfg.rollback drops them")
    check(result("cfg.get", "core", "debug") == 3 and
          result("cfg.get", "pstn", "gw_ip") == "1.2.3.4", "cfg.rollback: values unchanged")

    # ---- cfg.get, cfg.list, cfg.help: upstream's shapes
    core = result("cfg.get", "core")
    check(core == {"debug": 3, "max_while_loops": 100, "memlog": 1, "mem_summary": 4,
                   "mem_dump_shm": 0}, "cfg.get core: the group as a struct: %s" % core)
    lst = result("cfg.list")
    for item in ("core: debug", "core: max_while_loops", "core: memlog", "pstn: gw_ip",
                 "pstn: port", "tm: fr_timer", "tm: fr_inv_timer", "maxfwd: max_limit"):
        check(item in lst, "cfg.list has '%s'" % item)
    check(result("cfg.list", "pstn") == ["pstn: gw_ip", "pstn: port"], "cfg.list pstn")
    check(result("cfg.list", "nosuch") == [], "cfg.list of an unknown group: nothing")
    check(result("cfg.help", "pstn", "gw_ip") == ["PSTN GW Address", "(parameter type is string)"],
          "cfg.help pstn gw_ip")
    check(result("cfg.help", "core", "debug") == ["debug level", "(parameter type is integer)"],
          "cfg.help core debug")

    # ---- the config's own variables: what $sel(cfg_get...) gives the next request
    check(options("x", "f1") == "SIP/2.0 200 gw=1.2.3.4 port=5080 loops=50",
          "$sel(cfg_get.pstn.*) as the config set them")
    result("cfg.sets", "pstn", "gw_ip", "5.6.7.8")
    result("cfg.seti", "pstn", "port", "5090")  # a numeric string for an integer
    check(options("x", "f2") == "SIP/2.0 200 gw=5.6.7.8 port=5090 loops=50",
          "cfg.sets/cfg.seti on the config's variables: seen by the next request")

    # ---- core.max_while_loops: the interpreter's limit, in every worker
    result("cfg.seti", "core", "max_while_loops", 10)
    check(all(options("x", "g%d" % i).endswith("loops=10") for i in range(4)),
          "cfg.seti core max_while_loops 10: loops stop after 10 rounds")
    result("cfg.reset", "core")
    check(result("cfg.get", "core", "debug") == 2 and
          result("cfg.get", "core", "max_while_loops") == 100,
          "cfg.reset core: back to the values at start")
    check(options("x", "g9").endswith("loops=50"), "after cfg.reset: 50 rounds again")

    # ---- memlog: the level of the memory status lines (mem_dump_shm asks for one now)
    result("cfg.seti", "core", "mem_dump_shm", 1)
    check("NOTICE" in "".join(line for line in log().splitlines()
                              if "memory status (mem_dump_shm)" in line),
          "mem_dump_shm: the memory status logged at memlog (1, NOTICE)")

    # ---- tm's fr_timer: the next transaction's final-reply timer
    check(result("cfg.get", "tm", "fr_timer") == 20000, "cfg.get tm fr_timer: the modparam's value")
    check(options("relay", "h1", wait=1.0) == "", "fr_timer 20000: no 408 within a second")
    result("cfg.seti", "tm", "fr_timer", 300)
    t0 = time.monotonic()
    line = options("relay", "h2", wait=5.0)
    check(line.startswith("SIP/2.0 408") and time.monotonic() - t0 < 3,
          "cfg.seti tm fr_timer 300: the next transaction times out at once (%r)" % line)

    # ---- maxfwd's group
    check(result("cfg.get", "maxfwd", "max_limit") == 50, "cfg.get maxfwd max_limit")
    result("cfg.seti", "maxfwd", "max_limit", 20)
    check(result("cfg.get", "maxfwd", "max_limit") == 20, "cfg.seti maxfwd max_limit 20")

    # ---- faults
    e = error("cfg.seti", "nosuch", "x", 1)
    check(e.get("code") == 400 and e.get("message", "").startswith("Failed to set the variable"),
          "unknown group: %s" % e)
    e = error("cfg.seti", "core", "nosuch", 1)
    check(e.get("code") == 400, "unknown variable: %s" % e)
    e = error("cfg.seti", "core", "debug", "abc")
    check(e.get("code") == 400, "not a number for an integer: %s" % e)
    e = error("cfg.sets", "pstn", "port", "12x")
    check(e.get("code") == 400, "cfg.sets with a string that is no number, on an integer: %s" % e)
    e = error("cfg.seti", "core", "max_while_loops", 0)
    check(e.get("code") == 400, "out of range: %s" % e)
    e = error("cfg.seti", "maxfwd", "max_limit", 300)
    check(e.get("code") == 400, "maxfwd max_limit 300: out of range: %s" % e)
    e = error("cfg.set_delayed", "core", "nosuch", 1)
    check(e.get("code") == 400, "set_delayed of an unknown variable: %s" % e)
    check(error("cfg.get", "core", "nosuch") == {"code": 400, "message": "Failed to get the variable"},
          "cfg.get of an unknown variable")
    check(error("cfg.get", "nosuch") == {"code": 400, "message": "Failed to get the variable"},
          "cfg.get of an unknown group")
    check(error("cfg.help", "core", "nosuch") ==
          {"code": 400, "message": "Failed to get the variable description"}, "cfg.help unknown")
    check(error("cfg.get").get("code") == 500, "cfg.get without a group")
    check(error("cfg.reset", "nosuch").get("code") == 400, "cfg.reset of an unknown group")
    check(result("cfg.get", "core", "debug") == 2 and result("cfg.diff") in ([], None, {}),
          "faults change nothing")

    run.stop()
    # mem_summary 4: the memory status when the daemon stops, at memlog's level
    check("memory status (at exit)" in log(), "mem_summary 4: the status logged at exit")
finally:
    run.finish()
