#!/usr/bin/python3
"""secondsight test helper: render a report page in headless Chromium at one width and
check, without screenshots, what a reader would trip over: an element whose content is
wider than its box (scrollWidth vs clientWidth, or a right edge past the viewport)
outside a box that scrolls on its own, a link to an anchor that is not on the page, a
duplicate id, a link to a file that does not exist relative to the page, and anything
the page loads. A copy of the page gets a measuring script appended; its result comes
back through --dump-dom.

usage: check-page.py CHROMIUM PAGE.html WIDTH
Prints one line per problem (FAIL: ...), exit 0 when none, 77 when Chromium did not
render the page."""
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

MEASURE = r"""
<script>
(function () {
  var res = {width: window.innerWidth, overflow: [], missing: [], dup: [], links: [],
             loads: [], elements: 0};
  function desc(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.className && typeof el.className === 'string') s += '.' + el.className;
    for (var p = el.parentElement; p; p = p.parentElement)
      if (p.id) { s += ' in #' + p.id; break; }
    return s;
  }
  function scrolls(el) {
    var ox = getComputedStyle(el).overflowX;
    return ox === 'auto' || ox === 'scroll';
  }
  function inScrollBox(el) {
    for (var p = el.parentElement; p; p = p.parentElement)
      if (scrolls(p)) return true;
    return false;
  }
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  var vw = document.documentElement.clientWidth;
  var all = document.body.querySelectorAll('*');
  res.elements = all.length;
  for (var i = 0; i < all.length; i++) {
    var el = all[i];
    if (el.tagName === 'SCRIPT' || inScrollBox(el)) continue;
    var r = el.getBoundingClientRect();
    if (r.right > vw + 1)
      res.overflow.push(desc(el) + ': right edge ' + Math.round(r.right) + ' past the viewport ' + vw);
    if (!(el instanceof SVGElement) && !scrolls(el) && el.clientWidth > 0 &&
        el.scrollWidth > el.clientWidth + 1)
      res.overflow.push(desc(el) + ': scrollWidth ' + el.scrollWidth + ' > clientWidth ' + el.clientWidth);
  }
  if (document.documentElement.scrollWidth > vw)
    res.overflow.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
  var seen = {};
  document.querySelectorAll('[id]').forEach(function (el) {
    if (seen[el.id]) res.dup.push(el.id);
    seen[el.id] = 1;
  });
  document.querySelectorAll('a').forEach(function (a) {
    var href = a.getAttribute('href');
    if (href === null) return;
    if (href.charAt(0) === '#') {
      if (!document.getElementById(decodeURIComponent(href.slice(1)))) res.missing.push(href);
    } else {
      res.links.push(new URL(href, document.baseURI).href);
    }
  });
  performance.getEntriesByType('resource').forEach(function (e) { res.loads.push(e.name); });
  var pre = document.createElement('pre');
  pre.id = 'ss-measure';
  pre.textContent = JSON.stringify(res);
  document.body.appendChild(pre);
})();
</script>
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'"


def main():
    browser, page, width = sys.argv[1], sys.argv[2], int(sys.argv[3])
    raw = open(page, encoding="utf-8").read()
    problems = []
    if CSP not in raw:
        problems.append("the page lacks its Content-Security-Policy (%s)" % CSP)
    for pat in (r"<script", r"<link", r"<img", r"<iframe", r"<object", r"<embed", r"@import",
                r"url\(", r"\s(src|href)=\"(https?:|//|data:|javascript:)"):
        if re.search(pat, raw, re.I):
            problems.append("the page references an outside resource (%s)" % pat)
    # The measuring copy sits beside the page, so relative links resolve the same way;
    # only it may run a script.
    probe = os.path.join(os.path.dirname(os.path.abspath(page)),
                         ".measure-%d-%s" % (width, os.path.basename(page)))
    with open(probe, "w", encoding="utf-8") as f:
        f.write(raw.replace(CSP, CSP + "; script-src 'unsafe-inline'")
                   .replace("</body>", MEASURE + "</body>"))
    with tempfile.TemporaryDirectory() as profile:
        try:
            dom = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                 "--user-data-dir=" + profile, "--window-size=%d,1000" % width,
                 "--virtual-time-budget=5000", "--dump-dom", "file://" + probe],
                capture_output=True, text=True, timeout=180).stdout
        except subprocess.TimeoutExpired:
            dom = ""
    os.unlink(probe)
    m = re.search(r'<pre id="ss-measure">(.*?)</pre>', dom, re.S)
    if not m:
        print("skipped: chromium did not render %s" % page)
        sys.exit(77)
    res = json.loads(html.unescape(m.group(1)))
    if res["width"] != width:
        problems.append("rendered %d px wide, not %d" % (res["width"], width))
    for o in res["overflow"][:20]:
        problems.append("at %d px: %s" % (width, o))
    for h in res["missing"][:20]:
        problems.append("link %s: no such anchor on the page" % h)
    for i in res["dup"][:20]:
        problems.append("id %s used twice" % i)
    for url in res["links"]:
        u = urllib.parse.urlparse(url)
        if u.scheme != "file":
            problems.append("link %s leaves the machine" % url)
        elif not os.path.exists(urllib.parse.unquote(u.path)):
            problems.append("link %s: no such file relative to the page" % url)
    for url in res["loads"]:
        problems.append("the page loaded %s" % url)
    for p in problems:
        print("FAIL: %s: %s" % (os.path.basename(page), p))
    print("%s at %d px: %d elements, %d links, %d problems" %
          (page, width, res["elements"], len(res["links"]), len(problems)))
    sys.exit(1 if problems else 0)


main()
