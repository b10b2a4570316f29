#!/usr/bin/env python3
"""ctl and kamcmd end to end: our kamcmd against the daemon over a unix stream socket, TCP,
UDP and a unix datagram socket (core.version, core.uptime, tm.stats, ul.dump after a
REGISTER, core.echo, a fault), its formats, aliases and interactive mode, its exit status;
malformed packets that get a fault and leave the daemon serving; the FIFO protocol on a
FIFO and on TCP; the default socket in the runtime folder; a path that is not a socket.

Usage: test_ctl.py KAMAILIO MODDIR KAMCMD CFG_TEMPLATE DEFAULT_CFG
"""
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tm"))
from daemon import Run  # noqa: E402

kam, moddir, kamcmd, template, default_cfg = sys.argv[1:6]
run = Run("ctl-")
check = run.check
work = run.work
sock = os.path.join(work, "ctl.sock")
dsock = os.path.join(work, "ctld.sock")
fifo = os.path.join(work, "ctl.fifo")


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def cmd(addr, *args, stdin=None, fmt=None):
    """kamcmd's exit status, stdout and stderr."""
    argv = [kamcmd, "-s", addr] + (["-f", fmt] if fmt else []) + list(args)
    if addr.startswith("unixd:"):
        argv[1:1] = ["-D", work]  # the reply socket, in the test's folder
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=15)
    return p.returncode, p.stdout, p.stderr


def register(port, user):
    ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ua.bind(("127.0.0.1", 0))
    me = ua.getsockname()[1]
    msg = ("REGISTER sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKc1\r\n"
           "From: <sip:%s@example.com>;tag=f\r\nTo: <sip:%s@example.com>\r\nCall-ID: ctl-1\r\n"
           "CSeq: 1 REGISTER\r\nMax-Forwards: 70\r\nContact: <sip:%s@127.0.0.1:%d>\r\n"
           "Expires: 300\r\nContent-Length: 0\r\n\r\n" % (port, me, user, user, user, me))
    ua.sendto(msg.encode(), ("127.0.0.1", port))
    ua.settimeout(3)
    try:
        return ua.recv(65536).decode().split("\r\n", 1)[0], me
    except socket.timeout:
        return None, me
    finally:
        ua.close()


