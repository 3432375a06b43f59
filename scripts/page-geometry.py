#!/usr/bin/env python3
"""Renders a fleetsim report page in headless Chromium and measures where its text landed.

Why the DevTools protocol over a pipe: the page has (and must keep) no scripts, and `--dump-dom`
only returns markup, not layout. `--remote-debugging-pipe` lets this script drive Chromium over
two file descriptors (3: commands in, 4: replies out, NUL-separated JSON) with the standard
library alone — no websocket, no port, no extra package — and run the measuring JavaScript
through `Runtime.evaluate`, from outside the page.

For each width (and light/dark) it saves a full-page PNG and reports, as JSON on stdout:
  texts     the SVG text elements measured
  problems  every text box outside its SVG's viewBox or the viewport, every label rendered under
            9 px, every two labels of one chart that overlap, every panel or card whose content
            is wider than it (cut off), and a page wider than the viewport.
Exit 0 when it measured (problems or not), 2 when Chromium could not be driven.

usage: page-geometry.py --chromium PATH --page PAGE.html --out DIR [--widths 1280,390]
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

MEASURE = r"""
(() => {
  const problems = [];
  let texts = 0;
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw + 1)
    problems.push({kind: 'page-wider-than-viewport', width: document.documentElement.scrollWidth, viewport: vw});
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.getClientRects().length === 0) continue;          // the other rendering, hidden by CSS
    const vb = svg.viewBox.baseVal;
    const scale = svg.getBoundingClientRect().width / vb.width;
    const seen = [];
    for (const t of svg.querySelectorAll('text')) {
      texts++;
      const b = t.getBBox();
      const label = svg.getAttribute('aria-label') + ': ' + t.textContent;
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 ||
          b.y + b.height > vb.y + vb.height + 0.5)
        problems.push({kind: 'outside-viewbox', label, box: [b.x, b.y, b.width, b.height]});
      const r = t.getBoundingClientRect();
      if (r.left < -0.5 || r.right > vw + 0.5) problems.push({kind: 'outside-viewport', label});
      const px = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (px < 9) problems.push({kind: 'too-small', label, px});
      for (const o of seen)
        if (b.x < o.b.x + o.b.width && o.b.x < b.x + b.width && b.y < o.b.y + o.b.height && o.b.y < b.y + b.height)
          problems.push({kind: 'overlap', label, other: o.label});
      seen.push({b, label});
    }
  }
  for (const el of document.querySelectorAll('.panel, .card'))
    if (el.scrollWidth > el.clientWidth + 1) {
      const section = el.closest('section');
      const title = section && section.querySelector('h2') ? section.querySelector('h2').textContent : el.className;
      problems.push({kind: 'cut-off', label: title, width: el.scrollWidth, room: el.clientWidth});
    }
  return {texts, problems, height: document.documentElement.scrollHeight};
})()
"""


class Browser:
    def __init__(self, chromium):
        self.profile = tempfile.TemporaryDirectory(prefix="fleetsim-chromium-")
        to_child, self.commands = os.pipe()
        self.replies, from_child = os.pipe()

        def descriptors():
            # Through fresh descriptors: a pipe end that already is 3 or 4 would keep its
            # close-on-exec flag under dup2 onto itself.
            inbound, outbound = os.dup(to_child), os.dup(from_child)
            os.dup2(inbound, 3)
            os.dup2(outbound, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-pipe", "--no-first-run", "--user-data-dir=" + self.profile.name, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=descriptors, close_fds=False)
        os.close(to_child)
        os.close(from_child)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.replies, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method):
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.append(self.read())

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.profile.cleanup()


def render(browser, page_url, width, dark, out_dir, name):
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    browser.call("Page.enable", session=session)
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}, session=session)
    browser.call("Emulation.setEmulatedMedia",
                 {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]},
                 session=session)
    browser.call("Page.navigate", {"url": page_url}, session=session)
    browser.wait_event("Page.loadEventFired")
    measured = browser.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
                            session=session)["result"]["value"]
    height = max(900, int(measured["height"]))
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}, session=session)
    shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
    path = os.path.join(out_dir, name + ".png")
    with open(path, "wb") as file:
        file.write(base64.b64decode(shot))
    browser.call("Target.closeTarget", {"targetId": target})
    measured["screenshot"] = path
    return measured


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--page", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--widths", default="1280,390")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.page))[0]
    url = "file://" + os.path.abspath(args.page)
    try:
        browser = Browser(args.chromium)
    except OSError as error:
        print(f"page-geometry: cannot start {args.chromium}: {error}", file=sys.stderr)
        return 2
    results = {}
    try:
        for width in [int(w) for w in args.widths.split(",")]:
            for dark in (False, True):
                name = f"{stem}-{width}-{'dark' if dark else 'light'}"
                results[name] = render(browser, url, width, dark, args.out, name)
    except (RuntimeError, OSError, KeyError) as error:
        print(f"page-geometry: {error}", file=sys.stderr)
        return 2
    finally:
        browser.close()
    json.dump(results, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
