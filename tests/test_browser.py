"""End to end: a real `streamlit run` server, driven in Debian's Chromium through Playwright.

Runs wherever /usr/bin/chromium exists; under CI (CI=true) a missing Chromium is a
failure, not a skip, so these tests cannot silently vanish there.
"""

import os
import pathlib
import shutil
import time

import pytest
from serverhelpers import CHROMIUM, CHROMIUM_ARGS, LOGS, streamlit_server

import twolayer as tl
from twolayer.data import arrays as config_arrays

pytestmark = pytest.mark.browser  # real Chromium against a real server

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing under CI: .ci/run must install it", pytrace=False)
    pytest.skip("Chromium is not installed (apt-get install -y chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

PAGES = {  # URL path: (title on the page, what a drawn page shows)
    "": ("Manual backprop vs autograd", ".js-plotly-plot .main-svg"),
    "Computational_Graph": ("Computational graph", "[data-testid='stGraphVizChart'] svg"),
    "Manual_Backprop": ("Manual backprop (numpy)", ".js-plotly-plot .main-svg"),
    "Autograd": ("Autograd (PyTorch)", ".js-plotly-plot .main-svg"),
    "Lock_step": ("Lock-step explorer", ".js-plotly-plot .main-svg"),
}
EXERCISE = ("Exercise: the assignment's two questions", "textarea")  # no sidebar configuration
GRADE = ("Grade a class", "[data-testid='stFileUploader']")
TIMEOUT_MS = 90_000
# The y values of the first Plotly chart after plotly.js decoded them (the figure's own
# .data keeps them base64-encoded).
FIRST_Y = "document.querySelector('.js-plotly-plot')._fullData[0].y"


@pytest.fixture(scope="module")
def browser():
    shutil.rmtree(LOGS, ignore_errors=True)  # keep only this run's server logs
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


class Console:
    """Collects a page's console errors, but for Streamlit's own base-path probe.

    On a deep link such as /Autograd the frontend first asks
    /Autograd/_stcore/health and /Autograd/_stcore/host-config to find the
    server's base path; those two 404s are expected.
    """

    def __init__(self, page):
        self.errors = []
        page.on("console", self._on_console)

    def _on_console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url", "")
        probe = "404" in message.text and where.endswith(("/_stcore/health",
                                                          "/_stcore/host-config"))
        if not probe:
            self.errors.append(f"{message.text} ({where})")


def open_page(context, url: str, drawn: str | None = None):
    """Open a URL in a new tab and wait until its content (the page's own, or the `drawn`
    selector) is drawn and the run is done."""
    page = context.new_page()
    console = Console(page)
    page.goto(url)
    path = url.split("//", 1)[1].split("/", 1)[1].split("?")[0] if "/" in url.split("//", 1)[1] \
        else ""
    title, page_drawn = {**PAGES, "Exercise": EXERCISE, "Grade": GRADE}[path]
    page.wait_for_selector(drawn or page_drawn, timeout=TIMEOUT_MS)
    page.get_by_role("heading", name=title).wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    return page, console


def _wait_idle(page) -> None:
    """Until Streamlit's 'running' indicator is gone."""
    page.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS)


def first_losses(page, count=3, chart=0) -> list[float]:
    """The first y values of a page's Plotly chart, as plotly.js decoded and drew them."""
    return page.evaluate(f"Array.from(document.querySelectorAll('.js-plotly-plot')[{chart}]"
                         f"._fullData[0].y).slice(0, {count})")


SIDEBAR = 'section[data-testid="stSidebar"]'


def configuration(page):
    """The sidebar's seed input, after opening the configuration widgets if they are closed
    (as on a first visit)."""
    seed = page.locator(f'{SIDEBAR} input[aria-label="seed"]')
    if seed.count() == 0:
        page.locator(f'{SIDEBAR} [data-testid="stExpander"]') \
            .get_by_text("Change the configuration").click()
        seed.wait_for(timeout=TIMEOUT_MS)
        _wait_idle(page)
    return seed


