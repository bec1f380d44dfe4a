"""``mentorsim dashboard`` in a real browser: choose a scenario, move levers, run; the page's numbers are the CLI's.

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

import pandas as pd
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
STARTUP = 180  # seconds for the server to answer (a loaded machine)
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
                    process.kill()  # its stderr ends, so reading it cannot wait for ever
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


def cli_run(folder: Path, scenario: Path, replicates: int, overrides: list[str]) -> Path:
    """``mentorsim run`` as a user would; its run folder."""
    sets = [a for o in overrides for a in ("--set", o)]
    command = [sys.executable, "-m", "sim.cli", "run", str(scenario), "--replicates", str(replicates), *sets]
    done = subprocess.run([*command, "--out-dir", str(folder)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return folder


def choose(page, select: str, option: str) -> None:  # noqa: ANN001
    """Pick ``option`` in the dropdown labelled ``select`` (Vuetify 3: the menu is an overlay, its long list
    virtual: scrolled down until the option is drawn)."""
    page.locator(".v-select", has_text=select).first.click()
    item = page.locator(".v-overlay__content .v-list-item-title").get_by_text(option, exact=True)
    items = page.locator(".v-overlay__content .v-list").first
    items.wait_for(timeout=10_000)
    for _ in range(60):
        if item.count():
            break
        items.evaluate("list => { list.scrollTop += 150; }")
        page.wait_for_timeout(100)
    item.click()
    expect_text = page.locator(".v-select", has_text=select).first.locator(".v-select__selection-text")
    assert expect_text.inner_text(timeout=10_000) == option


def slider_to(page, index: int, value: str, key: str) -> None:  # noqa: ANN001
    """Move the ``index``-th slider of the page with the keyboard until it shows ``value``."""
    slider = page.get_by_role("slider").nth(index)
    slider.focus()
    for _ in range(40):
        if slider.get_attribute("aria-valuenow") == value:
            return
        slider.press(key)
        page.wait_for_timeout(100)
    raise AssertionError(f"slider {index} did not reach {value}: {slider.get_attribute('aria-valuenow')}")


@needs_chromium
def test_the_pages_numbers_equal_the_command_lines(server: str, tmp_path: Path) -> None:
    """Choose a scenario, change the matching rule and a slider, run: baseline, reform and their paired
    difference on the page equal ``mentorsim run``'s for the same scenario, levers and seeds; then a lever
    changes the figures."""
    from playwright.sync_api import expect, sync_playwright

    from sim.outputs.vocabulary import format_difference, format_range, format_value
    from sim.replicates import paired_differences

    scenario = SCENARIO.parent / "network_guidelines.yaml"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2600})
            page.goto(server)
            run = page.get_by_role("button", name="Run")
            run.wait_for(timeout=RUN)
            choose(page, "Scenario", "network_guidelines.yaml")
            page.wait_for_timeout(1000)  # the levers of the scenario chosen
            choose(page, "Matching rule", "sector_only")
            slider_to(page, 2, "0.55", "ArrowRight")  # follow-up intensity 0.5 -> 0.55
            sliders = page.get_by_role("slider")
            slider_to(page, sliders.count() - 1, "2", "ArrowLeft")  # replicates 5 -> 2
            expect(page.get_by_text("Follow-up intensity (share of pairs checked monthly): 0.55")).to_be_visible()
            run.click()
            table = page.locator("table.comparison")
            expect(table).to_be_visible(timeout=RUN)
            expect(page.locator("img")).to_have_count(4, timeout=RUN)
            shown = {
                row.get_attribute("data-outcome"): {
                    c: row.locator(f"td.{c}").inner_text() for c in ("baseline", "reform", "difference", "interval")
                }
                for row in table.locator("tr[data-outcome]").all()
            }
            for text in ("Compared with the baseline", "were in work 6 months after leaving", "mentorsim run"):
                expect(page.get_by_text(text).first).to_be_visible()
            before = page.evaluate(FIGURE_SUM)
            page.wait_for_timeout(500)
            page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
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

    levers = ["programme.matching.strategy=sector_only", "programme.follow_up.intensity=0.55"]
    base = pd.read_csv(cli_run(tmp_path / "baseline", scenario, 2, []) / "outcomes.csv")
    reform = pd.read_csv(cli_run(tmp_path / "reform", scenario, 2, levers) / "outcomes.csv")
    both = pd.concat([base.assign(run="b"), reform.assign(run="r")], ignore_index=True)
    diffs = paired_differences(both, "run", "b", list(shown)).set_index("outcome")
    assert {"net_placements", "net_effect_employed_6m", "cost_per_net_placement_eur"} <= set(shown)
    for outcome, cells in shown.items():
        expected = {
            "baseline": format_value(outcome, diffs.at[outcome, "reference_mean"]),  # as compare prints them
            "reform": format_value(outcome, diffs.at[outcome, "mean"]),
            "difference": format_difference(outcome, diffs.at[outcome, "difference"]),
            "interval": format_range(outcome, diffs.at[outcome, "low"], diffs.at[outcome, "high"], True),
        }
        assert cells == expected, outcome
    assert shown["net_placements"]["baseline"] != shown["net_placements"]["reform"]  # the levers did something
    summary = pd.read_csv(tmp_path / "reform" / "summary.csv").set_index("outcome")["mean"]
    assert format_value("enrolled", summary["enrolled"]) == shown["enrolled"]["reform"]  # summary.csv agrees


@needs_chromium
def test_the_page_shows_what_the_programme_would_report_as_the_command_line(server: str, tmp_path: Path) -> None:
    """A programme with a reporting rule: the share it would report, over all participants and the gap, on the page
    as ``mentorsim run`` gives them (summary.csv), for the same scenario and seeds."""
    from playwright.sync_api import expect, sync_playwright

    from sim.outputs.report import REPORTING
    from sim.outputs.vocabulary import format_value, label

    scenario = SCENARIO.parent / "programmes" / "mentoru.yaml"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2600})
            page.goto(server)
            run = page.get_by_role("button", name="Run")
            run.wait_for(timeout=RUN)
            choose(page, "Scenario", "programmes/mentoru.yaml")
            page.wait_for_timeout(1000)
            sliders = page.get_by_role("slider")
            slider_to(page, sliders.count() - 1, "2", "ArrowLeft")  # replicates 5 -> 2
            run.click()
            table = page.locator("table.reporting")
            expect(table).to_be_visible(timeout=RUN)
            shown = {row.locator("td").first.inner_text(): row.locator("td.mean").inner_text()
                     for row in table.locator("tr").all() if row.locator("td").count()}  # fmt: skip
            expect(page.get_by_text("Counting as the programme does").first).to_be_visible()
        finally:
            browser.close()
    summary = pd.read_csv(cli_run(tmp_path / "mentoru", scenario, 2, []) / "summary.csv").set_index("outcome")["mean"]
    assert shown == {label(name): format_value(name, summary[name]) for name in REPORTING}


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


@pytest.mark.slow  # every offered scenario (35) at its full size: minutes
def test_every_offered_scenario_runs_with_its_own_levers() -> None:
    """Each scenario in the dashboard's list runs as the command line runs it (one replicate here) with the
    levers it starts from, and gives the findings the page shows (gross next to net)."""
    from sim.dashboard.app import Levers, run_levers, scenario_files
    from sim.outputs.report import headline
    from sim.outputs.run_folder import RunFolder
    from sim.scenario.loader import load_scenario

    files = scenario_files()
    assert {"base.yaml", "programmes/mentoru.yaml", "funding/staggered_portfolio.yaml"} <= set(files)
    for name, path in files.items():
        result = run_levers(path, Levers.of(load_scenario(path)), replicates=1)
        assert len(result.seeds) == 1 and not result.timeseries.empty, name
        assert "without the programme" in " ".join(headline(RunFolder.from_result(result))), name
