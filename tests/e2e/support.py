"""Helpers of the e2e suite (the fixtures are in conftest.py)."""

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@dataclass(frozen=True)
class Server:
    port: int

    def url(self, host: str, path: str = "/") -> str:
        """URL of a page of the test server: url("alpha", "/gestion/"), url("ops")."""
        return f"http://{host}.localhost:{self.port}{path}"


def shoot(page: Any, name: str) -> list[Path]:
    """var/screenshots/<name>-phone.png and -desktop.png of the current page."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    paths = []
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(size)
    return paths


def unique_email(label: str) -> str:
    return f"e2e-{label}-{uuid.uuid4().hex[:8]}@example.test"
