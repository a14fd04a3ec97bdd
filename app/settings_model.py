"""The settings dialog's model, without Qt: every layer's typed settings read at once
(a broken table reported, never fatal), the model list with labels, and the model
catalogue's changes. The dialog edits these and saves each through its own ``save()``."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from app import autostart
from app.drafting import DraftSettings
from app.privacy import human_bytes
from app.schedule_settings import ScheduleSettings
from store.settings import SettingsError, data_home
from trainer.config import TrainSettings
from trainer.engine.context import profile_for
from trainer.engine.models import ModelCatalogue, ModelError, packaged_models
from trainer.engine.prompts import Profile


@dataclass
class Loaded:
    """Everything the pages show, read on the store thread."""

    home: Path
    drafting: DraftSettings
    training: TrainSettings
    profile: Profile
    schedule: ScheduleSettings
    models: list[dict]  # name, label, default, user (added by the user), error
    default_model: str
    mail_name: str  # the name the user's own mail is sent under, a hint for the profile
    problems: list[str]
    start_at_login: bool = False


def _load_section(cls, problems: list[str]):
    try:
        return cls.load()
    except SettingsError as exc:
        problems.append(str(exc))
        return cls()


def read_models() -> tuple[list[dict], str]:
    """Every model the catalogue knows, labelled for the Models page, and the default."""
    catalogue = ModelCatalogue()
    default = catalogue.default_name()
    rows = []
    packaged = packaged_models()
    for name in catalogue.names():
        row = {"name": name, "default": name == default, "label": name, "error": "",
               "packaged": name in packaged}
        if "assemble" in packaged.get(name, {}):
            # Its file is put together from its package on first use (hundreds of MB):
            # not worth doing just to show a label.
            row["label"] = f"{name} — packaged, prepared on first use"
            rows.append(row)
            continue
        try:
            info = catalogue.info(name)
            row["packaged"] = info.packaged
            row["downloaded"] = bool(info.source)
            row["label"] = (f"{name} — {info.display_name}, {info.architecture}, "
                            f"{info.quantization}, {human_bytes(info.size_bytes)}"
                            + ("" if info.packaged else f" ({info.path})"))
        except (ModelError, OSError) as exc:
            row["error"] = str(exc)
            row["label"] = f"{name} — unusable: {exc}"
        rows.append(row)
    return rows, default


def read_settings(store) -> Loaded:
    """Everything the pages show (call it on the store thread: ``store`` gives the name the
    user's own mail is sent under, a hint for the profile)."""
    problems: list[str] = []
    models, default = read_models()
    loaded = Loaded(
        home=data_home(), drafting=_load_section(DraftSettings, problems),
        training=_load_section(TrainSettings, problems),
        profile=_load_section(Profile, problems),
        schedule=_load_section(ScheduleSettings, problems),
        models=models, default_model=default, mail_name="", problems=problems,
        start_at_login=autostart.is_enabled())
    with contextlib.suppress(SettingsError):  # already reported with its section
        loaded.mail_name = profile_for(store).name
    return loaded


def add_model(path: Path, name: str | None = None) -> str:
    """Add a GGUF file to the catalogue; returns the name it got."""
    return ModelCatalogue().add(path, name).name


def remove_model(name: str) -> bool:
    """Remove a model from the list; a model we downloaded loses its file too (returns
    True then), a file the user added stays where it is."""
    catalogue = ModelCatalogue()
    downloaded = bool(catalogue.source(name))
    catalogue.remove(name)
    return downloaded


def use_model(name: str) -> None:
    ModelCatalogue().use(name)

