"""The dashboard page in headless Chromium, driven by Selenium, against a live API server,
and a cross-site page's form POST to that server.

Skips, saying why, where Debian's `chromium` and `chromium-driver` are not installed.
"""

import functools
import http.server
import shutil
import threading

import pytest

from discovery.api import ApiServer
from discovery.api_config import HttpConfig
from discovery.jobs import job_spec, submit_job
from discovery.lineage import lineage
from discovery.report import best_curve
from discovery.runner import run_task
from discovery.testing import SPHERE_EVALUATOR, VECTOR_EVOLUTION_ONLY, write_task
from memory import Store
from memory.jobs import JobQueue
from tests.fixtures.ensemble import finished_ensemble_job

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Chromium and its driver (Debian: chromium chromium-driver)",
)
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium under Selenium, with the system's driver (nothing downloaded)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    yield driver
    driver.quit()


def cards(driver, section):
    return [
        card.get_attribute("data-hash")
        for card in driver.find_elements(By.CSS_SELECTOR, f"#{section} .card")
    ]


def test_clicking_a_job_shows_its_curve_top_candidates_and_lineage(tmp_path, browser):
    home = tmp_path / "home"
    store = Store.at_home(home)
    # without refinements the best descends from earlier candidates: a lineage to show
    task = write_task(
        tmp_path / "task", evaluation={"sandbox": False}, proposer=VECTOR_EVOLUTION_ONLY
    )
    done = submit_job(store, task, name="done")
    waiting = submit_job(store, task, name="waiting")
    run_task(job_spec(store, done), store, home / "results", resume=done.run_id)
    JobQueue(store).transition(done.id, ("queued",), state="finished")
    improvements = len(best_curve(store.get_run(done.run_id), store.history(done.run_id))[0])
    top = [record.hash for record in store.top(done.run_id, 5)]
    best = store.best(done.run_id)
    ancestry = [record.hash for record in lineage(store, done.run_id, best)]
    server = ApiServer(store, home, HttpConfig(port=0, token="t0ken"))
    server.start()
    try:
        browser.get(f"{server.url}/#token=t0ken")
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.job")) == 2)
        states = {
            row.get_attribute("data-job"): row.find_element(By.CSS_SELECTOR, ".state").text
            for row in browser.find_elements(By.CSS_SELECTOR, "tr.job")
        }
        assert states == {done.id: "finished", waiting.id: "queued"}
        assert "40 / 40" in browser.find_element(By.ID, "jobs").text
        browser.find_element(By.CSS_SELECTOR, f'tr.job[data-job="{done.id}"]').click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#plot polyline"))
        wait.until(lambda d: cards(d, "top") and cards(d, "lineage"))
        # the page redraws every 2 s: read each figure again if a redraw replaced it
        steady = WebDriverWait(browser, 30, ignored_exceptions=[StaleElementReferenceException])
        points = steady.until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#plot polyline").get_attribute("points")
        )
        shown_top = steady.until(lambda d: cards(d, "top"))
        shown_lineage = steady.until(lambda d: cards(d, "lineage"))
        top_text = steady.until(lambda d: d.find_element(By.ID, "top").text)
        lineage_text = steady.until(lambda d: d.find_element(By.ID, "lineage").text)
        best_shown = steady.until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#top pre.candidate").text
        )
    finally:
        server.stop()
        store.close()
    # a horizontal then vertical step per improvement, then flat to the last evaluation
    assert len(points.split()) == 2 * improvements + 1
    assert shown_top == top
    assert shown_lineage == ancestry
    assert len(ancestry) >= 2 and "rank 1 #" in top_text and "ancestor 1 #" in lineage_text
    assert best_shown == best.content  # a vector: plain text


# The sphere's distance cubed: any run that improves at all spans a few decades, so the log
# scale is tested whatever the optimizer reaches in 48 evaluations.
WIDE_RANGE_EVALUATOR = """
def evaluate(candidate, target=0.3):
    distance = sum((x - target) ** 2 for x in candidate) ** 3
    return {"score": -distance, "distance": distance}
"""


