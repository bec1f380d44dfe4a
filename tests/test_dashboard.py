"""``mentorsim dashboard`` in a real browser: start the server, run, change a lever, run again, the plot changes.

Drives Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) with Playwright; Playwright's
own browser download is not used. The browser test is skipped where there is no Chromium (CI installs it).
``MENTORSIM_DASHBOARD_SCREENSHOT=docs/dashboard.png`` also saves the screenshot shown in the README.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "base.yaml"
STARTUP = 90  # seconds for the server to answer
RUN = 120_000  # milliseconds for a run to show its figures

# A checksum of the first figure's PNG bytes (the <img> src is a new blob URL at every render).
FIGURE_SUM = """async () => {
  const img = document.querySelector("img");
  if (!img) return null;
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]) >>> 0;
  return `${bytes.length}:${sum}`;
}"""

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (installed by .ci/run)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """``mentorsim dashboard scenarios/base.yaml --port P`` in a subprocess; its URL."""
    port = free_port()
    command = [sys.executable, "-c", "from sim.cli import app; app()", "dashboard", str(SCENARIO), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the dashboard did not start: {process.stderr.read().decode()[-2000:]}"
                    ) from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@needs_chromium
def test_changing_a_lever_changes_the_plot(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2600})
            page.goto(server)
            run = page.get_by_role("button", name="Run")
            run.wait_for(timeout=RUN)
            run.click()
            expect(page.locator("img")).to_have_count(4, timeout=RUN)  # placements, waiting, mentors, funding
            for text in (
                "were in work 6 months after leaving",
                "Gross: what happened to participants",
                "Net: against the same people without the programme",
            ):
                expect(page.get_by_text(text).first).to_be_visible()
            before = page.evaluate(FIGURE_SUM)
            page.wait_for_timeout(500)  # the figures are drawn; the screenshot shows them
            page.screenshot(path=tmp_path / "dashboard.png")
            assert (tmp_path / "dashboard.png").stat().st_size > 50_000
            if os.environ.get("MENTORSIM_DASHBOARD_SCREENSHOT"):
                page.screenshot(path=os.environ["MENTORSIM_DASHBOARD_SCREENSHOT"])

            page.locator("label", has_text="Network-opening guideline").click()
            run.click()
            deadline = time.monotonic() + RUN / 1000
            while page.evaluate(FIGURE_SUM) == before and time.monotonic() < deadline:
                page.wait_for_timeout(500)
            assert page.evaluate(FIGURE_SUM) != before
        finally:
            browser.close()


@pytest.mark.parametrize(("host", "status"), [("evil.example", 400), ("127.0.0.1.nip.io", 400), ("localhost", 200)])
def test_the_server_answers_only_requests_addressed_to_this_machine(server: str, host: str, status: int) -> None:
    """DNS rebinding: a page of another site reaching 127.0.0.1 under its own name gets no dashboard."""
    port = server.rsplit(":", 1)[1].strip("/")
    request = urllib.request.Request(server, headers={"Host": f"{host}:{port}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answered = response.status
    except urllib.error.HTTPError as err:
        answered = err.code
    assert answered == status


def test_an_invalid_scenario_is_refused_before_the_server_starts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(SCENARIO) + "\nprogramme:\n  matching:\n    stratgy: random\n")
    command = [sys.executable, "-c", "from sim.cli import app; app()", "dashboard", str(bad), "--port", "8765"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "stratgy" in done.stderr and "bad.yaml" in done.stderr and "strategy" in done.stderr
    assert "Dashboard on" not in done.stderr


def test_sector_alignment_moves_mentors_to_the_mentees_sectors() -> None:
    from sim.dashboard.app import Levers, sector_mix_overrides
    from sim.scenario.loader import load_scenario

    base = load_scenario(SCENARIO)
    assert sector_mix_overrides(base, 0.0) == []
    aligned = load_scenario(SCENARIO, replace(Levers.of(base), sector_alignment=1.0).overrides(base))
    assert [s.mentor_share for s in aligned.sectors] == pytest.approx([s.jobseeker_share for s in base.sectors])
    half = load_scenario(SCENARIO, sector_mix_overrides(base, 0.5))
    expected = [(s.jobseeker_share + s.mentor_share) / 2 for s in base.sectors]
    assert [s.mentor_share for s in half.sectors] == pytest.approx(expected)


def test_every_offered_scenario_runs_with_its_own_levers() -> None:
    """Each scenario in the dashboard's list runs at the dashboard's small settings with the levers it starts
    from, and gives the findings the page shows (gross next to net)."""
    from sim.dashboard.app import Levers, run_levers, scenario_files
    from sim.outputs.report import headline
    from sim.outputs.run_folder import RunFolder
    from sim.scenario.loader import load_scenario

    files = scenario_files()
    assert {"base.yaml", "programmes/mentoru.yaml", "funding/staggered_portfolio.yaml"} <= set(files)
    for name, path in files.items():
        result = run_levers(path, Levers.of(load_scenario(path)))
        assert len(result.seeds) == 3 and not result.timeseries.empty, name
        assert "without the programme" in " ".join(headline(RunFolder.from_result(result))), name
