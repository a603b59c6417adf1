"""Screenshots of MLflow's UI for docs/mlflow.md, driven through Chromium's DevTools protocol.

Called by scripts/mlflow-screenshots (which starts the server and runs the sweep); not meant to be run alone.
Uses only what the pinned MLflow venv already holds (mlflow's client, aiohttp for the DevTools websocket).

  python mlflow-screenshots.py TRACKING_URI EXPERIMENT OUT_DIR CHROMIUM
"""
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import aiohttp
from mlflow.tracking import MlflowClient

ML = "workflowType=machine_learning"
MAX_BYTES = 300_000


class Page:
    """One browser tab: navigate, run JavaScript, wait for text, take a PNG."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send_json({"id": my_id, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json(timeout=60)
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    async def js(self, expression):
        r = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    async def goto(self, url, wait_for, timeout=90):
        await self.call("Page.navigate", url=url)
        await self.wait_for(wait_for, timeout)

    async def wait_for(self, text, timeout=90):
        """Waits until the page's visible text contains `text` and no spinner is left (the UI is a SPA)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if await self.js(f"(document.body ? document.body.innerText : '').includes({json.dumps(text)})"):
                # Charts and lazy panels load after the text; give spinners a while to go, then shoot anyway.
                for _ in range(20):
                    if not await self.js("!!document.querySelector('.du-bois-light-spin, [data-testid=spinner]')"):
                        break
                    await asyncio.sleep(1)
                await asyncio.sleep(3)
                return
            await asyncio.sleep(1)
        body = await self.js("document.body ? document.body.innerText.slice(0, 600) : ''")
        raise RuntimeError(f"'{text}' did not appear on {await self.js('location.href')}; page text: {body!r}")

    async def click(self, selector, text=None, prefix=False):
        """Clicks, as a mouse would (the UI's menus open on pointer events), the last visible element matching
        `selector` (and, if given, whose text is exactly `text`, or starts with it if `prefix`)."""
        test = "startsWith" if prefix else "localeCompare"
        match = f"(e.innerText || '').trim().{test}({json.dumps(text)})" + ("" if prefix else " === 0")
        rect = await self.js(
            f"(() => {{ const els = [...document.querySelectorAll({json.dumps(selector)})]"
            f".filter(e => {json.dumps(text)} === null || {match})"
            ".filter(e => e.getBoundingClientRect().width > 0);"
            " const el = els[els.length - 1]; if (!el) return null; el.scrollIntoView({block: 'nearest'});"
            " const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        if rect is None:
            raise RuntimeError(f"nothing to click: {selector} {text or ''}")
        await self.click_at(rect[0], rect[1])
        await asyncio.sleep(1.5)

    async def click_at(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                            clickCount=0 if kind == "mouseMoved" else 1)

    async def shot(self, path, width, height):
        await self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                        mobile=False)
        await asyncio.sleep(2)
        png = base64.b64decode((await self.call("Page.captureScreenshot", format="png"))["data"])
        with open(path, "wb") as f:
            f.write(png)
        if len(png) > MAX_BYTES:
            raise RuntimeError(f"{path} is {len(png)} bytes, more than {MAX_BYTES}: take a smaller window")
        print(f"mlflow-screenshots: {path} ({len(png) // 1024} KB)", file=sys.stderr)