def test_two_jobs_side_by_side_with_titled_axes_a_log_scale_and_an_address(tmp_path, browser):
    home = tmp_path / "home"
    store = Store.at_home(home)
    task = write_task(
        tmp_path / "task",
        WIDE_RANGE_EVALUATOR,
        objective={"metric": "distance", "direction": "minimize"},
        evaluation={"sandbox": False},
        budget={"evaluations": 48},
    )
    jobs = [submit_job(store, task, name=name, seed=seed) for seed, name in enumerate("ab")]
    for job in jobs:
        run_task(job_spec(store, job), store, home / "results", resume=job.run_id)
    first, second = (job.id for job in jobs)
    server = ApiServer(store, home, HttpConfig(port=0, token="t0ken"))
    server.start()
    try:
        browser.get(f"{server.url}/#token=t0ken&job={first}&compare={second}")
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#plot polyline")) == 2)
        wait.until(lambda d: cards(d, "top"))
        legend = [
            e.text for e in browser.find_elements(By.CSS_SELECTOR, "#plot text[class^=legend]")
        ]
        x_title = browser.find_element(By.ID, "x-title").text
        y_title = browser.find_element(By.ID, "y-title").text
        bars = browser.find_elements(By.CSS_SELECTOR, "#top .card:first-child svg.vector rect")
        browser.find_element(By.CSS_SELECTOR, f'tr.job[data-job="{second}"]').click()
        wait.until(lambda d: f"job={second}" in d.current_url)
        address = browser.current_url
    finally:
        server.stop()
        store.close()
    assert legend == [first, second]
    assert x_title == "evaluations"
    assert y_title == "best distance (minimize), log scale"  # the cube spans many decades
    assert len(bars) == 4  # the 4-d vector of the best candidate, one bar per coordinate
    assert "token=t0ken" in address and f"job={second}" in address


HOSTILE_METRIC = '<img src=x onerror="window.pwned = document.title = location.hash">'
HOSTILE_EVALUATOR = f"""
def evaluate(candidate):
    return {{{HOSTILE_METRIC!r}: -sum((x - 0.3) ** 2 for x in candidate)}}
"""


def served_job(tmp_path, source, name, **fields):
    """An 8-evaluation job of `source` run to its end, and a started API server over it."""
    home = tmp_path / "home"
    store = Store.at_home(home)
    fields = {"evaluation": {"sandbox": False}, "budget": {"evaluations": 8}, **fields}
    job = submit_job(store, write_task(tmp_path / "task", source, **fields), name=name)
    run_task(job_spec(store, job), store, home / "results", resume=job.run_id)
    server = ApiServer(store, home, HttpConfig(port=0, token="t0ken"))
    server.start()
    return store, job, server


def test_a_hostile_metric_and_job_name_are_shown_as_text(tmp_path, browser):
    store, job, server = served_job(
        tmp_path,
        HOSTILE_EVALUATOR,
        "<b id=bold>name</b>",
        objective={"metric": HOSTILE_METRIC, "direction": "maximize"},
    )
    try:
        browser.get(f"{server.url}/#token=t0ken&job={job.id}")
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "tr.job"))
        wait.until(lambda d: cards(d, "top"))
        best_cell = browser.find_element(By.CSS_SELECTOR, "tr.job td.best").text
        row_text = browser.find_element(By.CSS_SELECTOR, "tr.job").text
        injected = browser.find_elements(By.CSS_SELECTOR, "#jobs img, #jobs b, #top img")
        pwned = browser.execute_script("return window.pwned")
        title = browser.title
        top_text = browser.find_element(By.ID, "top").text
    finally:
        server.stop()
        store.close()
    assert best_cell.startswith(HOSTILE_METRIC + " = ")
    assert "<b id=bold>name</b>" in row_text
    assert HOSTILE_METRIC in top_text  # the candidate cards' metric names, as text too
    assert injected == [] and pwned is None and "t0ken" not in title


