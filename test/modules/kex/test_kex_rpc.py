#!/usr/bin/env python3
"""kex's statistics commands, counters' cnt.*, sl.stats and the core's RPC commands over
jsonrpcs (rpc.cfg), with upstream's names and shapes: after a known set of requests and
replies the core's, sl's and the script's statistics have known values; reset and clear;
core.info/ps/psx/shmmem/tcp_info/aliases_list/sockets_list/flags/modules, system.*, and
core.kill stopping the daemon.

Usage: test_kex_rpc.py KAMAILIO MODDIR CFG
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
run = Run("kex-rpc-")
check = run.check
work = run.work
rundir = os.path.join(work, "run")
os.mkdir(rundir)
client = Client(work, os.path.join(rundir, "kamailio_rpc.sock"), check)

ua = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ua.bind(("127.0.0.1", 0))
ua_port = ua.getsockname()[1]
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("127.0.0.1", 0))
probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # a free port for a TCP listener
probe.bind(("127.0.0.1", 0))
tcp_port = probe.getsockname()[1]
probe.close()
seq = [0]


rpc = client.call
result = client.result
error = client.error


def send(text, wait=1.0):
    ua.sendto(text.encode(), ("127.0.0.1", port))
    ua.settimeout(wait)
    try:
        return ua.recv(65536).decode().split("\r\n", 1)[0]
    except socket.timeout:
        return ""


def request(method, user="x", cseq_line=None, ruri=None):
    seq[0] += 1
    return send("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKkex%d\r\n"
                "From: <sip:a@example.com>;tag=f%d\r\nTo: <sip:%s@127.0.0.1>\r\n"
                "Call-ID: kex-%d\r\n%s\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                % (method, ruri or "sip:%s@127.0.0.1" % user, ua_port, seq[0], seq[0], user,
                   seq[0], cseq_line or "CSeq: 1 %s" % method))


def reply(code, cseq_method, top_via):
    seq[0] += 1
    return send("SIP/2.0 %d Whatever\r\nVia: %s\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKup%d\r\n"
                "From: <sip:a@example.com>;tag=f\r\nTo: <sip:b@example.com>;tag=t\r\n"
                "Call-ID: kex-r%d\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n"
                % (code, top_via, ua_port, seq[0], seq[0], cseq_method))


def stats(*sel):
    """stats.get_statistics as {"group:name": value}."""
    out = {}
    for line in result("stats.get_statistics", *sel) or []:
        k, v = line.split(" = ")
        out[k] = int(v)
    return out


try:
    port = run.start(kam, cfg, moddir,
                     ["-Y", rundir, "-l", "tcp:127.0.0.1:%d" % tcp_port,
                      "-A", "SINK_PORT=%d" % sink.getsockname()[1]],
                     lambda: os.path.exists(os.path.join(rundir, "kamailio_rpc.sock")))
    pid = run.proc.pid

    # ---- a known set of messages
    answers = [request("OPTIONS") for _ in range(3)] + [request("INVITE"), request("FOO")]
    check(all(a.startswith("SIP/2.0 200") for a in answers), "5 requests answered 200 by sl")
    request("OPTIONS", user="fwd")
    sink.settimeout(2)
    check(sink.recv(65536).startswith(b"OPTIONS "), "one request forwarded statelessly")
    check(request("OPTIONS", cseq_line="CSeq: x OPTIONS").startswith("SIP/2.0 400"),
          "a bad CSeq: 400")
    check(request("OPTIONS", ruri="sip:@@@").startswith("SIP/2.0 400"),
          "a bad Request-URI: 400")
    reply(486, "BYE", "SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKx" % port)  # dropped by reply_route
    relayed = reply(200, "INVITE", "SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKy" % port)
    check(relayed.startswith("SIP/2.0 200"), "a reply to our Via relayed to the next one")
    time.sleep(0.2)

    # ---- stats.get_statistics: "group:name = value", sorted
    everything = result("stats.get_statistics", "all")
    keys = [line.split(" = ")[0] for line in everything]
    check(keys == sorted(keys, key=lambda k: (k.split(":")[0], k.split(":")[1])) and len(keys) > 100,
          "stats.get_statistics all: every statistic, sorted by group and name")
    expect = {"core:rcv_requests": 6, "core:rcv_requests_options": 4,
              "core:rcv_requests_invite": 1, "core:unsupported_methods": 1,
              "core:err_requests": 2, "core:bad_msg_hdr": 1, "core:bad_URIs_rcvd": 1,
              "core:fwd_requests": 1, "core:rcv_replies": 2, "core:rcv_replies_4xx": 1,
              "core:rcv_replies_486": 1, "core:rcv_replies_4xx_bye": 1,
              "core:rcv_replies_2xx": 1, "core:rcv_replies_2xx_invite": 1,
              "core:drop_replies": 1, "core:fwd_replies": 1, "core:err_replies": 0,
              "sl:200_replies": 5, "sl:sent_replies": 5, "sl:404_replies": 0,
              "script:reqs": 6, "test:bar": 0}
    got = stats("all")
    for k, v in expect.items():
        check(got.get(k) == v, "%s = %s (got %s)" % (k, v, got.get(k)))
    core = stats("core:")
    check(core and all(k.startswith("core:") for k in core) and "core:rcv_requests" in core,
          "stats.get_statistics core: the group")
    check(result("stats.get_statistics", "rcv_requests") == ["core:rcv_requests = 6"],
          "stats.get_statistics by a name")
    two = stats("sl:", "rcv_requests_invite")
    check(len(two) == 25 and two.get("core:rcv_requests_invite") == 1,
          "several selections at once: %d" % len(two))
    check(result("stats.get_statistics", "sl:200_replies") == [] and
          result("stats.get_statistics", "nosuch") == [], "an unknown name: nothing")
    check(error("stats.get_statistics") == {"code": 400,
                                            "message": "Please provide which stats to retrieve"},
          "stats.get_statistics without a parameter: a fault")
    mem = stats("shmem:")
    # each is read when asked for (under ASan the heap's figures are 0: its own allocator)
    check(set(mem) == {"shmem:total_size", "shmem:used_size", "shmem:free_size",
                       "shmem:real_used_size", "shmem:max_used_size", "shmem:fragments"}
          and mem["shmem:real_used_size"] > 0 and mem["shmem:max_used_size"] > 0,
          "shmem: the memory figures: %s" % mem)
    fetched = result("stats.fetch", "core.rcv_requests", "sl:200_replies", "reqs")
    check(fetched == {"core.rcv_requests": "6", "sl.200_replies": "5", "script.reqs": "6"},
          "stats.fetch: strings by group.name: %s" % fetched)
    check(result("stats.fetchn", "test:") == {"test.bar": 0, "test.baz": 0}, "stats.fetchn")

    # ---- reset and clear
    result("stats.reset_statistics", "sl:")
    check(stats("sl:").get("sl:200_replies") == 0 and stats("rcv_requests") == {"core:rcv_requests": 6},
          "stats.reset_statistics sl: resets that group only")
    check(result("stats.clear_statistics", "rcv_requests", "fwd_requests") ==
          ["core:rcv_requests = 6", "core:fwd_requests = 1"], "stats.clear_statistics prints ...")
    check(stats("rcv_requests", "fwd_requests") == {"core:rcv_requests": 0, "core:fwd_requests": 0},
          "... and resets")
    check(error("stats.reset_statistics").get("code") == 400, "reset without a parameter")
    request("OPTIONS")
    check(stats("rcv_requests") == {"core:rcv_requests": 1} and stats("sl:")["sl:200_replies"] == 1,
          "counting goes on after a reset")
    result("stats.reset_statistics", "shmem:")
    check(stats("shmem:")["shmem:real_used_size"] > 0, "computed statistics are not reset")

    # ---- cnt.*
    check(result("cnt.get", "script", "reqs") == 7, "cnt.get script reqs")
    check(result("cnt.get_raw", "script", "reqs") == 7, "cnt.get_raw")
    check(result("cnt.get", "test") == {"bar": 0, "baz": 0}, "cnt.get of a group: its values")
    check(result("cnt.help", "test", "bar") == "the bar counter" and
          result("cnt.help", "test", "baz") == "custom script counter.", "cnt.help")
    groups = result("cnt.list_groups")
    check(groups == sorted(groups) and {"core", "script", "shmem", "sl", "test"} <= set(groups)
          and result("cnt.grps_list") == groups, "cnt.list_groups / cnt.grps_list: %s" % groups)
    check(result("cnt.list_vars", "test") == ["bar", "baz"] and
          result("cnt.var_list", "test") == ["bar", "baz"], "cnt.list_vars / cnt.var_list")
    check(result("cnt.var_list", "nosuch") == [], "cnt.var_list of an unknown group")
    sl_vars = result("cnt.get_vars", "sl")
    check(isinstance(sl_vars, dict) and sl_vars.get("200_replies") == 1 and len(sl_vars) == 24
          and result("cnt.grp_get_all", "sl") == sl_vars, "cnt.get_vars / cnt.grp_get_all sl")
    check(result("cnt.grp_get_all", "nosuch") == {}, "cnt.grp_get_all of an unknown group: {}")
    result("cnt.reset", "script", "reqs")
    check(result("cnt.get", "script", "reqs") == 0, "cnt.reset")
    for m in ("cnt.get", "cnt.reset", "cnt.help", "cnt.get_raw"):
        check(error(m, "nosuch", "x") == {"code": 400, "message": "non-existent counter nosuch.x"},
              "%s of an unknown counter" % m)
    check(error("cnt.get").get("code") == 400, "cnt.get without a group")

    # ---- sl.stats
    sls = result("sl.stats")
    check(isinstance(sls, dict) and list(sls) == ["200", "202", "2xx", "300", "301", "302", "3xx",
                                                  "400", "401", "403", "404", "407", "408", "483",
                                                  "4xx", "500", "5xx", "6xx", "xxx"]
          and sls["200"] == 1, "sl.stats: upstream's keys, sl's counters: %s" % sls)

    # ---- the core's commands
    info = result("core.info")
    check(isinstance(info, dict) and list(info) == ["version", "id", "compiler", "compiled", "flags"]
          and info["version"].startswith("kamailio ") and "USE_TCP" in info["flags"],
          "core.info: %s" % info)
    check(result("core.flags") == info["flags"], "core.flags: the same flags")
    ps = result("core.ps")
    psx = result("core.psx")
    tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % pid))
    check(isinstance(ps, list) and len(ps) % 2 == 0 and ps[0] == pid and
          ps[1] == "main process - attendant", "core.ps: the main thread first: %s" % ps[:2])
    check(sorted(ps[0::2]) == tids, "core.ps: every thread, by its id")
    descs = ps[1::2]
    check(sum(d.startswith("udp receiver") for d in descs) == 2 and
          sum(d.startswith("tcp receiver") for d in descs) == 2 and "timer" in descs,
          "core.ps: the workers and the timer say what they are: %s" % descs)
    check([p["IDX"] for p in psx] == list(range(len(psx))) and [p["PID"] for p in psx] == ps[0::2]
          and [p["DSC"] for p in psx] == descs, "core.psx: IDX, PID, DSC of the same threads")
    shm = result("core.shmmem")
    check(list(shm) == ["total", "free", "used", "real_used", "max_used", "fragments"] and
          shm["real_used"] > 0 and shm["max_used"] >= shm["real_used"] and
          shm["total"] == shm["used"] + shm["free"], "core.shmmem: %s" % shm)
    shm_m = result("core.shmmem", "m")
    check(shm_m["max_used"] <= shm["max_used"] // (1 << 20) + 1 and shm_m["max_used"] >= 0,
          "core.shmmem m: in megabytes")
    check(error("core.shmmem", "x") == {"code": 500, "message": "bad param, (use b|k|m|g)"},
          "core.shmmem with a bad unit")
    conn = socket.create_connection(("127.0.0.1", tcp_port))
    time.sleep(0.3)
    tcp = result("core.tcp_info")
    check(tcp == {"readers": 2, "max_connections": 2048, "max_tls_connections": 0,
                  "opened_connections": 1, "opened_tls_connections": 0, "write_queued_bytes": 0},
          "core.tcp_info with one connection: %s" % tcp)
    conn.close()
    aliases = result("core.aliases_list")
    check(aliases == {"myself_callbacks": "no", "aliases": [
        {"alias": {"proto": "*", "address": "other.net", "port": "*"}},
        {"alias": {"proto": "*", "address": "example.com", "port": 5060}}]},
        "core.aliases_list: %s" % aliases)
    socks = result("core.sockets_list")
    check(socks == [{"socket": {"proto": "udp", "address": "127.0.0.1", "port": str(port),
                                "mcast": "no", "mhomed": "no", "virtual": "no"}},
                    {"socket": {"proto": "tcp", "address": "127.0.0.1", "port": str(tcp_port),
                                "mcast": "no", "mhomed": "no", "virtual": "no"}}],
          "core.sockets_list: %s" % socks)
    mods = result("core.modules")
    check(mods == ["counters", "pv", "sl", "kex", "jsonrpcs"], "core.modules: %s" % mods)
    check("MOD_kex" in result("core.ppdefines"), "core.ppdefines")
    up = result("core.uptime")
    check(list(up) == ["now", "up_since", "uptime"] and up["uptime"] >= 0, "core.uptime")
    check(result("core.echo", "a", 2) == ["a", "2"], "core.echo")
    methods = result("system.listMethods")
    for m in ("core.info", "core.ps", "core.psx", "core.shmmem", "core.tcp_info", "core.kill",
              "core.flags", "core.aliases_list", "system.methodSignature", "stats.get_statistics",
              "cnt.get", "sl.stats"):
        check(m in methods, "system.listMethods has %s" % m)
    check(result("system.methodSignature", "core.echo") == "undef", "system.methodSignature")
    check(error("system.methodSignature", "no.such") == {"code": 400, "message": "command not found"}
          and error("system.methodHelp", "no.such") == {"code": 400, "message": "command not found"},
          "system.methodSignature/methodHelp of an unknown method")

    # ---- core.kill
    check(error("core.kill", "x").get("code") == 400 and error("core.kill", 0).get("code") == 400,
          "core.kill with a bad signal: a fault, the daemon runs on")
    check(run.proc.poll() is None, "still running")
    rpc("core.kill")
    try:
        code = run.proc.wait(timeout=10)
    except Exception:
        code = None
    check(code == 0, "core.kill: SIGTERM, the daemon stops cleanly (%s)" % code)
finally:
    run.finish()
