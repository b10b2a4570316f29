#!/usr/bin/env python3
"""xhttp_prom end to end: a scrape of /metrics is read by a strict parser of the Prometheus
text format 0.0.4 (and by `promtool check metrics` when it is installed); the statistics of
sl, tm (tmx) and usrloc are there, sl's 200_replies and a user counter count exactly the
SIP requests sent, and a histogram filled over JSON-RPC has cumulative buckets.

Usage: test_xhttp_prom.py KAMAILIO MODDIR CFG [PROMTOOL]
"""
import http.client
import json
import math
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "xhttp"))
import httpd  # noqa: E402

kam, moddir, cfg = sys.argv[1:4]
promtool = sys.argv[4] if len(sys.argv) > 4 and os.path.exists(sys.argv[4]) else None
run = httpd.Run("xhttp-prom-")
check = run.check

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|NaN|[-+]?Inf"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
KIND = 'r"p\\c\n'  # a label value with what must be escaped


class BadExposition(Exception):
    pass


def parse_labels(text, lineno):
    """'a="x",b="y\\"z"' into a dict; the escapes the format allows, nothing else."""
    labels, i = {}, 0
    while i < len(text):
        m = re.compile(LABEL + '="').match(text, i)
        if not m:
            raise BadExposition("line %d: bad label at %r" % (lineno, text[i:]))
        name = text[i:m.end() - 2]
        i, val = m.end(), ""
        while True:
            if i >= len(text):
                raise BadExposition("line %d: unterminated label value" % lineno)
            c = text[i]
            if c == "\\":
                nxt = text[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise BadExposition("line %d: bad escape \\%s" % (lineno, nxt))
                val += {"n": "\n"}.get(nxt, nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise BadExposition("line %d: line end in a label value" % lineno)
            else:
                val += c
                i += 1
        if name in labels:
            raise BadExposition("line %d: label %s twice" % (lineno, name))
        labels[name] = val
        if i < len(text):
            if text[i] != ",":
                raise BadExposition("line %d: ',' expected between labels" % lineno)
            i += 1
    return labels


def family_of(sample, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample[:-len(suffix)]
        if sample.endswith(suffix) and types.get(base) == "histogram":
            return base
    return sample


def parse_exposition(text):
    """Samples {(name, labels): value}, families {name: type}; raises BadExposition."""
    if text and not text.endswith("\n"):
        raise BadExposition("the last line has no line end")
    types, helps, samples, done, current = {}, set(), {}, set(), None
    sample_re = re.compile(r"(%s)(?:\{(.*)\})? (%s)(?: (-?[0-9]+))?$" % (NAME, VALUE))
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not re.fullmatch(NAME, name):
                    raise BadExposition("line %d: bad metric name %r" % (lineno, name))
                if parts[1] == "HELP":
                    if name in helps:
                        raise BadExposition("line %d: second HELP for %s" % (lineno, name))
                    if re.search(r"\\[^\\n]", parts[3] if len(parts) > 3 else ""):
                        raise BadExposition("line %d: bad escape in HELP" % lineno)
                    helps.add(name)
                else:
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise BadExposition("line %d: bad TYPE line" % lineno)
                    if name in types or name in done or name == current:
                        raise BadExposition("line %d: TYPE after samples of %s" % (lineno, name))
                    types[name] = parts[3]
            continue
        m = sample_re.match(line)
        if not m:
            raise BadExposition("line %d: not a sample: %r" % (lineno, line))
        name, labels = m.group(1), parse_labels(m.group(2) or "", lineno)
        fam = family_of(name, types)
        if fam != current:
            if fam in done:
                raise BadExposition("line %d: samples of %s are not together" % (lineno, fam))
            if current:
                done.add(current)
            current = fam
        if types.get(fam) == "histogram":
            if name.endswith("_bucket") != ("le" in labels):
                raise BadExposition("line %d: le belongs on buckets only" % lineno)
        elif name != fam or "le" in labels and types.get(fam) == "histogram":
            raise BadExposition("line %d: %s in family %s" % (lineno, name, fam))
        key = (name, tuple(sorted(labels.items())))
        if key in samples:
            raise BadExposition("line %d: series %s twice" % (lineno, key))
        samples[key] = float(m.group(3).replace("Inf", "inf"))
    check_histograms(samples, types)
    return samples, types


def check_histograms(samples, types):
    for fam, t in types.items():
        if t != "histogram":
            continue
        series = {}
        for (name, labels), v in samples.items():
            if name == fam + "_bucket":
                rest = tuple(x for x in labels if x[0] != "le")
                le = float(dict(labels)["le"].replace("Inf", "inf"))
                series.setdefault(rest, []).append((le, v))
        for rest, buckets in series.items():
            buckets.sort()
            if buckets[-1][0] != math.inf:
                raise BadExposition("%s%s: no +Inf bucket" % (fam, rest))
            if any(b[1] > c[1] for b, c in zip(buckets, buckets[1:])):
                raise BadExposition("%s%s: buckets not cumulative" % (fam, rest))
            if samples.get((fam + "_count", rest)) != buckets[-1][1]:
                raise BadExposition("%s%s: _count differs from +Inf" % (fam, rest))


def parser_refuses(text):
    try:
        parse_exposition(text)
        return False
    except BadExposition:
        return True


def scrape(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/metrics")
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, r.getheader("Content-Type"), body


def rpc(port, method, *params):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", "/RPC", body=json.dumps({"jsonrpc": "2.0", "method": method,
                                               "params": list(params), "id": 1}))
    r = c.getresponse()
    res = json.loads(r.read().decode())
    c.close()
    return res


try:
    # the parser itself refuses what the format does not allow
    for bad in ['a{b="c} 1\n', 'a{b="\\x"} 1\n', "a 1 2 3\n", "a one\n", "1a 1\n", "a 1",
                "a 1\nb 1\na 2\n", "a 1\na 1\n", "# TYPE a counter\n# TYPE a gauge\na 1\n",
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
                "a{b=\"c\" d=\"e\"} 1\n", "# TYPE a countr\na 1\n"]:
        check(parser_refuses(bad), "the test's parser refuses %r" % bad)
    check(not parser_refuses('# HELP a x\\ny\n# TYPE a gauge\na{b="q\\"\\\\"} -1.5e3 17\n\n'),
          "the test's parser takes a valid document")

    port = run.start(kam, cfg, moddir)
    sent = 7
    answered = sum(1 for _ in range(sent) if (run.options() or "").startswith("SIP/2.0 200 OK"))
    check(answered == sent, "%d OPTIONS over UDP answered 200" % answered)
    for v in ("0.05", "0.5", "3"):
        res = rpc(port, "xhttp_prom.histogram_observe", "latency_seconds", v, KIND)
        check("error" not in res, "xhttp_prom.histogram_observe %s: %s" % (v, res))
    res = rpc(port, "xhttp_prom.counter_inc", "sip_requests_total", "-1", "OPTIONS")
    check(res.get("error", {}).get("code") == 500, "a negative increment is refused: %s" % res)
    res = rpc(port, "xhttp_prom.gauge_set", "no_such_metric", "1")
    check(res.get("error", {}).get("code") == 500, "an undeclared metric is refused: %s" % res)

    status, ctype, body = scrape(port)
    check(status == 200 and ctype == "text/plain; version=0.0.4",
          "/metrics: %d %s" % (status, ctype))
    try:
        samples, types = parse_exposition(body)
        check(True, "the scrape parses as text format 0.0.4 (%d samples)" % len(samples))
    except BadExposition as e:
        samples, types = {}, {}
        check(False, "the scrape parses: %s\n%s" % (e, body))

    def val(name, **labels):
        return samples.get((name, tuple(sorted(labels.items()))))

    for group in ("sl", "tmx", "usrloc"):
        check(any(n.startswith("kamailio_%s_" % group) for n, _ in samples),
              "statistics of %s are there" % group)
    check(val("kamailio_usrloc_registered_users") == 0, "usrloc registered_users is 0")
    check(val("kamailio_sl_200_replies") == sent,
          "sl 200_replies counts the %d requests: %s" % (sent, val("kamailio_sl_200_replies")))
    check(val("kamailio_tmx_UAS_transactions") == 0, "tmx UAS_transactions: no transaction")
    check(types.get("kamailio_sip_requests_total") == "counter" and
          val("kamailio_sip_requests_total", method="OPTIONS") == sent,
          "prom_counter_inc from the route: %s" % val("kamailio_sip_requests_total",
                                                      method="OPTIONS"))
    check(types.get("kamailio_last_size_bytes") == "gauge" and
          (val("kamailio_last_size_bytes") or 0) > 100, "prom_gauge_set with $ml")
    check(val("kamailio_scrapes_total") == 1, "the scrape counted itself once")
    h = {le: val("kamailio_latency_seconds_bucket", kind=KIND, le=le)
         for le in ("0.1", "1", "2.5", "+Inf")}
    check(types.get("kamailio_latency_seconds") == "histogram" and
          h == {"0.1": 1, "1": 2, "2.5": 2, "+Inf": 3} and
          val("kamailio_latency_seconds_count", kind=KIND) == 3 and
          abs(val("kamailio_latency_seconds_sum", kind=KIND) - 3.55) < 1e-9,
          "histogram from JSON-RPC: %s" % h)
    if promtool:
        p = subprocess.run([promtool, "check", "metrics"], input=body.encode(),
                           capture_output=True)
        check(p.returncode == 0, "promtool check metrics: rc %d %s" % (
            p.returncode, (p.stdout + p.stderr).decode()[:2000]))
    else:
        print("skip promtool check metrics: promtool is not installed")

    # a second scrape: the counters moved as they should; HTTP answers are not SIP replies
    status, ctype, body = scrape(port)
    samples, types = parse_exposition(body)
    check(val("kamailio_scrapes_total") == 2 and val("kamailio_sl_200_replies") == sent,
          "second scrape: scrapes_total 2, sl 200_replies still %d" % sent)
    run.stop()
except Exception as e:  # noqa: BLE001 -- an error is a failure, with its trace
    import traceback
    traceback.print_exc()
    check(False, "the test ran to its end: %r" % e)
finally:
    run.finish()
