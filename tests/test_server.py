"""The local API: loopback only, bearer token, clear 4xx errors, real drafts."""

from __future__ import annotations

import json
import os
import stat
import threading
import urllib.error
import urllib.request

import pytest

from app.drafting import DraftingService
from app.server import DraftServer, UnsafeBind, api_token

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("api-home")
    token = api_token(home)
    service = DraftingService(store=None)
    srv = DraftServer(service, "127.0.0.1", 0, token=token)
    srv.serve_in_thread()
    yield srv, token, home
    srv.shutdown()
    srv.server_close()
    service.close()


def call(server, path, body=None, token=None, raw: bytes | None = None, method="POST"):
    srv, _, _ = server
    url = f"http://127.0.0.1:{srv.server_address[1]}{path}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), dict(exc.headers)


def test_token_is_required_and_private(server):
    _, token, home = server
    assert call(server, "/v1/drafts", {"instruction": "hi"})[0] == 401
    assert call(server, "/v1/drafts", {"instruction": "hi"}, token="wrong")[0] == 401
    assert call(server, "/v1/health", token=token, method="GET")[0] == 200
    mode = stat.S_IMODE(os.stat(home / "api-token").st_mode)
    assert mode == 0o600


def test_bad_requests_get_clear_4xx(server):
    token = server[1]
    status, body, headers = call(server, "/v1/drafts", raw=b"{not json", token=token)
    assert status == 400 and "malformed JSON" in json.loads(body)["error"]["message"]
    assert call(server, "/v1/drafts", {"instruction": ""}, token=token)[0] == 400
    assert call(server, "/v1/drafts", {"instruction": "x", "variants": "2"}, token=token)[0] == 400
    assert call(server, "/v1/nope", {}, token=token)[0] == 404
    big = json.dumps({"instruction": "x" * 300_000}).encode()
    assert call(server, "/v1/drafts", raw=big, token=token)[0] == 413
    assert call(server, "/v1/drafts", token=token, method="OPTIONS")[0] == 403
    assert "Access-Control-Allow-Origin" not in headers


def test_non_loopback_bind_is_refused_without_the_flag():
    with pytest.raises(UnsafeBind, match="only loopback"):
        DraftServer(DraftingService(store=None), "0.0.0.0", 0, token="t")


def test_draft_and_openai_compatible_chat(server):
    token = server[1]
    status, body, _ = call(server, "/v1/drafts", {"instruction": "thank Sam for the rota",
                                                  "max_tokens": 40, "seed": 1}, token=token)
    assert status == 200
    draft = json.loads(body)
    assert draft["text"] and {"subject", "context", "timings", "model", "adapter"} <= set(draft)
    assert {"retrieval_s", "ttft_s", "tokens_per_s"} <= set(draft["timings"])

    status, body, _ = call(server, "/v1/chat/completions", {
        "model": "smollm2-135m", "max_tokens": 30, "seed": 1,
        "messages": [{"role": "user", "content": "ask Sam to water on Tuesday"}]}, token=token)
    reply = json.loads(body)
    assert status == 200 and reply["object"] == "chat.completion"
    assert reply["choices"][0]["message"]["role"] == "assistant"
    assert reply["choices"][0]["message"]["content"]
    assert reply["usage"]["completion_tokens"] > 0

    status, body, headers = call(server, "/v1/chat/completions", {
        "stream": True, "max_tokens": 20, "seed": 1,
        "messages": [{"role": "user", "content": "ask Sam to water on Tuesday"}]}, token=token)
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    events = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


def test_streaming_drafts_endpoint(server):
    status, body, _ = call(server, "/v1/drafts", {"instruction": "thank Sam", "stream": True,
                                                  "max_tokens": 20, "seed": 2},
                           token=server[1])
    events = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
    kinds = [json.loads(e)["type"] for e in events[:-1]]
    assert status == 200 and kinds[0] == "context" and kinds[-1] == "draft"
    assert "token" in kinds and events[-1] == "[DONE]"