def sidebar_value(page, label: str) -> str:
    configuration(page)
    return page.locator(f'{SIDEBAR} input[aria-label="{label}"]').input_value()


def expected_losses(config, method="numpy", count=3) -> list[float]:
    x, y, w1, w2 = config_arrays(config)
    train = tl.train_numpy if method == "numpy" else tl.train_torch
    return train(x, y, w1, w2, config.learning_rate, count).losses.tolist()


def assert_clean(page, console) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert console.errors == []
    # one list of pages, the sidebar's own: Streamlit's menu of pages/ is not drawn too
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0


@pytest.mark.parametrize("path", list(PAGES))
def test_cold_deep_link_is_the_first_request(browser, path):
    # A freshly started server whose very first request is the share link.
    query = "seed=7&hidden=50"
    with streamlit_server() as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page, console = open_page(context, f"{url}/{path}?{query}")
        # A first visit sees the configuration as text; its widgets come when opened.
        assert page.locator(f"{SIDEBAR} input").count() == 0
        headline = page.locator(f"{SIDEBAR} [data-testid='stCaptionContainer']",
                                has_text="Configuration").inner_text()
        assert "N=64, D_in=1000, H=50, D_out=10" in headline and "seed 7" in headline
        assert sidebar_value(page, "seed") == "7"
        assert sidebar_value(page, "H — hidden units") == "50"
        if path == "Computational_Graph":
            svg_text = page.locator("[data-testid='stGraphVizChart'] svg").first.text_content()
            assert svg_text.count("64×50") >= 3  # h, relu, h_relu
        else:
            method = "torch" if path == "Autograd" else "numpy"
            chart = 1 if path == "Lock_step" else 0  # the lock-step page's loss chart
            expected = expected_losses(tl.Config(seed=7, hidden=50), method)
            assert first_losses(page, chart=chart) == pytest.approx(expected, rel=1e-12)
        assert "seed=7" in page.url and "hidden=50" in page.url
        page.screenshot(path=str(SHOTS / f"{path or 'Comparison'}.png"), full_page=True)
        assert_clean(page, console)
        context.close()