async def shoot(uri, experiment, out, chromium):
    client = MlflowClient(uri)
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        raise RuntimeError(f"no experiment '{experiment}' on {uri}")
    runs = client.search_runs([exp.experiment_id], max_results=500)
    sweep = next(r for r in runs if "mlflow.parentRunId" not in r.data.tags)
    trial = next(r for r in runs if r.data.tags.get("mlflow.runName", "").startswith("diffusion seed=0")
                 and "genlab.variant" not in r.data.tags)
    base = f"{uri}/#/experiments/{exp.experiment_id}"

    profile = tempfile.mkdtemp(prefix="genlab-chromium-")
    browser = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1440,900",
                                "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.2)
        port = open(port_file).read().split()[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as r:
                target = next(t for t in await r.json() if t["type"] == "page")
            async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                page = Page(ws)
                await page.call("Page.enable")
                await page.call("Emulation.setDeviceMetricsOverride", width=1440, height=900, deviceScaleFactor=1,
                                mobile=False)

                # 1. The runs table: the sweep run with its 21 trial runs nested under it.
                await page.goto(f"{base}/runs?{ML}", f"{experiment} sweep")
                await close_assistant(page)
                await page.js("document.querySelector('button[data-component-id*=runnamecellrenderer]').click()")
                await page.wait_for("diffusion seed=0")
                await page.shot(os.path.join(out, "mlflow-runs.png"), 1440, 900)

                # 2. A trial's sample grids as MLflow images: one per evaluation, with a step slider.
                await page.call("Emulation.setDeviceMetricsOverride", width=1440, height=1100, deviceScaleFactor=1,
                                mobile=False)
                await page.goto(f"{base}/runs/{trial.info.run_id}/model-metrics?{ML}", "Model metrics")
                await close_assistant(page)
                await search_charts(page, "^samples$")
                await asyncio.sleep(4)
                await show_last_image(page, "samples")
                await page.shot(os.path.join(out, "mlflow-image-grid.png"), 1440, 1100)
                await page.call("Emulation.setDeviceMetricsOverride", width=1440, height=900, deviceScaleFactor=1,
                                mobile=False)

                # 3. Charts grouped by paradigm: one line per paradigm, the mean over its seeds.
                await page.goto(f"{base}/runs?{ML}&compareRunsMode=CHART", f"{experiment} sweep")
                await group_by_paradigm(page)
                await page.wait_for("diffusion")
                # Only the precision and recall charts (eval metrics are many; the search box takes a regex).
                await search_charts(page, "precision|recall")
                await asyncio.sleep(4)
                await page.shot(os.path.join(out, "mlflow-charts-grouped.png"), 1440, 1000)

                # 4. The sweep report inside MLflow: the sweep run's artifacts, report/report.html.
                await page.goto(f"{base}/runs/{sweep.info.run_id}/artifacts/report/report.html?{ML}",
                                "report.html")
                await asyncio.sleep(5)  # the artifact viewer loads the page into an iframe
                await page.shot(os.path.join(out, "mlflow-report-artifact.png"), 1440, 1000)

                # 5. One trial's run page: its params, metrics, tags and the datasets it used.
                await page.goto(f"{base}/runs/{trial.info.run_id}?{ML}", "Parameters")
                await page.shot(os.path.join(out, "mlflow-run-page.png"), 1440, 1100)
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


async def drag(page, x, y, x2):
    """Presses the mouse at (x, y), moves it to (x2, y) in steps, as a hand would, and releases it."""
    await page.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
    await page.call("Input.dispatchMouseEvent", type="mousePressed", x=x, y=y, button="left", clickCount=1)
    for i in range(1, 11):
        await page.call("Input.dispatchMouseEvent", type="mouseMoved", x=x + (x2 - x) * i / 10, y=y, button="left",
                        buttons=1)
        await asyncio.sleep(0.1)
    await page.call("Input.dispatchMouseEvent", type="mouseReleased", x=x2, y=y, button="left", clickCount=1)


async def show_last_image(page, key):
    """Opens the image chart `key` full size and moves its step slider to the last evaluation. MLflow 3.17
    starts the slider at step 0, before genlab's first evaluation, where it shows "No image logged"."""
    expand = await page.js(
        f"(() => {{ const t = [...document.querySelectorAll('*')].find(e => e.childElementCount === 0"
        f" && (e.innerText || '').trim() === {json.dumps(key)}); if (!t) return null; let c = t;"
        " while (c && c.querySelectorAll('button').length === 0) c = c.parentElement;"
        " const r = c.querySelector('button').getBoundingClientRect();"  # the first button of the card: expand
        " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    if expand is None:
        raise RuntimeError(f"no image chart '{key}'")
    await page.click_at(expand[0], expand[1])
    await asyncio.sleep(3)
    handle = await page.js(
        "(() => { const s = [...document.querySelectorAll('[role=slider]')].pop(); if (!s) return null;"
        " const r = s.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2, window.innerWidth * 0.895]; })()")  # the track's end
    if handle is None:
        raise RuntimeError(f"image chart '{key}' has no step slider")
    await drag(page, handle[0], handle[1], handle[2])
    await asyncio.sleep(5)  # the full-size image loads


async def search_charts(page, regex):
    """Replaces the chart search box's text (it takes a regex over metric and image keys)."""
    box = "input[placeholder='Search metric charts']"
    await page.click(box)
    await page.js(f"document.querySelector({json.dumps(box)}).select()")
    await page.call("Input.insertText", text=regex)


async def close_assistant(page):
    """Closes MLflow 3's assistant side panel (open by default), which would cover a third of each shot."""
    await page.js("[...document.querySelectorAll('button[aria-label=Close]')].forEach(b => b.click())")
    await asyncio.sleep(1)


async def group_by_paradigm(page):
    """Groups the runs by the `genlab.paradigm` tag (the spec's name: `gan` and `wgan_gp` apart, where the
    `paradigm` param is the plugin of both) and, when there are evaluation variants, by the `variant` param
    too, so a variant's runs are a line of their own instead of mixed into their paradigm's mean."""
    items = "[...document.querySelectorAll('[role=menuitemcheckbox]')]"
    for key in ("genlab.paradigm", "variant"):
        await page.click("button", "Group by", prefix=True)
        await asyncio.sleep(1)
        if await page.js(f"{items}.some(e => e.innerText.trim() === {json.dumps(key)})"):
            await page.click("[role=menuitemcheckbox]", key)
        await page.call("Input.dispatchKeyEvent", type="keyDown", key="Escape", code="Escape",
                        windowsVirtualKeyCode=27)
        await asyncio.sleep(2)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    asyncio.run(shoot(*sys.argv[1:]))
