"""Headless Chromium from Debian's packages, driven by Selenium through Debian's chromedriver."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = (390, 844)
DESKTOP = (1280, 900)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--lang=zh-CN",
)


class Browser:
    """One Chromium with a fresh profile; ``shot`` saves full-page screenshots."""

    def __init__(self, shots: Path, size: tuple[int, int] = DESKTOP) -> None:
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in (
            *FLAGS,
            f"--user-data-dir={self.profile}",
            f"--window-size={size[0]},{size[1]}",
        ):
            options.add_argument(flag)
        self.driver: WebDriver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        self.shots = shots
        self.size = size

    def open(self, url: str) -> None:
        self.driver.get(url)

    def fill(self, field: str, value: str) -> None:
        box = self.driver.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)

    def pick(self, field: str, value: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f"#{field} option[value='{value}']").click()

    def click(self, element_id: str) -> None:
        self.driver.find_element(By.ID, element_id).click()

    def wait_for(self, element_id: str, timeout_s: float = 60) -> None:
        """Wait until the page that a click leads to shows ``element_id``."""
        WebDriverWait(self.driver, timeout_s).until(
            expected_conditions.presence_of_element_located((By.ID, element_id))
        )

    def text(self, element_id: str) -> str:
        return str(self.driver.find_element(By.ID, element_id).text)

    def shot(self, name: str) -> Path:
        """A screenshot of the whole page at the browser's width."""
        height = int(self.driver.execute_script("return document.body.scrollHeight"))
        self.driver.set_window_size(self.size[0], max(self.size[1], height + 40))
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(*self.size)
        return path

    def close(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