def test_changing_the_seed_redraws_and_the_link_reproduces_it(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(context, f"{server}/")
    before = first_losses(page)
    assert before == pytest.approx(expected_losses(tl.Config()), rel=1e-12)

    seed = configuration(page)
    seed.fill("3")
    seed.press("Enter")
    page.wait_for_function(
        f"{FIRST_Y}[0] !== {before[0]!r}",
        timeout=TIMEOUT_MS)
    _wait_idle(page)
    after = first_losses(page)
    assert after == pytest.approx(expected_losses(tl.Config(seed=3)), rel=1e-12)
    page.wait_for_function("window.location.search.includes('seed=3')", timeout=TIMEOUT_MS)
    share_link = page.url
    assert_clean(page, console)
    context.close()

    # The share link, opened in a fresh browser context (no cookies, no session).
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(other, share_link)
    assert sidebar_value(page, "seed") == "3"
    assert first_losses(page) == pytest.approx(after, rel=1e-12)
    assert_clean(page, console)
    other.close()


def test_navigation_keeps_the_configuration(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(context, f"{server}/Manual_Backprop?seed=11")
    configuration(page)  # opened once, the widgets stay open on the next page
    page.locator(f"{SIDEBAR} a", has_text="Autograd").click()
    page.get_by_role("heading", name="Autograd (PyTorch)").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert page.locator(f'{SIDEBAR} input[aria-label="seed"]').input_value() == "11"
    assert "/Autograd" in page.url and "seed=11" in page.url
    expected = expected_losses(tl.Config(seed=11), "torch")
    assert first_losses(page) == pytest.approx(expected, rel=1e-12)
    assert_clean(page, console)
    context.close()


def test_download_holds_both_methods_losses(browser, server):
    # The Manual Backprop page offers both methods' histories; the file is made on click.
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page, console = open_page(context, f"{server}/Manual_Backprop?seed=4&iterations=30")
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name="Loss histories (CSV)").click()
    lines = pathlib.Path(download.value.path()).read_text().splitlines()
    assert download.value.suggested_filename == \
        "losses_seed4_n64_din1000_h100_dout10_lr1e-06_it30_float64_sum.csv"
    assert lines[0] == "t,loss_numpy,loss_torch" and len(lines) == 31
    config = tl.Config(seed=4, iterations=30)
    numpy_losses = expected_losses(config, "numpy", 30)
    torch_losses = expected_losses(config, "torch", 30)
    for t, line in enumerate(lines[1:]):
        index, loss_numpy, loss_torch = line.split(",")
        assert int(index) == t
        assert float(loss_numpy) == numpy_losses[t]
        assert float(loss_torch) == pytest.approx(torch_losses[t], rel=1e-12)
    assert_clean(page, console)
    context.close()


def test_lockstep_bug_injection_highlights_and_fails_the_check(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(context, f"{server}/Lock_step?iterations=40")
    page.get_by_role("tab", name="2 · Gradient check and code").click()  # runs on opening
    check_row = page.locator("tr", has_text="manual vs finite differences")
    check_row.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("window.location.search.includes('section=check')",
                           timeout=TIMEOUT_MS)
    assert check_row.locator("td").count() == 3  # the comparison, then w1 and w2
    page.locator('[data-testid="stSelectbox"]', has_text="Inject a bug").click()
    page.get_by_role("option", name="ReLU mask dropped").click()
    marked = page.locator("mark", has_text="BUG: the ReLU mask is dropped")
    marked.wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert marked.inner_text().strip() == "grad_h = grad_h_relu  # BUG: the ReLU mask is dropped"
    # the check now fails for the manual method's w1 gradient: error > tolerance
    badge = check_row.locator("td").nth(1).inner_text()
    error, limit = (float(v) for v in badge.split()[-3::2])
    assert ">" in badge and error > 1e-2 > limit
    page.screenshot(path=str(SHOTS / "Lock_step_bug.png"), full_page=True)
    page.wait_for_function("window.location.search.includes('bug=relu_mask_dropped')",
                           timeout=TIMEOUT_MS)
    share_link = page.url
    assert_clean(page, console)
    context.close()

    # the link reproduces the view in a fresh context: the same tab, bug and marked line
    assert "section=check" in share_link
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(other, share_link, drawn="mark")
    assert page.locator("mark", has_text="BUG: the ReLU mask is dropped").count() == 1
    assert_clean(page, console)
    other.close()


def test_scrubber_changes_the_node_values(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page, console = open_page(context, f"{server}/Computational_Graph?iterations=100")
    graph = page.locator("[data-testid='stGraphVizChart'] svg").first
    before = graph.text_content()
    assert "value ‖·‖=" in before and "grad ‖·‖=" in before
    thumb = page.locator('[data-testid="stSlider"] input').first
    thumb.focus()
    thumb.press("End")  # the last iteration, 99
    page.wait_for_function(
        "document.querySelector(\"[data-testid='stGraphVizChart'] svg\").textContent"
        f" !== {before!r}", timeout=TIMEOUT_MS)
    _wait_idle(page)
    after = graph.text_content()
    x, y, w1, w2 = config_arrays(tl.Config(iterations=100))
    loss_99 = tl.train_numpy(x, y, w1, w2, 1e-6, 100).losses[99]
    assert f"value ‖·‖={loss_99:.3g}" in after
    assert page.locator('[data-testid="stSlider"]').first.inner_text().strip().startswith(
        "iteration t")
    page.screenshot(path=str(SHOTS / "Computational_Graph_t99.png"), full_page=True)
    assert_clean(page, console)
    context.close()


def test_an_out_of_range_number_is_refused_out_loud(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(context, f"{server}/Manual_Backprop?seed=5")
    seed = configuration(page)
    seed.fill("-3")
    seed.press("Enter")
    error = page.locator(f'{SIDEBAR} [data-testid="stAlertContentError"]')
    error.wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert "seed must be an integer from 0 to 4,294,967,295, got -3" in error.inner_text()
    assert sidebar_value(page, "seed") == "5" and "seed=5" in page.url
    assert_clean(page, console)
    context.close()


GRAPH_TEXT_PX = """() => Array.from(
  document.querySelectorAll("[data-testid='stGraphVizChart'] svg")).map(svg => {
    const text = svg.querySelector('g.node text');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return parseFloat(text.getAttribute('font-size')) * scale; })"""


def test_graph_text_is_readable_and_play_keeps_the_views_together(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(context, f"{server}/Computational_Graph?iterations=100")
    sizes = page.evaluate(GRAPH_TEXT_PX)
    assert len(sizes) == 2 and min(sizes) >= 12, sizes  # px of node text, both graphs
    page.get_by_text("▶ Play").click()
    page.wait_for_function(
        "(document.querySelector('[data-testid=\"stProgress\"]') || {}).textContent"
        " >= 'iteration t = 4'", timeout=TIMEOUT_MS)
    page.get_by_text("▶ Play").click()
    page.locator('[data-testid="stSliderThumbValue"]').wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    t = int(page.locator('[data-testid="stSliderThumbValue"]').inner_text())
    assert t >= 4 and f"t={t}" in page.url
    title = page.locator(".js-plotly-plot .gtitle").text_content()
    assert title.startswith(f"w1 at t={t},")
    assert_clean(page, console)
    context.close()


def test_a_csv_uploaded_through_the_file_input_trains(browser, server, tmp_path):
    from twolayer.data.table import sample_csv

    path = tmp_path / "houses.csv"
    path.write_text(sample_csv())
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page, console = open_page(context, f"{server}/")
    configuration(page)
    page.locator('[data-testid="stSelectbox"]', has_text="data").click()
    page.get_by_role("option", name="your CSV file").click()
    file_input = page.locator(f'{SIDEBAR} input[type="file"]')
    file_input.wait_for(state="attached", timeout=TIMEOUT_MS)
    file_input.set_input_files(str(path))
    page.wait_for_function("window.location.search.includes('data=csv')", timeout=TIMEOUT_MS)
    page.get_by_text("Predicted vs true on the validation rows").first.wait_for(
        timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert "targets=price_k" in page.url and "inputs=area_m2" in page.url
    page.get_by_role("tab", name="Do they agree?").click()  # the figures: run on opening
    rows = page.locator("tr", has_text="final validation loss, manual (numpy)")
    rows.wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert float(rows.locator("td").nth(1).inner_text()) > 0
    page.screenshot(path=str(SHOTS / "Comparison_csv.png"), full_page=True)
    assert_clean(page, console)
    context.close()


PLAY = "button:has-text('▶ Play')"  # what the live tab shows before anything trains
CURVE_LENGTH = ("() => { const plot = document.querySelector('.js-plotly-plot');"
                " return plot && plot._fullData ? plot._fullData[0].y.length : 0; }")


def test_play_grows_the_curve_and_pause_stops_it(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, console = open_page(context, f"{server}/?data=sine&iterations=3000&tab=live",
                              drawn=PLAY)
    page.get_by_role("button", name="▶ Play").click()
    page.locator('[data-testid="stProgress"]', has_text="playing").wait_for(timeout=TIMEOUT_MS)
    first = page.evaluate(CURVE_LENGTH)  # the live curve, from iteration 0
    assert first < 3000
    page.wait_for_function(f"({CURVE_LENGTH})() > {first} + 20", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="⏸ Pause").click()
    page.get_by_role("button", name="▶ Play").wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    paused = page.evaluate(CURVE_LENGTH)
    time.sleep(2.0)
    assert page.evaluate(CURVE_LENGTH) == paused  # nothing moves while paused
    progress = page.locator('[data-testid="stProgress"]').first.inner_text()
    assert progress.startswith(f"iteration {paused:,} of 3,000") and "paused" in progress
    page.screenshot(path=str(SHOTS / "Comparison_live_sine.png"), full_page=True)
    assert_clean(page, console)
    context.close()


def test_closing_a_playing_tab_stops_its_work(browser, server):
    from serverhelpers import SERVERS
    from test_classroom import idle_cpu

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page, _ = open_page(context, f"{server}/?data=sine&iterations=20000&tab=live", drawn=PLAY)
    page.locator('[data-testid="stSelectbox"]', has_text="speed").click()
    page.get_by_role("option", name="as fast as it trains").click()
    _wait_idle(page)
    page.get_by_role("button", name="▶ Play").click()
    page.locator('[data-testid="stProgress"]', has_text="playing").wait_for(timeout=TIMEOUT_MS)
    context.close()  # the tab goes, playing
    time.sleep(1.0)
    assert idle_cpu(SERVERS[server]) < 0.5  # a run still playing would use ~2 s here


def test_the_exercise_typed_in_the_browser_is_checked_and_a_dropped_mask_named(browser, server):
    from twolayer.exercise import BLANKS

    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    page, console = open_page(context, f"{server}/Exercise")
    for blank in BLANKS:
        text = blank.answer if blank.number != 2 else \
            "grad_h = grad_y_pred @ w2.T\ngrad_w1 = x.T @ grad_h"
        page.get_by_label(f"Blank {blank.number}").fill(text)
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_text("6 of 7").wait_for(timeout=TIMEOUT_MS)
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert page.get_by_text("ReLU mask dropped:").count() == 1
    page.get_by_text("Blank 2 · ").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "Exercise_relu_mask.png"))
    assert page.get_by_text("Correct at every point checked.").count() == 6
    assert "attempt=" in page.url  # the address bar carries the attempt
    shared = context.new_page()  # ...and opens it checked
    shared.goto(page.url)
    shared.get_by_text("6 of 7").wait_for(timeout=TIMEOUT_MS)
    shared.wait_for_function(  # the area fills in once drawn
        "document.querySelector('textarea[aria-label=\"Blank 2\"]')"
        "?.value.startsWith('grad_h = grad_y_pred')", timeout=TIMEOUT_MS)
    page.get_by_label("Blank 2").fill(BLANKS[1].answer)
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_text("7 of 7").wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.screenshot(path=str(SHOTS / "Exercise.png"), full_page=True)
    assert_clean(page, console)
    context.close()


def test_a_class_zip_uploaded_to_the_grade_page_reads_back_as_table_chart_and_csv(
        browser, server, tmp_path):
    import csv

    from classfiles import make_class, zipped

    from twolayer.grading import batch, gradebook, submissions

    files = make_class(4, seed=2) + [("class/mallory/homework.ipynb", b"not json")]
    path = tmp_path / "class.zip"
    path.write_bytes(zipped(files))
    expected = list(batch.grade_all(submissions.from_uploads([("class.zip", zipped(files))])))
    context = browser.new_context(viewport={"width": 1400, "height": 1200},
                                  accept_downloads=True)
    # Without the file picker, the table's own "Download as CSV" saves through a download
    context.add_init_script("window.showSaveFilePicker = undefined;")
    page, console = open_page(context, f"{server}/Grade")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("Files graded").wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    # the table, as the browser holds it
    table = page.locator("[data-testid='stDataFrame']").first
    table.hover()
    with page.expect_download() as shown:
        table.get_by_role("button", name="Download as CSV").click()
    rows = list(csv.DictReader(open(shown.value.path(), encoding="utf-8-sig")))
    marks = gradebook.table(expected)
    assert [r["student"] for r in rows] == marks["student"]
    assert [r["blank 2"] for r in rows] == marks["blank 2"]
    assert [r["score"] for r in rows] == [str(s) if s is not None else "" for s in
                                          marks["score"]]
    # the per-blank chart, as plotly.js drew it
    drawn = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot'))[0]"
                          "._fullData.map(t => [t.name, Array.from(t.x)])")
    _, shares = gradebook.status_shares(expected)
    assert [name for name, _ in drawn] == ["correct", "wrong", "rejected", "missing"]
    for name, values in drawn:
        assert values == pytest.approx(shares[name])
    # the gradebook download
    with page.expect_download() as saved:
        page.get_by_role("button", name="Gradebook (.csv)").click()
    assert pathlib.Path(saved.value.path()).read_bytes().decode() == gradebook.csv_text(expected)
    assert page.get_by_text("not graded: it is not a Jupyter notebook").count() == 1
    page.mouse.move(0, 0)
    page.screenshot(path=str(SHOTS / "Grade.png"), full_page=True)
    assert_clean(page, console)
    context.close()


def test_question_1_built_in_the_browser_is_drawn_and_checked(browser, server):
    from twolayer.question.reference import TEXT

    context = browser.new_context(viewport={"width": 1400, "height": 1300})
    page, console = open_page(context, f"{server}/Exercise")
    area = page.get_by_role("textbox", name="Your graph")
    area.fill(TEXT.replace("h_relu @ w2", "w2 @ h_relu"))  # operands swapped first
    area.press("Control+Enter")
    page.get_by_text("do not chain in this order").wait_for(timeout=TIMEOUT_MS)
    charts = page.locator("[data-testid='stGraphVizChart'] svg")
    charts.first.wait_for(timeout=TIMEOUT_MS)
    assert "#c0392b" in charts.first.inner_html().lower()  # the product drawn in red
    area.fill(TEXT)
    area.press("Control+Enter")
    page.get_by_text("Your graph is the assignment's").wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    forward, backward = charts.nth(0), charts.nth(1)
    drawn = forward.locator("text").all_text_contents()
    assert {"x", "w1", "h", "h_relu", "y_pred", "loss", "relu", "matmul"} <= set(drawn)
    assert any(t.startswith("grad_w1 = x.T @ grad_h") for t in
               backward.locator("text").all_text_contents())
    assert "graph=" in page.url  # the address bar carries the graph
    page.mouse.move(0, 0)
    page.get_by_role("heading", name="Question 1 · the computational graph") \
        .scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "Question_1.png"))
    assert_clean(page, console)
    context.close()


# What a visitor reads on a page: the main block and the sidebar, without code, math,
# and the charts (their titles are read from plotly.js's own layout)
PROSE_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stSidebar"]')].map(block => {
  const copy = block.cloneNode(true);
  copy.querySelectorAll('pre, code, .katex, svg, .js-plotly-plot, [data-testid="stCode"]')
      .forEach(node => node.remove());
  return copy.innerText;
}).join('\\n')"""
AXIS_TITLES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot =>
  [plot._fullLayout.title.text, plot._fullLayout.xaxis.title.text,
   plot._fullLayout.yaxis.title.text, ...plot._fullData.map(trace => trace.name)])"""


