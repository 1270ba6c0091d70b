#!/usr/bin/env python3
"""`ccsec report` in headless Chromium (#15.2), with the network disabled.

Two stored check runs give the trend; the report for examples/reference.yaml is loaded from a
file URL in a fresh network namespace (no interface but a down loopback) when root, else with a
proxy that does not exist and a resolver that maps every name to nothing. The screenshot is kept
in ARTIFACTS. Through --dump-dom: every finding of `check --format json` is an <article>, every
inventory host is in the hosts table and in the topology SVG, the call-leg matrix has its rows,
and the URL fragment #severity=high hides exactly the findings below high; #q= searches. An
inventory with a host named `evil<script>…` neither runs the script nor shows raw markup.

Usage: report_chromium.py CCSEC SOURCE_DIR ARTIFACTS     exit 77: skipped (no chromium/dot)
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile

CCSEC, SRC, ARTIFACTS = sys.argv[1], sys.argv[2], sys.argv[3]
ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def chromium():
    for name in ("chromium", "chromium-browser"):
        if shutil.which(name):
            return shutil.which(name)
    return None


BROWSER = chromium()
if BROWSER is None or shutil.which("dot") is None:
    print("SKIP: chromium or graphviz dot not installed (scripts/setup installs both)")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run(args, cwd=SRC, env=e, capture_output=True, text=True, timeout=120, **kw)


def browse(url, *extra):
    """Runs headless Chromium on `url` with the network off; returns stdout."""
    profile = tempfile.mkdtemp(prefix="ccsec-chromium-")
    args = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--disable-sync",
            "--proxy-server=http://127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--user-data-dir=" + profile, "--virtual-time-budget=3000", *extra, url]
    if os.geteuid() == 0 and shutil.which("unshare"):
        args = ["unshare", "--net", "--"] + args  # no network at all
    try:
        r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if r.returncode != 0:
        print(r.stderr[-2000:])
    check(r.returncode == 0, "chromium exited %d on %s" % (r.returncode, url))
    return r.stdout


class Dom(html.parser.HTMLParser):
    """Collects findings, host rows, matrix rows, SVG titles and script elements of a DOM dump."""

    def __init__(self):
        super().__init__()
        self.findings = []  # (rule, target, severity, hidden)
        self.hosts = set()
        self.legs = 0
        self.svg_titles = set()
        self.scripts = 0
        self.title = ""
        self._in_svg = 0
        self._grab = None
        self._buf = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "finding" in a.get("class", ""):
            self.findings.append((a.get("data-rule"), a.get("data-target"),
                                  a.get("data-severity"), "hidden" in a))
        elif tag == "tr" and "data-host" in a:
            self.hosts.add(a["data-host"])
        elif tag == "tr" and a.get("class") == "leg":
            self.legs += 1
        elif tag == "svg":
            self._in_svg += 1
        elif tag == "script":
            self.scripts += 1
        if tag == "title":
            self._grab, self._buf = ("svg" if self._in_svg else "page"), ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg -= 1
        if tag == "title" and self._grab:
            if self._grab == "svg":
                self.svg_titles.add(self._buf)
            else:
                self.title = self._buf
            self._grab = None

    def handle_data(self, data):
        if self._grab:
            self._buf += data


def parse(dump):
    d = Dom()
    d.feed(dump)
    return d


def inventory_hosts(path):
    import yaml  # python3-yaml (scripts/setup)
    with open(os.path.join(SRC, path)) as f:
        return [h["name"] for h in yaml.safe_load(f)["hosts"]]


work = tempfile.mkdtemp(prefix="ccsec-report-")
try:
    os.makedirs(ARTIFACTS, exist_ok=True)
    store = "sqlite:" + os.path.join(work, "findings.db")
    inv = "examples/reference.yaml"
    env = {"XDG_STATE_HOME": os.path.join(work, "state"), "SOURCE_DATE_EPOCH": "1764633600"}
    for _ in range(2):
        r = run([CCSEC, "check", inv, "--as-of", "2026-11-28", "--store", store], env)
        check(r.returncode == 1, "check exit %d: %s" % (r.returncode, r.stderr))
    expected = json.loads(run([CCSEC, "check", inv, "--as-of", "2026-11-28", "--format", "json",
                               "--no-store"]).stdout)["findings"]
    out = os.path.join(work, "report.html")
    r = run([CCSEC, "report", inv, "--as-of", "2026-11-28", "--store", store, "--out", out], env)
    check(r.returncode == 0, "report exit %d: %s" % (r.returncode, r.stderr))
    page = open(out, encoding="utf-8").read()
    shutil.copy(out, os.path.join(ARTIFACTS, "report-reference.html"))
    check("generated <span id=\"generated\">2025-12-02T00:00:00Z</span>" in page,
          "SOURCE_DATE_EPOCH fixes the generation time")
    # Self-contained: no URL that would be fetched.
    for bad in ('src="http', "src='http", 'href="http', "url(http", "@import", "<link"):
        check(bad not in page, "the page references %s" % bad)

    url = "file://" + out
    shot = os.path.join(ARTIFACTS, "report-reference.png")
    if os.path.exists(shot):
        os.remove(shot)
    browse(url, "--screenshot=" + shot, "--window-size=1400,3000", "--hide-scrollbars")
    check(os.path.exists(shot) and os.path.getsize(shot) > 50_000, "screenshot written")
    if os.path.exists(shot):
        with open(shot, "rb") as f:
            head = f.read(24)
        check(head[:8] == b"\x89PNG\r\n\x1a\n", "screenshot is a PNG")
        w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        check((w, h) == (1400, 3000), "screenshot size %dx%d" % (w, h))

    dom = parse(browse(url, "--dump-dom"))
    got = sorted((f[0], f[1]) for f in dom.findings)
    want = sorted((f["rule"], f["target"]) for f in expected)
    check(got == want, "findings in the DOM equal check's: %d vs %d" % (len(got), len(want)))
    check(not any(f[3] for f in dom.findings), "no finding hidden without a filter")
    hosts = inventory_hosts(inv)
    check(len(hosts) > 20, "reference inventory hosts read")
    check(set(hosts) == dom.hosts, "hosts table: missing %s" % sorted(set(hosts) - dom.hosts))
    missing_svg = [h for h in hosts if h not in dom.svg_titles]
    check(not missing_svg, "topology SVG has every host: missing %s" % missing_svg)
    check(dom.legs >= 3 + 4, "call-leg matrix rows: %d" % dom.legs)  # 3 fixed + 4 endpoint groups
    check('id="call-leg-matrix"' in page and 'data-media="' in page, "matrix table present")
    check('<svg id="trend"' in page and page.count("<title>run ") >= 2, "trend has the two runs")

    high = parse(browse(url + "#severity=high", "--dump-dom"))
    check(len(high.findings) == len(dom.findings), "filtered DOM keeps every finding element")
    for rule, target, sev, hidden in high.findings:
        check(hidden == (ORDER[sev] < ORDER["high"]),
              "#severity=high: %s %s (%s) hidden=%s" % (rule, target, sev, hidden))
    check(any(f[3] for f in high.findings) and not all(f[3] for f in high.findings),
          "#severity=high hides some and shows some")
    search = parse(browse(url + "#q=cuic-east", "--dump-dom"))
    shown = [f for f in search.findings if not f[3]]
    check(shown and all("cuic-east" in (f[1] or "") for f in shown),
          "#q=cuic-east shows only cuic-east findings: %s" % [f[1] for f in shown])
    check(len(shown) < len(search.findings), "search hides the others")

    # Markup in inventory texts stays text.
    with open(os.path.join(SRC, "examples/lab.yaml")) as f:
        lab = f.read()
    evil = "evil<script>document.title='pwned'</script>"
    lab = lab.replace("hosts:\n", "hosts:\n  - name: \"%s\"\n    site: lab\n    zone: lab-dc\n"
                      "    address: 10.1.1.99\n    os: linux\n    roles: [admin-client]\n" % evil, 1)
    os.symlink(os.path.join(SRC, "examples", "certs"), os.path.join(work, "certs"))
    xinv = os.path.join(work, "xss.yaml")  # next to certs/, as lab.yaml's paths expect
    with open(xinv, "w") as f:
        f.write(lab)
    xout = os.path.join(work, "xss.html")
    r = run([CCSEC, "report", xinv, "--no-store", "--out", xout])
    check(r.returncode == 0, "xss report exit %d: %s" % (r.returncode, r.stderr))
    xpage = open(xout, encoding="utf-8").read()
    check("<script>document" not in xpage, "raw <script> from the inventory in the page")
    check(xpage.count("<script") == 1, "only the page's own script element")
    xdom = parse(browse("file://" + xout, "--dump-dom"))
    check(xdom.title != "pwned" and xdom.title.startswith("ccsec report"), "title: " + xdom.title)
    check(evil in xdom.hosts, "the evil host name shows as text")
    check(evil in xdom.svg_titles, "the evil host name is a text node in the SVG")
    check(xdom.scripts == 1, "one script element in the live DOM, found %d" % xdom.scripts)
finally:
    shutil.rmtree(work, ignore_errors=True)

print("%d failures; screenshot %s" % (len(failures), os.path.join(ARTIFACTS, "report-reference.png")))
sys.exit(1 if failures else 0)
