"""``amanuensis``: the command line over the store (and, later, drafting and training).

Every command that reports something takes ``--json`` and then prints one JSON document on
stdout; progress and messages for people go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from app.console import err as _err  # noqa: E402
from app.console import print_json as _print_json  # noqa: E402
from app.model_commands import add_model_commands, cmd_models  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = 0, 1, 2, 130
EXIT_HOME_IN_USE = 3
# Commands that read only; every other one that touches the data home must own it.
READ_ONLY = {"search", "stats", "export", "export-all", "doctor"}
READ_ONLY_ACTIONS = {"models": {"list", "info", "catalogue"}, "adapters": {"list"}}


def _store():
    from store.api import Store

    return Store()




def cmd_import(args) -> int:
    from store.importer import ImportFilters
    from store.jobs import CancelToken
    from store.terminal import TerminalProgress, cancel_on_ctrl_c

    filters = None
    if args.after or args.before or args.folder or args.no_received:
        filters = ImportFilters(after=_parse_date(args.after), before=_parse_date(args.before),
                                folders=args.folder, include_received=not args.no_received)
    token = CancelToken()
    bar = TerminalProgress()
    try:
        with cancel_on_ctrl_c(token, "Stopping after the current message; press Ctrl-C "
                              "again to abort."), _store() as store:
            report = store.import_paths([Path(p) for p in args.paths], me=args.me,
                                        filters=filters, progress=bar, cancel=token)
    finally:
        bar.close()
    if args.json:
        _print_json(report.to_json())
    else:
        _print_import_report(report)
    if report.status == "cancelled":
        return EXIT_CANCELLED
    return EXIT_FAILED if report.failed else EXIT_OK


def _print_import_report(report) -> None:
    out = sys.stdout
    state = "Import finished" if report.status == "completed" else "Import cancelled (resumable)"
    out.write(f"{state} in {report.elapsed_s:.1f}s from {report.sources} source(s).\n")
    out.write(f"  imported      {report.imported} messages, {report.documents} documents\n")
    by = ", ".join(f"{k}: {v}" for k, v in sorted(report.duplicates_by.items()))
    out.write(f"  duplicates    {report.duplicates}" + (f" ({by})" if by else "") + "\n")
    if report.already_imported:
        out.write(f"  already had   {report.already_imported}\n")
    for reason, count in sorted(report.skipped.items()):
        out.write(f"  skipped       {count} ({reason})\n")
    out.write(f"  indexed       {report.indexed_chunks} chunks\n")
    identity = report.identity
    if identity.get("origin") == "suggested":
        if identity.get("addresses"):
            out.write("  you are       " + ", ".join(identity["addresses"])
                      + "  (guessed from your sent folders; correct with --me ADDRESS)\n")
        else:
            out.write("  you are       unknown: no sent folder found; pass --me ADDRESS\n")
    elif identity.get("addresses"):
        out.write("  you are       " + ", ".join(identity["addresses"]) + "\n")
    if report.errors:
        out.write(f"{len(report.errors)} problem(s):\n")
        for error in report.errors:
            out.write(f"  {error['file']}: {error['reason']}\n")
    if report.warnings:
        out.write(f"{len(report.warnings)} message(s) imported with warnings, e.g.:\n")
        for warning in report.warnings[:5]:
            out.write(f"  {warning['file']} {warning['locator']}: {warning['reason']}\n")


def _parse_date(text: str | None):
    if not text:
        return None
    from datetime import UTC

    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_search(args) -> int:
    from store.retrieval import SearchFilters

    filters = SearchFilters(
        own=True if args.own else (False if args.others else None),
        sender=args.sender, kind=args.kind, folder=args.folder,
        since=_parse_date(args.since), until=_parse_date(args.until),
    )
    with _store() as store:
        hits = store.search(args.query, k=args.k, filters=filters)
    if args.json:
        _print_json([h.to_json() for h in hits])
        return EXIT_OK
    if not hits:
        print("No matches.")
    for rank, hit in enumerate(hits, 1):
        who = hit.sender or "document"
        when = hit.date[:10] if hit.date else ""
        mine = " (you)" if hit.own and hit.kind == "email" else ""
        print(f"{rank:2d}. [{hit.score:.4f}] {when} {who}{mine} — {hit.subject}")
        snippet = " ".join(hit.text.split())
        print(f"    {snippet[:200]}{'…' if len(snippet) > 200 else ''}")
        print(f"    id {hit.message_id}  from {hit.source}" if hit.message_id
              else f"    {hit.document}")
    return EXIT_OK


def cmd_stats(args) -> int:
    with _store() as store:
        stats = store.stats()
    if args.json:
        _print_json(stats)
        return EXIT_OK
    print(f"Data home       {stats['home']}")
    print(f"Messages        {stats['messages']} ({stats['own_messages']} yours, "
          f"{stats['other_messages']} from others)")
    print(f"Documents       {stats['documents']}")
    print(f"Threads         {stats['threads']}")
    print(f"Chunks          {stats['chunks']} ({stats['indexed_chunks']} indexed)")
    print(f"Date range      {stats['first_date'] or '-'} … {stats['last_date'] or '-'}")
    print(f"Duplicates seen {stats['duplicates_seen']}")
    print(f"Index size      {stats['index_bytes'] / 1e6:.1f} MB; catalogue "
          f"{stats['catalogue_bytes'] / 1e6:.1f} MB")
    print("You are         " + (", ".join(f"{a} ({o})" for a, o in stats["identity"].items())
                                or "unknown"))
    print(f"Sources         {len(stats['sources'])}")
    for source in stats["sources"]:
        count = (f"{source['documents']:6d} doc " if source["format"] == "document"
                 else f"{source['messages']:6d} msgs")
        print(f"  {count}  {source['format']:<9} {source['path']}")
    return EXIT_OK


def cmd_forget(args) -> int:
    from store.forget import NothingToForget

    what = {k: getattr(args, k) for k in ("sender", "thread", "source", "message")}
    chosen = {k: v for k, v in what.items() if v is not None}
    from app.privacy import forget

    with _store() as store:
        try:
            outcome = forget(store, **chosen)  # with the training data made from it
        except NothingToForget as exc:
            _err(f"amanuensis forget: {exc}")
            return EXIT_FAILED
    result = outcome.result
    data = {"forgotten_messages": result.messages, "forgotten_documents": result.documents,
            "sources": result.sources, "playback_pairs_removed": outcome.playback_pairs_removed,
            "training_runs_discarded": outcome.runs_discarded,
            "feedback_quotes_removed": outcome.feedback_quotes_removed,
            "eval_samples_removed": outcome.eval_samples_removed, **chosen}
    if args.json:
        _print_json(data)
    else:
        print(f"Forgot {result.messages} message(s) and {result.documents} document(s)"
              + (" from " + ", ".join(result.sources) if result.sources else "") + ".")
        if "source" not in chosen:
            print("They stay forgotten when the same mail is imported again.")
    return EXIT_OK


def cmd_export(args) -> int:
    from store.export import to_jsonl, to_mbox

    own = True if args.own else None
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        with _store() as store:
            writer = to_mbox if args.format == "mbox" else to_jsonl
            count = 0
            for piece in writer(store.records(own=own)):
                out.write(piece)
                count += piece.startswith("From ") if args.format == "mbox" else 1
    finally:
        if args.output:
            out.close()
    if args.output:
        _err(f"Exported {count} message(s) to {args.output}.")
    return EXIT_OK


def cmd_export_all(args) -> int:
    from app.privacy import export_everything

    with _store() as store:
        try:
            result = export_everything(store, Path(args.destination),
                                       include_adapters=not args.no_adapters)
        except FileExistsError as exc:
            _err(f"amanuensis export-all: {exc}")
            return EXIT_FAILED
    data = {"destination": str(result.destination), "messages": result.messages,
            "documents": result.documents, "files": result.files}
    if args.json:
        _print_json(data)
    else:
        print(f"Exported {result.messages} message(s), {result.documents} document(s) and "
              f"{len(result.files)} file(s) to {result.destination}.")
    return EXIT_OK


def cmd_delete_all(args) -> int:
    from app.privacy import delete_everything, planned_deletion
    from store.settings import data_home

    home = data_home()
    removed, kept = planned_deletion(home, args.include_model_cache)
    if not args.yes:
        _err(f"amanuensis delete-all: this removes everything Amanuensis keeps in {home}: "
             f"{', '.join(removed) or 'nothing'}. Run again with --yes to do it.")
        return EXIT_USAGE
    result = delete_everything(home, include_model_cache=args.include_model_cache)
    if args.json:
        _print_json({"home": str(home), "removed": result.removed, "kept": result.kept})
    else:
        print(f"Deleted from {home}: {', '.join(result.removed) or 'nothing'}.")
        if result.kept:
            print("Left in place: " + "; ".join(result.kept))
    return EXIT_OK


def cmd_identity(args) -> int:
    with _store() as store:
        if args.set:
            store.set_identity(args.set)
        identity = store.catalogue.identity()
        suggestions = store.suggest_identity()
    data = {"addresses": identity,
            "suggestions": [{"address": s.address, "messages": s.messages, "reason": s.reason}
                            for s in suggestions]}
    if args.json:
        _print_json(data)
        return EXIT_OK
    print("You are: " + (", ".join(f"{a} ({o})" for a, o in identity.items()) or "unknown"))
    for s in suggestions:
        print(f"  suggestion: {s.address} — {s.reason} ({s.messages} messages)")
    return EXIT_OK


def _drafting_service(with_store: bool = True):
    from app.drafting import DraftingService

    store = _store() if with_store else None
    return DraftingService(store=store), store


def cmd_draft(args) -> int:
    from app.drafting import DraftError, DraftRequest
    from trainer.engine.models import ModelError

    request = DraftRequest(
        instruction=args.instruction, reply_to=args.reply_to, recipient=args.to or "",
        tone=args.tone, length=args.length, variants=args.variants, use_rag=not args.no_rag,
        use_adapter=not args.no_adapter, model=args.model, temperature=args.temperature,
        seed=args.seed,
        # Streamed text is final text: no better candidate may replace it afterwards.
        candidates=1 if args.stream and not args.json else None,
    )
    if getattr(args, "hand_off", None):
        try:
            draft = _draft_through(args.hand_off, request)
        except (DraftError, OSError) as exc:
            _err(f"amanuensis draft: the desktop app could not draft it ({exc})")
            return EXIT_FAILED
        _show_handed_off(draft, args)
        return _deliver(draft, args)
    service, store = _drafting_service()
    try:
        if args.stream and not args.json:
            draft = None
            for event in service.stream_draft(request):
                if event.kind == "token":
                    sys.stdout.write(event.text)
                    sys.stdout.flush()
                elif event.kind == "draft":
                    draft = event.draft
                    sys.stdout.write("\n")
                    if request.variants > 1:
                        sys.stdout.write(f"\n--- variant {event.variant + 2}\n"
                                         if event.variant + 1 < request.variants else "")
            if draft is not None:
                _print_draft_footer(draft, cleaned=True)
        else:
            draft = service.draft(request)
            if args.json:
                _print_json(draft.to_json())
            else:
                _print_draft(draft)
    except (DraftError, ModelError) as exc:
        _err(f"amanuensis draft: {exc}")
        return EXIT_FAILED
    finally:
        service.close()
        if store is not None:
            store.close()
    return _deliver(draft, args)


def _deliver(draft, args) -> int:
    from trainer.addressing import asked_address

    to = args.to or asked_address(args.instruction)[1]  # "email jo@acme.com that …"
    if args.save:
        from app.outbox import save_eml

        save_eml(draft, Path(args.save), to=to)
        _err(f"Saved to {args.save}; open it in your mail client to send.")
    if args.mailto:
        from app.outbox import mailto_url

        url = mailto_url(draft, to)
        print(url)
        if args.open:
            import webbrowser

            webbrowser.open(url)
    return EXIT_OK


def _draft_through(api_url: str, request):
    """Draft ``request`` through the local API of the process that owns the data home."""
    import urllib.error
    import urllib.request

    from app.drafting import Draft, DraftError
    from app.server import api_token

    body = {"instruction": request.instruction, "reply_to": request.reply_to,
            "recipient": request.recipient, "tone": request.tone, "length": request.length,
            "variants": request.variants, "rag": request.use_rag,
            "adapter": request.use_adapter, "model": request.model,
            "temperature": request.temperature, "seed": request.seed}
    if request.reply_to and Path(request.reply_to).expanduser().is_file():
        body["reply_to"] = str(Path(request.reply_to).expanduser().resolve())
    call = urllib.request.Request(
        f"{api_url}/drafts", data=json.dumps({k: v for k, v in body.items() if v is not None})
        .encode(), method="POST", headers={"Content-Type": "application/json",
                                           "Authorization": f"Bearer {api_token()}"})
    try:
        with urllib.request.urlopen(call, timeout=600) as response:
            return Draft.from_json(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {exc.code}"
        raise DraftError(message) from None


def _show_handed_off(draft, args) -> None:
    _err("(drafted by the Amanuensis desktop app, which has this data home open)")
    if args.json:
        _print_json(draft.to_json())
    else:
        _print_draft(draft)


def _print_draft(draft) -> None:
    variants = draft.variants or [{"text": draft.text, "subject": draft.subject}]
    for number, variant in enumerate(variants, 1):
        if len(variants) > 1:
            print(f"--- variant {number}")
        if variant["subject"]:
            print(f"Subject: {variant['subject']}\n")
        print(variant["text"])
    _print_draft_footer(draft)


def _print_draft_footer(draft, cleaned: bool = False) -> None:
    err = sys.stderr
    if draft.context:
        err.write("\nWritten with these emails of yours as examples:\n")
        for c in draft.context:
            err.write(f"  [{c.score:.3f}] {c.date} {c.subject} ({c.message_id})\n")
    t = draft.timings
    err.write(f"\n{draft.model}" + (f" + adapter {draft.adapter}" if draft.adapter else "")
              + f" · {draft.prompt_tokens} prompt tokens · retrieval {t['retrieval_s']:.2f}s"
              f" · first token {t['ttft_s']:.2f}s · {t['tokens_per_s']:.0f} tok/s\n")
    if draft.candidates > 1:
        err.write(f"best of {draft.candidates} drafts\n")
    if draft.check.get("filled"):
        err.write(f"put back: {', '.join(draft.check['filled'])}\n")
    if draft.check.get("struck"):
        err.write(f"took out, as nothing you gave has it: {', '.join(draft.check['struck'])}\n")
    if draft.check.get("from_request"):
        went_on = len(draft.check.get("written_on") or [])
        err.write("written from your request: no draft the model wrote said what you asked"
                  + (f"; the model wrote on from it ({went_on} sentence"
                     f"{'s' if went_on != 1 else ''})" if went_on else "") + "\n")
    if draft.missing:
        err.write(f"did not mention: {', '.join(draft.missing)}\n")
    if draft.unasked:
        err.write(f"check before sending, not from your request: {', '.join(draft.unasked)}\n")
    for note in draft.dropped:
        err.write(f"note: {note}\n")


def cmd_serve(args) -> int:
    from app.server import DraftServer, UnsafeBind, api_token

    service, store = _drafting_service()
    try:
        server = DraftServer(service, args.host, args.port, allow_remote=args.allow_remote,
                             verbose=args.verbose)
    except UnsafeBind as exc:
        _err(f"amanuensis serve: {exc}")
        return EXIT_USAGE
    if args.allow_remote:
        _err("WARNING: listening beyond this machine. Anyone who can reach this port and "
             "has the token can read drafts built from your mail.")
    from store.owner import held_claim
    from store.settings import data_home

    claim = held_claim()
    if claim is not None:  # `amanuensis draft` meanwhile drafts through this server
        claim.serving(server.url)
    _err(f"Listening on http://{args.host}:{server.server_address[1]}/v1 ; bearer token in "
         f"{data_home() / 'api-token'}")
    if args.show_token:
        print(api_token())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        service.close()
        store.close()
    return EXIT_OK


def cmd_gui(args) -> int:
    from app.qt.app import run_gui

    return run_gui(command=getattr(args, "command", None) or "gui")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amanuensis", description="A local writing assistant that learns to write like you.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import mail archives and documents")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="mbox, Maildir, Thunderbird profile, .eml/.emlx/.msg/.pst, documents")
    p.add_argument("--me", action="append", metavar="ADDRESS",
                   help="one of your addresses (repeatable); guessed from sent folders if absent")
    p.add_argument("--after", metavar="DATE", help="only mail dated on or after DATE (ISO)")
    p.add_argument("--before", metavar="DATE", help="only mail dated before DATE (ISO)")
    p.add_argument("--folder", action="append", metavar="NAME",
                   help="only this folder (name or path; repeatable); the rest is skipped")
    p.add_argument("--no-received", action="store_true",
                   help="only your own mail, not the mail you received")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("search", help="search your mail and documents")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    mine = p.add_mutually_exclusive_group()
    mine.add_argument("--own", action="store_true", help="only what you wrote")
    mine.add_argument("--others", action="store_true", help="only what others wrote")
    p.add_argument("--sender", help="only mail from this address")
    p.add_argument("--kind", choices=["email", "document"])
    p.add_argument("--folder")
    p.add_argument("--since", help="ISO date, e.g. 2001-01-01")
    p.add_argument("--until", help="ISO date")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", help="what is in the catalogue and the index")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("forget", help="delete a sender, thread, source or message everywhere")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--sender", metavar="ADDRESS")
    what.add_argument("--thread", metavar="ID", help="a thread id or any message id in it")
    what.add_argument("--source", metavar="PATH", help="an imported file or folder")
    what.add_argument("--message", metavar="ID", help="a catalogue id or a Message-ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("export", help="export the cleaned catalogue (what the assistant learns from)")
    p.add_argument("--own", action="store_true", help="only messages you wrote")
    p.add_argument("--format", choices=["jsonl", "mbox"], default="jsonl")
    p.add_argument("-o", "--output", metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("export-all", help="export everything kept about you: mail, documents, "
                                          "settings, feedback, training metadata, adapters")
    p.add_argument("destination", help="a .zip file, or a new or empty folder")
    p.add_argument("--no-adapters", action="store_true", help="leave the adapter files out")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_all)

    p = sub.add_parser("delete-all", help="delete everything Amanuensis keeps in its data home")
    p.add_argument("--yes", action="store_true", help="really do it")
    p.add_argument("--include-model-cache", action="store_true",
                   help="also remove the cache of public base models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_delete_all)

    p = sub.add_parser("identity", help="show, suggest or set your addresses")
    p.add_argument("--set", nargs="+", metavar="ADDRESS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_identity)

    p = sub.add_parser("draft", help="draft an email in your voice")
    p.add_argument("instruction", help='what to say, e.g. "tell Sam the rota is attached"')
    p.add_argument("--reply-to", metavar="FILE|ID", help="an .eml/.msg file or a message id")
    p.add_argument("--to", help="the recipient")
    p.add_argument("--tone", help="e.g. warm, firm, apologetic")
    p.add_argument("--length", choices=["short", "medium", "long"])
    p.add_argument("--variants", type=int, default=1)
    p.add_argument("--no-rag", action="store_true", help="no examples from your mail")
    p.add_argument("--no-adapter", action="store_true", help="the base model, untrained")
    p.add_argument("--model")
    p.add_argument("--temperature", type=float)
    p.add_argument("--seed", type=int)
    p.add_argument("--stream", action="store_true", help="print tokens as they come")
    p.add_argument("--save", metavar="FILE.eml", help="save the draft as an .eml file")
    p.add_argument("--mailto", action="store_true", help="print a mailto: link")
    p.add_argument("--open", action="store_true", help="open the mailto: link")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_draft)

    add_model_commands(sub)

    p = sub.add_parser("serve", help="local HTTP API for mail-client add-ons")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback address (not recommended)")
    p.add_argument("--show-token", action="store_true", help="print the bearer token")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("gui", help="open the drafting window (the default without a command)")
    p.set_defaults(func=cmd_gui)
    p = sub.add_parser("tray", help="start in the system tray only: nightly training, quick "
                                    "draft from the tray menu")
    p.set_defaults(func=cmd_gui)
    p = sub.add_parser("quick-draft", help="open the small drafting window (bind it to a key "
                                           "for a global shortcut)")
    p.set_defaults(func=cmd_gui)

    from trainer.cli import add_commands

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        return cmd_gui(args)
    if args.func in (cmd_models,) and args.action not in ("list", "catalogue") and \
            not args.target:
        parser.error(f"models {args.action} needs a model name or path")
    refused = claim_for(args)
    if refused is not None:
        return refused
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _err("Interrupted.")
        return EXIT_CANCELLED
    except BrokenPipeError:
        return EXIT_OK
    finally:
        if getattr(args, "claimed", False):
            from store.owner import release_home

            release_home()


def claim_for(args) -> int | None:
    """Own the data home for a command that writes to it (or loads a model on it). While
    the desktop owns the home, ``draft`` goes through the desktop's local API; any other
    such command is refused with the owner named. Returns the exit status of a refusal."""
    command = args.command
    if command in READ_ONLY or command in ("gui", "tray", "quick-draft") or \
            getattr(args, "action", None) in READ_ONLY_ACTIONS.get(command, ()):
        return None
    from store.owner import HomeOwned, claim_home

    try:
        claim_home(role=command)
        args.claimed = True
    except HomeOwned as exc:
        if command == "draft" and exc.owner is not None and exc.owner.api:
            args.hand_off = exc.owner.api  # the desktop drafts it, with its loaded model
            return None
        hint = ("; or turn on its tray menu's \"Local API for add-ons\" and draft again"
                if command == "draft" else "")
        _err(f"amanuensis {command}: {exc}{hint}.")
        return EXIT_HOME_IN_USE
    return None


if __name__ == "__main__":
    sys.exit(main())