def test_a_chinese_browser_gets_the_app_in_chinese_and_the_switch_holds(browser, server):
    from textscan import RUN

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    console = Console(page)
    page.goto(server)
    page.get_by_role("heading", name="手动反向传播与自动求导").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2",
                           timeout=TIMEOUT_MS)  # both methods' curves
    _wait_idle(page)
    assert RUN.findall(page.evaluate(PROSE_JS)) == []
    titles = [text for text in page.evaluate(AXIS_TITLES_JS) if text]
    assert titles and all(RUN.search(text) is None for text in titles)
    assert any("迭代" in text for text in titles)  # the axis: the glossary's word
    assert "lang=" not in page.url  # the browser's own language: links stay neutral
    page.mouse.move(0, 0)
    page.screenshot(path=str(SHOTS / "zh-comparison.png"))
    # the switch: English for the rest of the visit, on the next page and in its link
    page.locator(SIDEBAR).get_by_text("English", exact=True).click()
    page.get_by_role("heading", name=PAGES[""][0]).wait_for(timeout=TIMEOUT_MS)
    page.locator(SIDEBAR).get_by_role("link", name="Lock-step").click()
    page.get_by_role("heading", name=PAGES["Lock_step"][0]).wait_for(timeout=TIMEOUT_MS)
    _wait_idle(page)
    assert "lang=en" in page.url
    shared = context.new_page()  # the copied link opens in English, in a Chinese browser
    shared.goto(page.url)
    shared.get_by_role("heading", name=PAGES["Lock_step"][0]).wait_for(timeout=TIMEOUT_MS)
    assert_clean(page, console)
    context.close()