def test_concurrent_requests_are_served(server):
    token = server[1]
    statuses = []

    def one():
        statuses.append(call(server, "/v1/drafts", {"instruction": "say thanks",
                                                    "max_tokens": 10}, token=token)[0])

    threads = [threading.Thread(target=one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200, 200, 200]


def test_an_openai_client_lists_models_and_streams_what_it_would_get_whole(server):
    """Through the `openai` package, as Thunderbird add-ons and chat UIs call us: the model
    list first, then a chat completion, streamed and not; both give the same text."""
    openai = pytest.importorskip("openai")
    srv, token, _ = server
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.server_address[1]}/v1",
                           api_key=token, max_retries=0, timeout=300)
    models = [m.id for m in client.models.list()]
    assert models and models[0] == srv.service.catalogue.default_name()
    assert client.models.retrieve(models[0]).id == models[0]
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")
    ask = {"model": models[0], "messages": [
        {"role": "user", "content": "tell Sam the rota is attached; ask if Tuesday suits"}],
        "temperature": 0.0, "seed": 3, "max_tokens": 60}
    whole = client.chat.completions.create(**ask).choices[0].message.content
    pieces = [chunk.choices[0].delta.content or ""
              for chunk in client.chat.completions.create(**ask, stream=True)]
    assert "".join(pieces).rstrip() == whole.rstrip()
    # Temperature 0 is the model's one most likely text, checked and revised as any draft
    # (greedily, so the same request gets the same answer): no placeholder, one subject.
    assert client.chat.completions.create(**ask).choices[0].message.content == whole
    assert whole.count("Subject:") <= 1 and "[" not in whole and "Sam" in whole
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=client.base_url, api_key="wrong", max_retries=0).models.list()


def test_a_streamed_chat_answer_is_the_checked_draft_not_the_models_first_try(server):
    """At the sampling temperature a rival draft may replace the first, and a chat stream can
    only grow: what streams is the checked best draft, the one the client gets whole."""
    openai = pytest.importorskip("openai")
    srv, token, _ = server
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{srv.server_address[1]}/v1",
                           api_key=token, max_retries=0, timeout=300)
    ask = {"model": srv.service.catalogue.default_name(), "seed": 11, "messages": [
        {"role": "user", "content": "Can you help me write to my landlord? The boiler has been off "
                                    "since Sunday. I'm in every evening. Polite but firm."}]}
    whole = client.chat.completions.create(**ask).choices[0].message.content
    streamed = "".join(chunk.choices[0].delta.content or ""
                       for chunk in client.chat.completions.create(**ask, stream=True))
    assert streamed == whole
    assert "boiler" in streamed.lower() and streamed.count("Subject:") <= 1


def test_concurrent_requests_with_different_adapter_settings_each_use_their_own(tmp_path):
    """Two clients at once, one asking for the user's adapter and one for the plain model:
    each answer names the adapter it ran with and is the text that setting gives alone."""
    from tests.lora_fixture import write_random_adapter
    from trainer.engine.models import ModelCatalogue
    from trainer.registry import register_adapter

    info = ModelCatalogue(tmp_path).info()
    path = write_random_adapter(tmp_path / "random.gguf", arch=info.architecture,
                                blocks=info.block_count, n_embd=576)
    register_adapter("run-random", {"model": info.name, "path": str(path)}, home=tmp_path)
    service = DraftingService(home=tmp_path)
    srv = DraftServer(service, "127.0.0.1", 0)
    srv.serve_in_thread()
    try:
        token = srv.token
        ask = {"instruction": "tell Sam the rota is attached; ask if Tuesday suits",
               "temperature": 0.0, "max_tokens": 40, "rag": False}

        def draft(adapter: bool) -> dict:
            status, body, _ = call((srv, token, tmp_path), "/v1/drafts",
                                   {**ask, "adapter": adapter}, token=token)
            assert status == 200, body
            return json.loads(body)

        alone = {flag: draft(flag) for flag in (True, False)}
        assert alone[True]["adapter"] == "run-random" and alone[False]["adapter"] is None
        assert alone[True]["raw_text"] != alone[False]["raw_text"]
        together: list[tuple[bool, dict]] = []
        threads = [threading.Thread(target=lambda f=flag: together.append((f, draft(f))))
                   for flag in (True, False, True, False)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(together) == 4
        from difflib import SequenceMatcher

        for flag, got in together:  # its own adapter's text (see test_drafting on near-ties)
            assert got["adapter"] == alone[flag]["adapter"]
            own, other = alone[flag]["raw_text"], alone[not flag]["raw_text"]
            assert SequenceMatcher(None, got["raw_text"], own).ratio() > \
                SequenceMatcher(None, got["raw_text"], other).ratio()
    finally:
        srv.shutdown()
        srv.server_close()
