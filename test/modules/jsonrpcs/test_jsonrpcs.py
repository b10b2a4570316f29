#!/usr/bin/env python3
"""jsonrpcs end to end: the daemon serves JSON-RPC on its datagram socket and its FIFO,
jsonrpc_exec() runs a request from the script, and cfg.reload_routes swaps the routing
rules while SIPp keeps sending: no request is lost, the new rules answer from then on, and
a broken file is refused with its position while the running rules stay.

Usage: test_jsonrpcs.py KAMAILIO MODDIR SIPP CFG_TEMPLATE UAC_XML CALL_UAC_XML CALL_UAS_XML
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

kam, moddir, sipp, template, uac_xml, call_uac_xml, call_uas_xml = sys.argv[1:8]
work = tempfile.mkdtemp(prefix="jsonrpcs-")
cfg = os.path.join(work, "kamailio.cfg")
rundir = os.path.join(work, "run")
os.mkdir(rundir)
proc = None
uas = None
uas_port = None
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def write_cfg(answer, broken=False):
    text = open(template).read().replace("ANSWER", answer)
    if broken:
        text = text.replace('sl_send_reply("200", "%s");' % answer, "sl_send_reply(;")
    with open(cfg + ".tmp", "w") as f:
        f.write(text)
    os.replace(cfg + ".tmp", cfg)


def start_uas():
    """The SIPp UAS the relayed calls end at; its port goes to the config as UAS_PORT."""
    global uas, uas_port
    for _ in range(10):
        uas_port = random.randint(20000, 31999)
        uas = subprocess.Popen([sipp, "-sf", call_uas_xml, "-m", "60", "-i", "127.0.0.1",
                                "-p", str(uas_port), "-nostdin", "-timeout", "40s",
                                "-timeout_error", "-trace_stat", "-stf",
                                os.path.join(work, "uas.csv"), "-trace_err", "-error_file",
                                os.path.join(work, "uas.errors")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        if uas.poll() is None:
            return
    raise SystemExit("the SIPp UAS did not start")


def start():
    global proc
    for _ in range(10):
        port = random.randint(20000, 31999)
        log = open(os.path.join(work, "kamailio.log"), "a")
        proc = subprocess.Popen([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l",
                                 "udp:127.0.0.1:%d" % port, "-n", "2", "-Y", rundir,
                                 "-A", 'RPC_DIR="%s/"' % work, "-A", "UAS_PORT=%d" % uas_port],
                                stdout=log, stderr=log)
        sock = os.path.join(rundir, "kamailio_rpc.sock")
        for _ in range(100):
            if os.path.exists(sock) or proc.poll() is not None:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        if proc.poll() is None:
            return port
        if "Address already in use" not in open(os.path.join(work, "kamailio.log")).read():
            break
    raise SystemExit("the daemon did not start:\n" + open(os.path.join(work, "kamailio.log")).read())


def dgram(request, timeout=3.0):
    me = os.path.join(work, "client.sock")
    if os.path.exists(me):
        os.unlink(me)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(me)
    s.settimeout(timeout)
    s.sendto(request.encode(), os.path.join(rundir, "kamailio_rpc.sock"))
    try:
        return json.loads(s.recv(65536).decode())
    except socket.timeout:
        return None
    finally:
        s.close()
        os.unlink(me)


def call(method, *params):
    req = {"jsonrpc": "2.0", "method": method, "id": 1}
    if params:
        req["params"] = list(params)
    return dgram(json.dumps(req))


def fifo(method):
    name = "reply_%d" % os.getpid()
    path = os.path.join(work, name)
    os.mkfifo(path)
    try:
        with open(os.path.join(rundir, "kamailio_rpc.fifo"), "w") as f:
            f.write(json.dumps({"jsonrpc": "2.0", "method": method, "reply_name": name, "id": 7}))
        with open(path) as r:
            return json.loads(r.readline())
    finally:
        os.unlink(path)


def options(port, user="bob"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    me = s.getsockname()[1]
    msg = ("OPTIONS sip:%s@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d\r\n"
           "From: <sip:t@x>;tag=1\r\nTo: <sip:%s@x>\r\nCall-ID: %d@x\r\nCSeq: 1 OPTIONS\r\n"
           "Content-Length: 0\r\n\r\n" % (user, port, me, random.getrandbits(30), user,
                                            random.getrandbits(30)))
    s.sendto(msg.encode(), ("127.0.0.1", port))
    try:
        return s.recv(65536).decode().split("\r\n")[0]
    finally:
        s.close()


try:
    write_cfg("v1")
    start_uas()
    port = start()
    # the datagram socket, as Kamailio 5.6's jsonrpcs answers
    r = call("core.version")
    check(r and r.get("result", "").startswith("kamailio "), "core.version: %s" % r)
    r = call("core.echo", "a", 1)
    check(r == {"jsonrpc": "2.0", "result": ["a", "1"], "id": 1}, "core.echo: %s" % r)
    r = call("no.such")
    check(r and r["error"] == {"code": 500, "message": "Method Not Found"}, "unknown: %s" % r)
    check(dgram("not json", timeout=0.5) is None, "no answer to what is not JSON")
    r = call("system.listMethods")
    check(r and "cfg.reload_routes" in r["result"], "system.listMethods lists cfg.reload_routes")
    # the FIFO
    r = fifo("core.uptime")
    check(r and r["id"] == 7 and "uptime" in r["result"], "FIFO core.uptime: %s" % r)
    # jsonrpc_exec from the script
    line = options(port, "exec")
    check(line == 'SIP/2.0 200 200 OK {"jsonrpc":"2.0","result":["x"],"id":9}',
          "jsonrpc_exec: %s" % line)
    check(options(port) == "SIP/2.0 200 v1", "routes v1 answer")

    # reload under load: SIPp sends 400 OPTIONS at 200/s while the rules change
    uac = subprocess.Popen([sipp, "127.0.0.1:%d" % port, "-sf", uac_xml, "-m", "400", "-r", "200",
                            "-i", "127.0.0.1", "-p", "0", "-nostdin", "-timeout", "20s",
                            "-timeout_error", "-trace_stat", "-stf", os.path.join(work, "uac.csv"),
                            "-trace_err", "-error_file", os.path.join(work, "uac.errors")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # and 60 calls (INVITE/180/200/ACK/BYE/200) relayed to the UAS, some in progress then
    calls = subprocess.Popen([sipp, "127.0.0.1:%d" % port, "-sf", call_uac_xml, "-m", "60",
                              "-r", "30", "-i", "127.0.0.1", "-p", "0", "-nostdin", "-timeout",
                              "30s", "-timeout_error", "-trace_stat", "-stf",
                              os.path.join(work, "calls.csv"), "-trace_err", "-error_file",
                              os.path.join(work, "calls.errors")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    write_cfg("v2")
    r = call("cfg.reload_routes")
    check(r == {"jsonrpc": "2.0", "result": "ok", "id": 1}, "cfg.reload_routes: %s" % r)
    rc = uac.wait(timeout=30)
    check(rc == 0, "SIPp: every OPTIONS answered during the reload (exit %d)" % rc)
    rc = calls.wait(timeout=40)
    check(rc == 0, "SIPp: every call across the reload completed (exit %d)" % rc)
    rc = uas.wait(timeout=40)
    check(rc == 0, "SIPp UAS: all 60 calls arrived and ended (exit %d)" % rc)
    check(options(port) == "SIP/2.0 200 v2", "routes v2 answer after the reload")

    # a broken file is refused with its position; the running rules stay
    write_cfg("v3", broken=True)
    r = call("cfg.reload_routes")
    err = r and r.get("error", {})
    check(err and err.get("code") == 500 and "kamailio.cfg:" in err.get("message", ""),
          "a broken file is refused: %s" % r)
    check(options(port) == "SIP/2.0 200 v2", "routes v2 still answer")

    proc.send_signal(signal.SIGTERM)
    check(proc.wait(timeout=10) == 0, "the daemon stops cleanly")
    check(not os.path.exists(os.path.join(rundir, "kamailio_rpc.sock")) and
          not os.path.exists(os.path.join(rundir, "kamailio_rpc.fifo")),
          "the socket and the FIFO are removed at stop")
finally:
    for p in (proc, uas):
        if p and p.poll() is None:
            p.kill()
            p.wait()
    if failures:
        print("---- daemon log")
        print(open(os.path.join(work, "kamailio.log")).read()[-6000:])
        for f in ("uac.errors", "calls.errors", "uas.errors"):
            p = os.path.join(work, f)
            if os.path.exists(p):
                print("---- " + f)
                print(open(p).read()[-3000:])
    shutil.rmtree(work, ignore_errors=True)
sys.exit(1 if failures else 0)
