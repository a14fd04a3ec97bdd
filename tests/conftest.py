from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_ACCOUNT = REPO.parent / "shared" / "data" / "enron-allen-p"
SAMPLE = REPO / "resources" / "sample"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Session- and module-scoped fixtures run before the per-test home below; they must not
# touch the user's real data home either.
os.environ["AMANUENSIS_HOME"] = tempfile.mkdtemp(prefix="amanuensis-tests-")
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


# Assembled and dequantized models are large and slow to make: one copy serves every test.
SHARED_MODELS = Path(os.environ["AMANUENSIS_HOME"]) / "models"
SHARED_MODELS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread(request):
    """In a test with widgets, garbage is collected on the GUI thread only, as the desktop
    does (``app.qt.collector``): otherwise a worker thread's allocation may destroy a widget
    left in a cycle by the test before, and Qt crashes. Other tests keep Python's own."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield
        return
    import gc
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data home; nothing touches the user's real one."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "models").symlink_to(SHARED_MODELS, target_is_directory=True)
    monkeypatch.setenv("AMANUENSIS_HOME", str(home))
    return home


@pytest.fixture
def hub():
    """A stand-in for the Hugging Face hub on loopback (tests/hub_server.py)."""
    from tests.hub_server import Hub

    server = Hub()
    yield server
    server.close()


def share_models(home: Path) -> Path:
    """Give a fixture's own data home the shared model cache."""
    link = home / "models"
    if not link.exists():
        link.symlink_to(SHARED_MODELS, target_is_directory=True)
    return home


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory) -> Path:
    """The bundled sample persona's mailbox, imported once."""
    from store.api import Store

    home = share_models(tmp_path_factory.mktemp("sample-home"))
    with Store(home) as store:
        store.import_paths([SAMPLE / "mail"])
    return home


@pytest.fixture
def persona_copy(sample_home, tmp_path, monkeypatch) -> Path:
    """This test's own copy of the imported sample persona, as the data home: the test may
    train, forget or delete in it and the session's copy stays as it was."""
    import shutil

    home = tmp_path / "persona"
    shutil.copytree(sample_home, home, symlinks=True)
    monkeypatch.setenv("AMANUENSIS_HOME", str(home))
    return home


def require_shared_account() -> Path:
    if not SHARED_ACCOUNT.is_dir():
        pytest.skip(f"shared test account not found at {SHARED_ACCOUNT}")
    return SHARED_ACCOUNT


@pytest.fixture(scope="session")
def enron_home(tmp_path_factory) -> Path:
    """The whole shared account imported once (real parsing, SQLite, embeddings, chromadb)."""
    account = require_shared_account()
    from store.api import Store

    home = tmp_path_factory.mktemp("enron-home")
    with Store(home) as store:
        report = store.import_paths([account])
    assert report.status == "completed", report.errors
    (home / "first-report.json").write_text(__import__("json").dumps(report.to_json()))
    return home


@pytest.fixture
def enron_store(enron_home):
    from store.api import Store

    with Store(enron_home) as store:
        yield store
