"""Each layer above the models, over the fast tier's stand-ins (``tests.fakes``): drafting,
its cancellation, the local API through the `openai` client, and the store's index and
search. The same layers are tested again through llama.cpp and the sentence-transformer
in the slow tier (test_drafting, test_server, test_retrieval)."""

from __future__ import annotations

import threading
import time

import pytest

from app.drafting import DraftingService, DraftRequest
from app.server import DraftServer
from store.api import Store
from store.jobs import CancelToken
from tests.fakes import HashingEmbedder, ScriptedRuntime
from tests.mailfactory import message
from trainer.engine.pool import Engine

PANES = ("Subject: The panes\n\nHi Stan,\n\nThe two panes arrived this morning. Does "
         "Thursday suit you to fit them?\n\nThanks,\nMe")


def _service(home, **options) -> DraftingService:
    engine = Engine(runtime_factory=ScriptedRuntime.factory(**options))
    return DraftingService(home=home, engine=engine)


def _runtime(service: DraftingService) -> ScriptedRuntime:
    (runtime,) = service.engine.loaded()
    return runtime


def test_a_draft_streams_from_the_engine_and_comes_out_shaped(isolated_home):
    service = _service(isolated_home, script=lambda prompt, params: PANES)
    try:
        events = list(service.stream_draft(DraftRequest(
            "tell Stan the panes arrived; ask if Thursday suits", recipient="stan@example.org",
            use_rag=False, candidates=1)))
    finally:
        service.close()
    streamed = "".join(e.text for e in events if e.kind == "token")
    draft = next(e.draft for e in events if e.kind == "draft")
    assert "The two panes arrived this morning" in streamed
    assert draft.subject == "The panes" and "Subject:" not in draft.text
    assert "Does Thursday suit you" in draft.text and draft.model
    prompt, params = _runtime(service).requests[0]
    assert "tell Stan the panes arrived" in prompt and params.stop  # the format's stops
    assert draft.prompt == prompt and draft.adapter is None


def test_stop_ends_a_draft_between_two_words(isolated_home):
    words = "Hi Sam,\n\n" + " ".join(f"Line {n} of the note." for n in range(100))
    service = _service(isolated_home, script=lambda prompt, params: words,
                       seconds_per_word=0.02)
    token = CancelToken()
    seen: list[str] = []
    try:
        started = time.monotonic()
        for event in service.stream_draft(DraftRequest("write a long note", use_rag=False,
                                                       candidates=1, cancel=token)):
            if event.kind == "token":
                seen.append(event.text)
                if len(seen) == 3:
                    token.cancel()
            if event.kind == "draft":
                draft = event.draft
    finally:
        service.close()
    assert time.monotonic() - started < 5
    assert draft.stop_reason == "cancelled" and len(draft.text.split()) < 20


def test_two_requests_at_once_each_run_with_their_own_adapter(isolated_home):
    from trainer.engine.models import ModelCatalogue
    from trainer.registry import register_adapter

    adapter = isolated_home / "style.gguf"
    adapter.write_bytes(b"GGUF")  # the stand-in never reads it
    model = ModelCatalogue(isolated_home).default_name()
    register_adapter("run-1", {"model": model, "path": str(adapter)}, home=isolated_home)
    service = _service(isolated_home, script=lambda prompt, params: PANES,
                       seconds_per_word=0.005)
    drafts: dict[bool, object] = {}

    def draft(use_adapter: bool) -> None:
        drafts[use_adapter] = service.draft(DraftRequest(
            "tell Stan the panes arrived", use_rag=False, use_adapter=use_adapter,
            candidates=1))

    try:
        threads = [threading.Thread(target=draft, args=(on,)) for on in (True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        service.close()
    assert drafts[True].adapter == "run-1" and drafts[False].adapter is None
    ran_with = {params.adapter for _, params in _runtime(service).requests}
    assert ran_with == {str(adapter), None}


def test_the_local_api_answers_an_openai_client(isolated_home):
    openai = pytest.importorskip("openai")
    service = _service(isolated_home, script=lambda prompt, params: PANES)
    server = DraftServer(service, "127.0.0.1", 0, home=isolated_home)
    server.serve_in_thread()
    try:
        client = openai.OpenAI(base_url=server.url, api_key=server.token, max_retries=0,
                               timeout=30)
        ask = {"model": client.models.list().data[0].id, "messages": [
            {"role": "user",
             "content": "tell Stan the panes arrived this morning; ask if Thursday suits"}]}
        whole = client.chat.completions.create(**ask).choices[0].message.content
        pieces = [chunk.choices[0].delta.content or ""
                  for chunk in client.chat.completions.create(**ask, stream=True)]
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=server.url, api_key="wrong", max_retries=0).models.list()
    finally:
        server.stop()
        service.close()
    assert "The two panes arrived this morning" in whole
    assert "".join(pieces).rstrip() == whole.rstrip()


def test_imported_mail_is_found_by_what_it_says(isolated_home, tmp_path):
    mail = tmp_path / "mail"
    mail.mkdir()
    bodies = {"glass": "The glazier quoted 1,840 pounds for the greenhouse panes.",
              "bees": "The beekeeping course starts in April; gloves are provided.",
              "rota": "The cleaning rota for next week is attached."}
    for n, (name, body) in enumerate(bodies.items()):
        (mail / f"{name}.eml").write_bytes(bytes(message(n, subject=name, body=body)))
    embedder = HashingEmbedder()
    with Store(isolated_home, embedder=embedder) as store:
        report = store.import_paths([mail])
        hits = store.search("greenhouse panes quoted by the glazier", k=3)
    assert report.imported == 3 and report.indexed_chunks >= 3
    assert hits and hits[0].subject == "glass"
    # Texts that share words are close; texts that share none are not.
    glass, bees = embedder.embed([bodies["glass"], bodies["bees"]])
    query = embedder.embed_query("greenhouse panes")
    assert float(query @ glass) > 0.2 > abs(float(query @ bees))
