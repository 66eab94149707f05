"""The browser suite: JupyterLab on loopback, driven through Debian's Chromium by Playwright.

One JupyterLab server and one browser serve the whole session (starting them costs
seconds, the suite must stay quick on two cores). The server runs on a free port of
127.0.0.1 without a token, on a temporary COPY of ``notebooks/`` (so the repository's
notebooks never gain outputs or checkpoints), with its own ``PEERKIT_HOME`` and
Jupyter configuration folders. Its notebook windowing mode is ``none`` so that every
cell is in the page, whether or not it is scrolled into view.

Each test gets a fresh browser page (``lab``), a :class:`Lab` driver that does what a
learner does: open a notebook, run all cells, restart. When the test ends, every
kernel is shut down so that the next test starts from a clean kernel. ``chapter_run``
runs each chapter once for all the tests that only look at it (chapters, accessibility).

Where Chromium or axe-core is missing, the suite skips with the reason on a learner's
machine, and fails in CI (``CI`` set), where ``.ci/run`` must install them.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.browser import Server, axe_violations, serve_pages
from tests.support.client import wait_for

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path(os.environ.get("PEERKIT_CHROMIUM", "/usr/bin/chromium"))
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",  # the CI container runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: The root element of every peerkit widget view. Any element whose class starts with
#: "peerkit-" in a cell's output counts as a drawn peerkit widget (see Lab.widget_failures).
PEERKIT_ROOTS = ".peerkit-matrix, .peerkit-widget, .peerkit-comparison, [class^='peerkit-'], [class*=' peerkit-']"
#: A code cell whose source calls one of these must show a peerkit widget.
WIDGET_CALL = re.compile(r"\bpk\.(exercise|compare|progress|portfolio|join_cohort|live_session)\s*\(")
#: ipywidgets draws each widget view into an output that is a Lumino Panel.
WIDGET_OUTPUT = ".jp-OutputArea-output.lm-Panel"
#: Where peerkit's widgets are, for axe-core: ipywidgets outputs (anywidget included) and the widget roots.
WIDGET_SCOPES = [".jp-OutputArea-output.lm-Panel", ".jupyter-widgets", ".peerkit-matrix", ".peerkit-widget",
                 ".peerkit-comparison", ".peerkit-progress", ".peerkit-portfolio", ".peerkit-dashboard",
                 ".peerkit-cohort-join", ".peerkit-figure"]

#: Console messages that are not the course's fault, each with the reason it is harmless.
HARMLESS_CONSOLE = [
    # The browser asks for /favicon.ico on its own; JupyterLab serves its icon elsewhere.
    (re.compile(r"favicon\.ico"), "browser's automatic favicon request"),
]


# --------------------------------------------------------------------------- prerequisites
def _missing(what: str, fix: str) -> None:
    message = f"{what} is missing: {fix}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}. In CI the browser suite must never skip: .ci/run must install it.", pytrace=False)
    pytest.skip(f"{message} (browser tests skipped on this machine)")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        _missing(f"Chromium ({CHROMIUM})", "install it with `sudo apt-get install -y chromium`")
    if importlib.util.find_spec("playwright") is None:
        _missing("The playwright Python package", "run `make setup` (pip install -e '.[test]')")
    return CHROMIUM


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        _missing(f"axe-core ({AXE.relative_to(REPO)})", "run `npm ci` in the repository (make setup does)")
    return AXE.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


@dataclass
class LabServer:
    url: str
    root: Path
    peerkit_home: Path
    process: subprocess.Popen
    log: Path

    @property
    def store_path(self) -> Path:
        """The learner's answer store that the server's kernels write."""
        return self.peerkit_home / "answers.sqlite"

    def store(self) -> Any:
        """That store, read straight from its SQLite file (a ``LocalStore``)."""
        from peerkit.store import LocalStore

        return LocalStore(self.store_path)

    _xsrf: str = ""

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API (changes carry the XSRF cookie and header, as the page's do)."""
        headers = {}
        if method != "GET":
            if not self._xsrf:
                with urllib.request.urlopen(self.url + "/lab", timeout=10) as response:
                    cookies = response.headers.get_all("Set-Cookie") or []
                found = [c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("_xsrf=")]
                self._xsrf = found[0] if found else ""
            headers = {"X-XSRFToken": self._xsrf, "Cookie": f"_xsrf={self._xsrf}"}
        request = urllib.request.Request(self.url + path, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def session_ids(self) -> set[str]:
        return {session["id"] for session in self.api("GET", "/api/sessions")}

    def shutdown_kernels(self, keep: set[str] = frozenset()) -> None:
        """Shut down every session's kernel but ``keep``'s, so the next test starts a fresh one."""
        for session in self.api("GET", "/api/sessions"):
            if session["id"] in keep:
                continue
            try:
                self.api("DELETE", f"/api/sessions/{session['id']}")
            except urllib.error.HTTPError as error:
                if error.code != 404:  # 404: already gone
                    raise

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[LabServer]:
    for stale in SCREENSHOTS.glob("FAILED-*.png"):
        stale.unlink()  # from an earlier run: only this run's failures are shown
    with _running_lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def start_lab_server(tmp_path_factory: pytest.TempPathFactory,
                     chromium_path: Path) -> Iterator[Callable[..., LabServer]]:
    """``start_lab_server(*options)``: a server of one module's own, set up as ``lab_server`` is, with ``options``
    (``--Class.trait=value``) added to its command line, where they win over the repository's configuration file.
    Every server started is stopped when the module's tests are done."""
    with ExitStack() as stack:
        yield lambda *options: stack.enter_context(_running_lab_server(tmp_path_factory.mktemp("lab"), options))


@contextmanager
def _running_lab_server(base: Path, options: tuple[str, ...] = ()) -> Iterator[LabServer]:
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    home = base / "peerkit-home"
    home.mkdir()
    config, settings, workspaces, runtime = (base / name for name in ("config", "settings", "workspaces", "runtime"))
    # The news/announcements plug-in would put a toast over the page and ask the network.
    _write_json(config / "labconfig" / "page_config.json",
                {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    # User settings: every cell in the DOM; no autosave (a test must never write the copy
    # behind another test's back); no news, no update check.
    _write_json(settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
                {"windowingMode": "none"})
    _write_json(settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
                {"autosave": False})
    _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})

    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # kernels draw inline, as for a learner
    env.update({
        "PEERKIT_HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(config),
        # the repository's jupyter_server_config.py (the save hook, Voila's settings), as make lab and Binder read it
        "JUPYTER_CONFIG_PATH": str(REPO),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(workspaces),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_PLATFORM_DIRS": "1",
    })
    port = _free_port()
    jupyter = Path(sys.executable).parent / "jupyter"
    log = base / "jupyterlab.log"
    command = [
        str(jupyter), "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=",
        f"--ServerApp.root_dir={root}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # never asks PyPI for extensions
        *options,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # its own process group: kernels die with it
    server = LabServer(f"http://127.0.0.1:{port}", root, home, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {process.returncode}:\n{server.log_tail()}", pytrace=False)
            try:
                server.api("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not answer on {server.url} within 90 s:\n{server.log_tail()}",
                                pytrace=False)
                time.sleep(0.3)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --------------------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Lab:
    """A learner in JupyterLab: one browser page on the test server."""

    server: LabServer
    page: Any
    console_errors: list[str] = field(default_factory=list)
    name: str = ""
    run_error: str | None = None

    # -- opening and running ------------------------------------------------------------
    def open(self, name: str) -> None:
        """Open notebooks/<name> (as a fresh workspace) and wait for its kernel to be idle."""
        self.name = name
        self.page.goto(f"{self.server.url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
        self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        self._accept_kernel_dialog(1_000)
        self.wait_kernel_idle()

    def open_and_run(self, name: str) -> None:
        """Open notebooks/<name> and ``Run > Run All Cells``.

        On a loaded machine JupyterLab can ask "Select Kernel" later than :meth:`open` waits for it:
        a little longer is given to it here, before the run.
        """
        self.open(name)
        if self._accept_kernel_dialog(3_000):
            self.wait_kernel_idle()
        self.run_all()

    @property
    def notebook(self):
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def _accept_kernel_dialog(self, within_ms: int) -> bool:
        """A notebook without kernel metadata asks which kernel to start; take the default. Whether it asked."""
        dialog = self.page.locator(".jp-Dialog")
        try:
            dialog.wait_for(timeout=within_ms)
        except Exception:  # noqa: BLE001 - no dialog is the normal case
            return False
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        dialog.wait_for(state="detached", timeout=10_000)
        return True

    def kernel_status(self) -> str:
        indicator = self.notebook.locator(".jp-Notebook-ExecutionIndicator")
        if indicator.count():
            return indicator.first.get_attribute("data-status") or ""
        return ""

    def wait_kernel_idle(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.kernel_status() != "idle":
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: the kernel is not idle after {timeout:.0f} s "
                                     f"(status {self.kernel_status()!r}).\n{self.server.log_tail(20)}")
            self.page.wait_for_timeout(200)

    def _menu(self, menu: str, command: str) -> None:
        """Click a main-menu item, as a learner would (``Run`` > ``Run All Cells``)."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{menu}$")).click()
        item = self.page.locator(f'.lm-Menu-item[data-command="{command}"]')
        item.wait_for(state="visible", timeout=10_000)
        item.click()

    def _watch_for_running(self) -> None:
        # A MutationObserver notices a "[*]" prompt however briefly it shows, or any prompt
        # changing. (The kernel's busy light is no sign: the widget manager's own requests
        # make it blink without any cell running.)
        self.page.evaluate("""() => {
            window.__peerkitRan = false;
            if (window.__peerkitObserver) window.__peerkitObserver.disconnect();
            const prompts = () => [...document.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);
            const before = prompts().join('|');
            const check = () => {
              const now = prompts();
              if (now.some(p => p.includes('*')) || now.join('|') !== before) window.__peerkitRan = true;
            };
            window.__peerkitObserver = new MutationObserver(check);
            window.__peerkitObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
        }""")

    def _started(self, timeout_ms: int) -> bool:
        try:
            self.page.wait_for_function("() => window.__peerkitRan === true", timeout=timeout_ms)
            return True
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; the caller decides
            return False

    def run_all(self, timeout: float = 240) -> None:
        """``Run > Run All Cells``, then wait until every queued cell has finished."""
        self._watch_for_running()
        self._menu("Run", "runmenu:run-all")
        if not self._started(10_000):
            # A click that landed while JupyterLab was still settling: a learner clicks again.
            self.page.keyboard.press("Escape")
            self._menu("Run", "runmenu:run-all")
            if not self._started(20_000):
                raise AssertionError(f"{self.name}: Run > Run All Cells started nothing within 30 s "
                                     f"(kernel {self.kernel_status()!r}, prompts {self.prompts()})")
        self._wait_run_finished(timeout)

    def restart_and_run_all(self, timeout: float = 240) -> None:
        """``Kernel > Restart Kernel and Run All Cells…``, confirm, and wait until done."""
        self._watch_for_running()
        self._menu("Kernel", "runmenu:restart-and-run-all")
        dialog = self.page.locator(".jp-Dialog")
        dialog.wait_for(timeout=10_000)
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        dialog.wait_for(state="detached", timeout=10_000)
        if not self._started(30_000):
            raise AssertionError(f"{self.name}: Restart Kernel and Run All Cells ran nothing within 30 s")
        self._wait_run_finished(timeout)

    def _wait_run_finished(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        quiet_since = None
        while True:
            prompts = self.prompts()
            busy = any("*" in p for p in prompts) or self.kernel_status() != "idle"
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 1.0:
                break  # idle, no queued cell, for a second: widgets have had time to draw
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: cells still running after {timeout:.0f} s: {prompts}")
            self.page.wait_for_timeout(250)
        self.page.evaluate("() => window.__peerkitObserver && window.__peerkitObserver.disconnect()")

    # -- what is on the page ------------------------------------------------------------
    def prompts(self) -> list[str]:
        return self.notebook.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()

    def code_cells(self) -> list[dict[str, Any]]:
        """Each code cell's source, prompt, error outputs and peerkit widgets, read in one round trip."""
        return self.notebook.evaluate(
            """(panel, [widgetOutput, roots]) => [...panel.querySelectorAll('.jp-CodeCell')].map((cell, index) => {
                const source = [...cell.querySelectorAll('.jp-InputArea-editor .cm-line')]
                    .map(l => l.textContent).join('\\n');
                const prompt = (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '';
                const stderr = [...cell.querySelectorAll(
                    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.innerText);
                const text = [...cell.querySelectorAll('.jp-RenderedText')].map(e => e.innerText);
                const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText);
                const visible = el => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
                const views = [...cell.querySelectorAll(widgetOutput)].map(out => {
                  const root = [...out.querySelectorAll(roots)].find(visible);
                  return {drawn: !!root, text: out.innerText.slice(0, 200)};
                });
                return {index, source, prompt, stderr, text, outputs, views,
                        widgets: views.filter(v => v.drawn).length};
            })""",
            [WIDGET_OUTPUT, PEERKIT_ROOTS],
        )

    def cell_failures(self) -> list[str]:
        """Every sign of a failing cell: a traceback, an error on stderr, a cell that never ran."""
        failures = []
        cells = self.code_cells()
        for cell in cells:
            where = f"cell {cell['index'] + 1} ({cell['source'][:60]!r})"
            for text in cell["stderr"]:
                if "Traceback" in text or re.search(r"\w*Error\b", text):
                    failures.append(f"{where} wrote an error:\n{text[-1500:]}")
            for text in cell["text"]:
                if "Traceback" in text and text not in cell["stderr"]:
                    failures.append(f"{where} shows a traceback:\n{text[-1500:]}")
            if cell["source"].strip() and not re.fullmatch(r"\[\d+\]:", cell["prompt"].strip()):
                failures.append(f"{where} did not run (prompt {cell['prompt']!r})")
        return failures

    def widget_failures(self) -> list[str]:
        """No widget left unrendered; every cell calling pk.exercise/compare shows a peerkit widget."""
        failures = []
        for cell in self.code_cells():
            where = f"cell {cell['index'] + 1} ({cell['source'][:60]!r})"
            for text in cell["outputs"]:
                # ipywidgets writes these into the output when a view cannot be drawn.
                if "Error displaying widget" in text or "Loading widget" in text:
                    failures.append(f"{where}: widget not displayed: {text[:160]!r}")
            for view in cell["views"]:
                if not view["drawn"]:
                    failures.append(f"{where}: a widget output shows no peerkit widget: {view['text'][:160]!r}")
            if WIDGET_CALL.search(cell["source"]) and not cell["widgets"]:
                failures.append(f"{where}: calls peerkit but no peerkit widget is visible in its output")
        return failures

    def peerkit_widget_count(self) -> int:
        return sum(cell["widgets"] for cell in self.code_cells())

    #: ``lab.wait_until(check, timeout=..., message=...)``: :func:`tests.support.client.wait_for`, looking every
    #: 0.2 s (each look is a round trip to the page)
    wait_until = staticmethod(functools.partial(wait_for, every=0.2))

    def axe_violations(self, axe_source: str) -> list[dict[str, Any]]:
        """axe-core's violations inside peerkit's widgets on the page (every one, whatever its impact)."""
        scopes = [s for s in WIDGET_SCOPES if self.notebook.locator(s).count()]
        if not scopes:
            return []
        with self.whole_notebook_in_view():  # axe skips contrast checks on text scrolled out of view
            return axe_violations(self.page, axe_source, scopes)

    def real_console_errors(self) -> list[str]:
        return [m for m in self.console_errors if not any(p.search(m) for p, _ in HARMLESS_CONSOLE)]

    @contextmanager
    def whole_notebook_in_view(self) -> Iterator[None]:
        """Let the page grow to the notebook's height, so nothing is scrolled out of sight.

        JupyterLab scrolls inside the notebook, not the page: a full-page screenshot would
        otherwise show one screen, and axe skips contrast checks on text scrolled away.
        """
        viewport = self.notebook.locator(".jp-WindowedPanel-viewport")
        if not viewport.count():
            yield
            return
        height = viewport.first.evaluate("el => el.scrollHeight")
        self.notebook.locator(".jp-WindowedPanel-outer").first.evaluate("el => { el.scrollTop = 0; }")
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": size["width"], "height": min(max(size["height"], height + 200), 30_000)})
        try:
            yield
        finally:
            self.page.set_viewport_size(size)

    def screenshot(self, stem: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{stem}.png"
        with self.whole_notebook_in_view():
            self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the item, so the lab fixture knows when a test failed.
    report = yield
    setattr(item, f"peerkit_report_{report.when}", report)
    return report


@contextmanager
def _lab_page(server: LabServer, browser) -> Iterator[Lab]:
    """A fresh browser context and page; every kernel is shut down afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    driver = Lab(server, page)
    already = server.session_ids()
    page.on("console", lambda m: m.type == "error" and driver.console_errors.append(
        f"console.error: {m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', '')})"))
    page.on("pageerror", lambda e: driver.console_errors.append(f"uncaught: {e}"))
    try:
        yield driver
    finally:
        context.close()
        server.shutdown_kernels(keep=already)


@pytest.fixture
def new_lab(browser) -> Iterator[Callable[[LabServer], Lab]]:
    """``new_lab(server)``: one more learner's browser on ``server`` (a context of its own: its own cookies), each
    closed, and its kernels' sessions shut down, after the test."""
    with ExitStack() as stack:
        yield lambda server: stack.enter_context(_lab_page(server, browser))


@pytest.fixture
def lab(request: pytest.FixtureRequest, _open_chapter: _OpenChapter, lab_server: LabServer,
        browser) -> Iterator[Lab]:
    """A learner's fresh JupyterLab page for one test."""
    _open_chapter.close()
    with _lab_page(lab_server, browser) as driver:
        yield driver
        report = getattr(request.node, "peerkit_report_call", None)
        if report is not None and report.failed:
            # What the learner would have seen when it failed, for the person reading the log.
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            stem = re.sub(r"[^\w.-]+", "_", request.node.name)
            driver.page.screenshot(path=str(SCREENSHOTS / f"FAILED-{stem}.png"), full_page=True)


class _OpenChapter:
    """At most one chapter page (and kernel) open at a time: the suite runs on two cores."""

    def __init__(self) -> None:
        self.stack: ExitStack | None = None

    def close(self) -> None:
        if self.stack is not None:
            stack, self.stack = self.stack, None
            stack.close()


@pytest.fixture(scope="session")
def _open_chapter(lab_server: LabServer, browser) -> Iterator[_OpenChapter]:
    # Depends on the server and browser so that it is closed before they are.
    holder = _OpenChapter()
    yield holder
    holder.close()


@pytest.fixture(scope="session")
def chapter_run(request: pytest.FixtureRequest, _open_chapter: _OpenChapter, lab_server: LabServer,
                browser) -> Lab:
    """One chapter opened and run once (Run > Run All Cells), shared by every test that checks it.

    Session-scoped and parametrized, with the browser tests ordered chapter by chapter (see
    pytest_collection_modifyitems): test_chapters and test_accessibility look at the same
    run. Opening a chapter closes the previous one. A run that fails is kept in
    ``lab.run_error`` for each test to report, rather than an error in set-up.
    """
    _open_chapter.close()
    stack = ExitStack()
    driver = stack.enter_context(_lab_page(lab_server, browser))
    _open_chapter.stack = stack
    try:
        driver.open(request.param)
        driver.run_all()
    except Exception as error:  # noqa: BLE001 - reported by the tests that use the run
        driver.run_error = f"{type(error).__name__}: {error}"
    return driver


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The browser tests run last: playwright's sync API leaves its event loop marked as
    # running in pytest's thread, and code under test that asks for a running loop (the
    # sender's and the live panel's callbacks) would find that dead loop in every later test.
    # Among them, the tests that only look at a chapter run first, chapter by chapter, so
    # that each chapter is run once; the tests that drive a page of their own follow.
    here = Path(__file__).parent
    browser = [item for item in items if here in Path(str(item.path)).parents]
    others = [item for item in items if here not in Path(str(item.path)).parents]

    def key(pair: tuple[int, pytest.Item]) -> tuple:
        position, item = pair
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "chapter_run" in callspec.params:
            return (0, callspec.params["chapter_run"], position)
        return (1, "", position)

    items[:] = others + [item for _, item in sorted(enumerate(browser), key=key)]


# --------------------------------------------------------------------------- the cohort server's own pages
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[Server]:
    """In this folder ``server`` is one ``peerkit serve`` with a trainer for each test module, whose tests open
    the server's own pages (projector, room, console, phone page): not the suite's ``server`` of
    :mod:`tests.support.server` (one a test, on both stores), which these page tests have no use for."""
    served = serve_pages(tmp_path_factory.mktemp("pages-server"))
    yield served
    served.running.stop()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A trainer's browser page at 1280×720 that notes dialogs and uncaught errors (``page.dialogs``, ``page.errors``).

    axe-core is injected as a script, which the server's CSP (script-src 'self') rightly blocks: only the
    axe tests (named ``test_axe…``) let Playwright bypass the CSP; every other test, the payload tests above
    all, keeps it.
    """
    bypass = request.node.name.startswith("test_axe")
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=bypass)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def chapter_notebooks() -> list[str]:
    """Every notebook of the course, relative to notebooks/ (found when the tests are collected)."""
    return sorted(str(p.relative_to(NOTEBOOKS)) for p in NOTEBOOKS.rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Chapters arrive over time: whatever notebooks exist when the tests are collected.
    if "chapter_run" in metafunc.fixturenames:
        names = chapter_notebooks()
        metafunc.parametrize("chapter_run", names, ids=[n.removesuffix(".ipynb") for n in names],
                             indirect=True, scope="session")

