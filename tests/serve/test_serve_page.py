"""The visual page in a real headless Chromium (Debian's `chromium` + `chromium-driver`, driven by
selenium) against a real server: the page loads, a submitted text shows its outputs by their views
(spans highlighted in the text, sentence-polarity bands, a scores bar chart, the extract marked),
and a screenshot is written as a test artefact (build/test-artefacts/, or $PLAIT_TEST_ARTEFACTS)."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="plait serve is an optional extra: pip install 'plait[serve]'")
pytest.importorskip("uvicorn", reason="plait serve is an optional extra: pip install 'plait[serve]'")
pytest.importorskip("selenium", reason="the browser test needs selenium: pip install selenium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    pytest.skip("no browser: the page test needs Debian's chromium and chromium-driver "
                "(apt-get install -y chromium chromium-driver)", allow_module_level=True)

import uvicorn  # noqa: E402
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import plait  # noqa: E402
import runnertest as support  # noqa: E402
from plait.serve.http_app import create_app  # noqa: E402
from plait.serve.local import LocalBackend  # noqa: E402
from plait.serve.settings import ServeSettings  # noqa: E402
from plaittest import ROOT, build_component_pipeline  # noqa: E402
from serve_support import Server, free_port  # noqa: E402

ARTEFACTS = Path(os.environ.get("PLAIT_TEST_ARTEFACTS", ROOT / "build" / "test-artefacts"))
# what the toy components' output contracts would declare
VIEWS = [{"pipe": "entity_ruler", "field": "entities", "view": "spans", "schema": None},
         {"pipe": "plait_test_sentiment", "field": "sentiment", "view": "sentence-polarity",
          "schema": None},
         {"pipe": "plait_test_cats", "field": "categories", "view": "scores", "schema": None},
         {"pipe": "plait_test_summary", "field": "summary", "view": "extract", "schema": None}]
TEXT = ("Apple opened a new store in London last week. The staff were great and the customers "
        "love it. Alice Smith said the queue was awful.")


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1100,1300", "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


class ThreadServer:
    """A real uvicorn server in a thread of this process, over a pipeline loaded here."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        import httpx

        for _ in range(300):
            try:
                if httpx.get(self.url + "/v1/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server not ready")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


@pytest.fixture(scope="module")
def toy_server(tmp_path_factory):
    nlp = plait.load(support.build_pipeline(tmp_path_factory.mktemp("page") / "toy"))
    settings = ServeSettings(model="toy")
    srv = ThreadServer(create_app(LocalBackend(settings, nlp, views=VIEWS), settings))
    yield srv
    srv.stop()


def submit(driver, url: str, text: str):
    driver.get(url + "/")
    wait = WebDriverWait(driver, 30)
    wait.until(EC.text_to_be_present_in_element((By.ID, "pipeline"), "·"))  # /v1/info arrived
    box = driver.find_element(By.ID, "text")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "run").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article[data-field='record']")))
    return wait


def test_the_page_shows_each_output_by_its_view(browser, toy_server):
    submit(browser, toy_server.url, TEXT)
    assert not browser.find_element(By.ID, "error").is_displayed()
    cards = {c.get_attribute("data-field"): c.get_attribute("data-view")
             for c in browser.find_elements(By.CSS_SELECTOR, "article.card")}
    assert cards == {"entities": "spans", "sentiment": "sentence-polarity", "categories": "scores",
                     "summary": "extract", "record": "meta"}
    marks = browser.find_elements(By.CSS_SELECTOR, "article[data-field='entities'] mark.span")
    found = [(m.find_element(By.CSS_SELECTOR, ".label").text, m.get_attribute("data-label"))
             for m in marks]
    assert found == [("ORG", "ORG"), ("GPE", "GPE"), ("PERSON", "PERSON")]
    assert marks[0].text.startswith("Apple") and "0.75" in marks[0].text  # confidence shown
    colours = {m.get_attribute("data-label"): m.value_of_css_property("background-color")
               for m in marks}
    assert len(set(colours.values())) == 3  # one colour per label
    bands = browser.find_elements(By.CSS_SELECTOR, "article[data-field='sentiment'] .band")
    assert [b.get_attribute("data-label") for b in bands] == ["neutral", "positive", "negative"]
    assert "The staff were great" in bands[1].text and "1.00" in bands[1].text
    overall = browser.find_element(By.CSS_SELECTOR, "article[data-field='sentiment'] .badge")
    assert overall.get_attribute("data-label") in ("positive", "neutral", "negative")
    bars = browser.find_elements(By.CSS_SELECTOR, "article[data-field='categories'] .bars > span[data-label]")
    assert [b.text for b in bars] == ["TECH", "SPORTS"]  # sorted by score
    marked = browser.find_elements(By.CSS_SELECTOR, "article[data-field='summary'] mark.extract")
    assert len(marked) == 1 and marked[0].text in TEXT
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "serve-page.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_highlights_count_code_points_like_the_api(browser, toy_server):
    """The API's offsets count code points; the page must too: an emoji (two UTF-16 units), CJK
    and a combining accent before the entities shift no highlight and cut no sentence band."""
    text = ("\U0001F389 Caf\u0065\u0301 news \u4e2d\u6587: Apple opened a new store in London \U0001F1EC\U0001F1E7 "
            "last week. The staff were great \U0001F600 and the customers love it. "
            "Alice Smith said the queue was awful.")
    submit(browser, toy_server.url, text)
    marks = browser.find_elements(By.CSS_SELECTOR, "article[data-field='entities'] mark.span")
    surfaces = [browser.execute_script("return arguments[0].firstChild.textContent", m) for m in marks]
    assert surfaces == ["Apple", "London", "Alice Smith"]
    bands = browser.find_elements(By.CSS_SELECTOR, "article[data-field='sentiment'] .band > span:first-child")
    texts = [b.text for b in bands]
    assert texts[1].endswith("love it.") and texts[2].endswith("awful."), texts


def test_errors_are_shown_and_fields_without_a_view_as_json(browser, tmp_path):
    # the four real Plait components over the tiny random encoder, served by `plait serve`: fields
    # whose component declares no view (or all, before output contracts) still show, as JSON
    model = build_component_pipeline(tmp_path / "real")
    with Server(model) as srv:
        submit(browser, srv.url, TEXT)
        cards = browser.find_elements(By.CSS_SELECTOR, "article.card")
        shown = {c.get_attribute("data-field") for c in cards} - {"record"}
        import httpx

        result = httpx.post(srv.url + "/v1/process", json={"id": "page", "text": TEXT}).json()
        meta = {"id", "line", "truncated", "segments", "warnings", "errors", "extra"}
        assert shown == {k for k, v in result.items() if k not in meta and v is not None}
        views = {v["field"]: v["view"] for v in httpx.get(srv.url + "/v1/info").json()["outputs"]}
        for card in cards:
            field = card.get_attribute("data-field")
            if field in shown:
                assert card.get_attribute("data-view") == views.get(field, "json")
        browser.find_element(By.ID, "text").clear()
        browser.find_element(By.ID, "text").send_keys("   ")
        browser.find_element(By.ID, "run").click()
        assert "Type or paste a text" in browser.find_element(By.ID, "error").text
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / "serve-page-real-components.png"))