def raw_stream(data):
    """Send raw bytes on the unix stream socket: what comes back before the server closes."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(sock)
    s.sendall(data)
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
            s.settimeout(0.3)  # after a reply: a connection left open shows as <open>
    except socket.timeout:
        out += b"<open>"
    s.close()
    return out


def fault_of(pkt):
    """(code, message) of a binrpc fault packet, or None."""
    if len(pkt) < 4 or pkt[0] != 0xA1 or pkt[1] >> 4 != 3:
        return None
    ll, cl = ((pkt[1] >> 2) & 3) + 1, (pkt[1] & 3) + 1
    body = pkt[2 + ll + cl:]
    size = body[0] >> 4
    code = int.from_bytes(body[1:1 + size], "big")
    rest = body[1 + size:]
    n = rest[0] >> 4
    if n & 8:
        k = n & 7
        n = int.from_bytes(rest[1:1 + k], "big")
        rest = rest[1 + k:]
    else:
        rest = rest[1:]
    return code, rest[:n - 1].decode()


def fifo_request(text, via_tcp=None):
    """A FIFO-protocol request; its reply (from the reply FIFO, or from TCP)."""
    if via_tcp:
        s = socket.create_connection(("127.0.0.1", via_tcp), timeout=3)
        s.sendall(text.encode())
        out = b""
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                out += d
                s.settimeout(0.3)  # the protocol has no end mark: the reply is what came
        except socket.timeout:
            pass
        s.close()
        return out.decode()
    name = "ctl_test_%d" % os.getpid()
    path = "/tmp/" + name
    if os.path.exists(path):
        os.unlink(path)
    os.mkfifo(path, 0o600)
    try:
        rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with open(fifo, "w") as f:
            f.write(text.replace("REPLY", name))
        out = b""
        deadline = time.time() + 3
        while time.time() < deadline:
            try:
                d = os.read(rfd, 65536)
            except BlockingIOError:
                time.sleep(0.02)
                continue
            if d:
                out += d
            elif out:
                break
            else:
                time.sleep(0.02)
        os.close(rfd)
        return out.decode()
    finally:
        os.unlink(path)


try:
    tcp_port, fifo_port = free_port(), free_port()
    cfg = os.path.join(work, "ctl.cfg")
    with open(cfg, "w") as f:
        f.write(open(template).read().replace("WORK", work).replace("TCP_PORT", str(tcp_port))
                .replace("FIFO_PORT", str(fifo_port)))
    port = run.start(kam, cfg, moddir, ready=lambda: os.path.exists(sock))
    stream, tcp = "unixs:" + sock, "tcp:127.0.0.1:%d" % tcp_port

    # the sockets: made with the configured mode
    check(oct(os.stat(sock).st_mode & 0o777) == "0o660", "the socket has mode 0660")

    # core.version, core.uptime, tm.stats
    rc, out, err = cmd(stream, "core.version")
    check(rc == 0 and out.startswith("kamailio 5.") and out.endswith(")\n"),
          "core.version over unixs: %r %r" % (out, err))
    rc, out, _ = cmd(tcp, "core.uptime")
    lines = out.split("\n")
    check(rc == 0 and lines[0] == "{" and lines[1].startswith("\tnow: ")
          and lines[2].startswith("\tup_since: ") and lines[3].startswith("\tuptime: ")
          and lines[4] == "}", "core.uptime over tcp, one member a line: %r" % out)
    rc, out, _ = cmd(tcp, "tm.stats")
    check(rc == 0 and "\tcurrent: 0\n" in out and "\trpl_sent: " in out and out.startswith("{\n"),
          "tm.stats over tcp: %r" % out[:80])
    for addr in ("udp:127.0.0.1:%d" % tcp_port, "unixd:" + dsock):
        rc, out, err = cmd(addr, "core.version")
        check(rc == 0 and out.startswith("kamailio 5."), "core.version over %s: %r %r"
              % (addr.split(":")[0], out, err))
    check(not [f for f in os.listdir(work) if f.startswith("kamcmd_")],
          "kamcmd removed its unixd reply socket")

    # ul.dump after a REGISTER, upstream's shape and indentation, the same on every transport
    status, ua_port = register(port, "alice")
    check(status == "SIP/2.0 200 OK", "REGISTER alice: %s" % status)
    rc, dump, _ = cmd(stream, "ul.dump")
    want = ("{\n\tDomains: {\n\t\tDomain: {\n\t\t\tDomain: location\n\t\t\tSize: 1024\n"
            "\t\t\tAoRs: {\n\t\t\t\tInfo: {\n\t\t\t\t\tAoR: alice\n")
    check(rc == 0 and dump.startswith(want), "ul.dump: %r" % dump[:200])
    check("\t\t\t\t\t\t\tAddress: sip:alice@127.0.0.1:%d\n" % ua_port in dump
          and "\t\t\t\t\t\t\tCall-ID: ctl-1\n" in dump and "\t\t\t\t\t\t\tExpires: " in dump,
          "ul.dump's contact")
    check(dump.endswith("\t\t\tStats: {\n\t\t\t\tRecords: 1\n\t\t\t\tMax-Slots: 1\n\t\t\t}\n"
                        "\t\t}\n\t}\n}\n"), "ul.dump's end: %r" % dump[-120:])
    for addr in (tcp, "udp:127.0.0.1:%d" % tcp_port, "unixd:" + dsock):
        rc, out, _ = cmd(addr, "ul.dump", "brief")
        check(rc == 0 and "\t\t\t\tAoR: alice\n" in out and "Contact" not in out,
              "ul.dump brief over %s: %r" % (addr.split(":")[0], out[-160:]))

    # parameters: numbers, forced strings and ints, negatives, floats
    rc, out, _ = cmd(stream, "core.echo", "a", "1", "s:2", "i:0x10", "-5", "2.5", "s:", "x y")
    check(rc == 0 and out == "a\n1\n2\n16\n-5\n2.5\n\nx y\n", "core.echo: %r" % out)
    rc, out, err = cmd(stream, "core.echo", "i:abc")
    check(rc != 0 and "i:abc" in err, "i: with no number is refused: %r" % err)
    rc, out, _ = cmd(stream, "system.methodHelp", "core.uptime")
    check(rc == 0 and out == "Returns uptime statistics.\n", "system.methodHelp: %r" % out)
    rc, out, _ = cmd(stream, "system.listMethods")
    check(rc == 0 and "core.version\n" in out and "ul.dump\n" in out and "ctl.who\n" in out
          and not out.startswith("\t"), "system.listMethods, one a line")

    # faults: printed as upstream, and a non-zero exit
    rc, out, _ = cmd(stream, "no.such")
    check(rc == 1 and out == "error: 500 - command no.such not found\n",
          "an unknown method faults: %d %r" % (rc, out))
    rc, out, _ = cmd(tcp, "system.methodHelp")
    check(rc == 1 and out.startswith("error: 400 - "), "a missing parameter faults: %r" % out)

    # no server: a clear message and a non-zero exit
    rc, out, err = cmd("unixs:" + os.path.join(work, "nothing.sock"), "core.version")
    check(rc != 0 and "cannot connect" in err, "no server: %d %r" % (rc, err))
    rc, out, err = cmd("sctp:/x", "core.version")
    check(rc != 0 and "-s sctp:/x: unknown protocol" in err, "a bad address: %r" % err)

    # formats and aliases
    rc, out, _ = cmd(stream, "ctl.listen", fmt="[%v] %v:%v %v\\n")
    check(rc == 0 and "[binrpc] unix_stream:%s \n" % sock in out
          and "[binrpc] tcp:127.0.0.1 %d\n" % tcp_port in out
          and "[fifo] fifo:%s \n" % fifo in out, "ctl.listen with -f: %r" % out)
    rc, out, _ = cmd(stream, "who")
    check(rc == 0 and out == "[binrpc] unix_stream: <anonymous unix socket>  -> %s \n" % sock,
          "the who alias (ctl.who): %r" % out)
    rc, out, _ = cmd(stream, "core.echo", "x", fmt="<%v|%%v>")
    check(out == "<x|%v>", "a format: each %%v a value, %%%% a percent: %r" % out)

    # the interactive mode: lines from stdin, one connection, status 1 after a fault
    rc, out, _ = cmd(tcp, stdin="core.version\n\nno.such\nhelp core.uptime\nhelp ver\n"
                                "ctl.connections\nquit\ncore.version\n")
    check(rc == 1 and out.count("kamailio 5.") == 1
          and "error: 500 - command no.such not found\n" in out
          and "Returns uptime statistics.\n" in out and "ver is an alias for core.version\n" in out
          and out.endswith("1\n"), "interactive mode: %d %r" % (rc, out))
    rc, out, _ = cmd(stream, stdin="core.version\n")
    check(rc == 0 and out.startswith("kamailio"), "interactive mode, no fault: %d" % rc)

    # malformed packets: a fault, the connection closed, the daemon still serving
    got = raw_stream(b"GET / HTTP/1.0\r\n\r\n")
    check(fault_of(got) == (400, "bad request: not a binrpc packet"),
          "not binrpc: fault 400 and closed: %r" % got)
    got = raw_stream(bytes([0xA1, 0x0B, 0xFF, 0xFF, 0xFF, 0, 0, 0, 9]))
    check(fault_of(got) == (400, "bad request: too big"), "16 MiB announced: %r" % got)
    body = bytes([0x91, 0x7F]) + b"ab"  # a method name longer than the body
    got = raw_stream(bytes([0xA1, 0x03, len(body), 0, 0, 0, 7]) + body)
    check(fault_of(got) == (400, "bad request method: a string was expected"),
          "a method past the end: %r" % got)
    meth = b"core.echo\x00"
    body = bytes([0x91, len(meth)]) + meth + bytes([0x91, 0x7F]) + b"ab"
    got = raw_stream(bytes([0xA1, 0x03, len(body), 0, 0, 0, 7]) + body)
    check(fault_of(got) == (400, "bad request: parameter 1 is malformed"),
          "a parameter past the end: %r" % got)
    # a whole request, then half of one: the reply comes, the connection waits
    req = bytes([0xA1, 0x03, 2 + 13, 0, 0, 0, 8, 0x91, 13]) + b"core.version\x00"
    got = raw_stream(req + req[:5])
    check(got.endswith(b"<open>") and b"kamailio 5." in got, "a request and a half: %r" % got)
    rc, out, _ = cmd(stream, "core.version")
    check(rc == 0 and out.startswith("kamailio"), "the daemon still serves")

    # the FIFO protocol, on the FIFO (the reply in /tmp) and on TCP
    out = fifo_request(":core.uptime:REPLY\n\n")
    check(out.startswith("200 OK\nnow:") and ",uptime:" in out, "FIFO core.uptime: %r" % out)
    out = fifo_request(":core.echo:REPLY\na\\nb\n7\n\n")
    check(out == "200 OK\na\\nb\n7\n", "FIFO core.echo, escapes: %r" % out)
    out = fifo_request(":no.such:REPLY\n\n")
    check(out == "500 command no.such not found\n", "FIFO fault: %r" % out)
    out = fifo_request(":tm.stats:\n\n", via_tcp=fifo_port)
    check(out.startswith("200 OK\ncurrent:0,"), "FIFO protocol over TCP: %r" % out)

    files = set(os.listdir(work))
    run.stop()
    check(not {"ctl.sock", "ctld.sock", "ctl.fifo"} & set(os.listdir(work)) and "ctl.sock" in files,
          "the sockets and the FIFO are removed at stop")

    # no binrpc parameter: kamailio_ctl in the runtime folder (-Y)
    rundir = os.path.join(work, "run")
    os.mkdir(rundir)
    default_sock = os.path.join(rundir, "kamailio_ctl")
    run.start(kam, default_cfg, moddir, ["-Y", rundir], ready=lambda: os.path.exists(default_sock))
    rc, out, _ = cmd("unixs:" + default_sock, "core.version")
    check(rc == 0 and out.startswith("kamailio"), "the default socket: %r" % out)
    rc, out, _ = cmd("unixs:" + default_sock, "ctl.listen")
    check(out == "binrpc\nunix_stream\n%s\n\n" % default_sock, "ctl.listen: %r" % out)
    run.stop("the daemon with the default socket stops cleanly")

    # a path that is there and no socket: the start fails and the file stays
    with open(default_sock, "w") as f:
        f.write("data\n")
    p = subprocess.run([kam, "-DD", "-E", "-f", default_cfg, "-L", moddir, "-Y", rundir, "-l",
                        "udp:127.0.0.1:%d" % free_port()], capture_output=True, text=True,
                       timeout=10)
    check(p.returncode != 0 and "is not a socket" in p.stderr
          and open(default_sock).read() == "data\n", "a file in the way: %r" % p.stderr[-200:])
finally:
    run.finish()
