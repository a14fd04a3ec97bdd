"""Qt helpers shared by the GUI tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QDesktopServices


class UrlCatcher(QObject):
    """Stands in for the browser and the mail client: what the app asks the desktop to open."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    @Slot("QUrl")
    def open(self, url) -> None:
        self.urls.append(url.toString())


@pytest.fixture(name="urls")
def url_catcher():
    catcher = UrlCatcher()
    for scheme in ("mailto", "file"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    yield catcher
    for scheme in ("mailto", "file"):
        QDesktopServices.unsetUrlHandler(scheme)
