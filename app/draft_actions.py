"""What a drafting window does besides drafting, kept out of the Qt layer: the model
picker's choices, and keeping an accepted draft for the next night's training."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from app.drafting import Draft, DraftingService, DraftRequest
from app.training_status import pending_count
from trainer.engine.models import ModelCatalogue
from trainer.feedback import Feedback, record_feedback
from trainer.registry import active_adapter


def model_choices(home: Path | None = None) -> tuple[list[str], str, dict[str, bool]]:
    """(model names, the default, whether each has a trained adapter)."""
    catalogue = ModelCatalogue(home)
    names = catalogue.names()
    return names, catalogue.default_name(), {n: active_adapter(n, home) is not None
                                             for n in names}


def keep_accepted(service: DraftingService, request: DraftRequest, draft: Draft,
                  proposed: str) -> int:
    """Keep the user's final text with its request (``proposed`` is what the model wrote,
    to see how much they changed); returns how many now wait for training."""
    thread, _ = service.thread_for(request)
    record_feedback(Feedback(
        instruction=request.instruction, text=draft.text, subject=draft.subject,
        recipient=request.recipient, reply_to=asdict(thread) if thread else None,
        draft=proposed, model=draft.model), service.home)
    return pending_count(service.home)