DRAWING_EVALUATOR = (
    SPHERE_EVALUATOR
    + """

def render(candidate):
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
        '<rect width="120" height="60" fill="#36c"/>'
        '<image href="nowhere.png" onerror="window.pwned = 1"/>'
        '<script>window.pwned = 1</script></svg>'
    )
"""
)


DECODED_DRAWING_WIDTH = """
const image = document.querySelector('#top img.drawing');
return image && image.complete ? image.naturalWidth : null;
"""


def test_a_task_drawing_shows_as_an_image_whose_script_never_runs(tmp_path, browser):
    store, job, server = served_job(
        tmp_path, DRAWING_EVALUATOR, "drawn", render="evaluator.py:render"
    )
    try:
        browser.get(f"{server.url}/#token=t0ken&job={job.id}")
        wait = WebDriverWait(browser, 30)
        # one script call per look: the page redraws its cards, so a held element goes stale
        width = wait.until(lambda d: d.execute_script(DECODED_DRAWING_WIDTH))
        pwned = browser.execute_script("return window.pwned")
    finally:
        server.stop()
        store.close()
    assert width == 120  # the browser decoded the task's SVG
    assert pwned is None


def serve_page(folder, text):
    """Serve `text` as index.html from another origin (another port); the server and url."""
    (folder / "index.html").write_text(text)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"


@pytest.mark.parametrize("enctype", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_cross_site_form_post_from_a_real_browser_does_not_cancel(tmp_path, browser, enctype):
    home = tmp_path / "home"
    store = Store.at_home(home)
    job = submit_job(store, write_task(tmp_path / "task"))
    api = ApiServer(store, home, HttpConfig(port=0))
    api.start()
    (tmp_path / "evil").mkdir()
    page, url = serve_page(
        tmp_path / "evil",
        f'<form method="post" enctype="{enctype}" action="{api.url}/api/jobs/{job.id}/cancel">'
        "<input name='{\"a\":\"' value='b\"}'></form>"
        "<script>document.forms[0].submit()</script>",
    )
    try:
        browser.get(url)
        WebDriverWait(browser, 30).until(lambda d: d.current_url.startswith(api.url))
        answer = browser.find_element(By.TAG_NAME, "body").text
        state = JobQueue(store).get(job.id).state
    finally:
        page.shutdown()
        api.stop()
        store.close()
    assert "Content-Type: application/json" in answer  # the form did reach the API
    assert state == "queued"


def test_an_ensemble_jobs_models_are_tabled_with_their_records(tmp_path, browser):
    home = tmp_path / "home"
    store = Store.at_home(home)
    job = finished_ensemble_job(tmp_path / "task", store, home)
    records = store.get_run(JobQueue(store).get(job).run_id).engine_state["proposer"]["models"]
    plain = submit_job(store, write_task(tmp_path / "plain", evaluation={"sandbox": False}))
    server = ApiServer(store, home, HttpConfig(port=0, token="t0ken"))
    server.start()
    try:
        browser.get(f"{server.url}/#token=t0ken&job={job}")
        wait = WebDriverWait(browser, 30)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.model")) == 2)
        rows = {
            row.get_attribute("data-model"): [c.text for c in row.find_elements(By.TAG_NAME, "td")]
            for row in browser.find_elements(By.CSS_SELECTOR, "tr.model")
        }
        visible = browser.find_element(By.ID, "models-section").is_displayed()
        browser.find_element(By.CSS_SELECTOR, f'tr.job[data-job="{plain.id}"]').click()
        wait.until(lambda d: not d.find_element(By.ID, "models-section").is_displayed())
    finally:
        server.stop()
        store.close()
    good = records["good"]
    assert visible
    assert rows["good"][:3] == ["good", str(good["picks"]), str(good["calls"])]
    assert rows["good"][4] == f"{good['cost_usd']:.4f}" and rows["good"][6] == "1.000"
    assert rows["bad"][3] == "0.000" and rows["bad"][6] == "0.000"
