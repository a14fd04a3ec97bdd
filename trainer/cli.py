"""Commands for playback, training, evaluation and adapters.

They are registered into ``amanuensis`` and also run on their own as ``python -m trainer``,
which is how the desktop app starts a night's training as a separate process.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXIT_OK, EXIT_FAILED, EXIT_PAUSED, EXIT_CANCELLED = 0, 1, 3, 130


def _print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def _err(text: str) -> None:
    print(text, file=sys.stderr)


EXIT_HOME_IN_USE = 3


def _store():
    from store.api import Store

    return Store()


def deadline_from(max_minutes: float | None, until: str | None, now: datetime | None = None,
                  ) -> float | None:
    """The earlier of ``--max-minutes`` and ``--until HH:MM`` (the next such time of day)."""
    now = now or datetime.now()
    ends = []
    if max_minutes:
        ends.append((now + timedelta(minutes=max_minutes)).timestamp())
    if until:
        try:
            hour, minute = (int(part) for part in until.split(":"))
            end = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        except ValueError as exc:
            raise SystemExit(f"--until wants a time of day like 06:00, not {until!r}") from exc
        if end <= now:
            end += timedelta(days=1)
        ends.append(end.timestamp())
    return min(ends) if ends else None


@contextmanager
def _cancel_on_stop_signal(token):
    """SIGTERM (the desktop's Pause) before the recipe installs its own handler: the data
    preparation stops at its next item instead of the process dying mid-write."""
    from trainer.run import stop_signals

    def handler(signum, frame):
        token.cancel()

    previous = {number: signal.signal(number, handler) for number in stop_signals()}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def cmd_playback(args) -> int:
    from store.terminal import TerminalProgress
    from trainer.dataset import own_emails
    from trainer.playback import EmbeddingKeyphrases
    from trainer.playback_run import playback, playback_cache

    bar = TerminalProgress(units={"playback": "emails"})
    with _store() as store:
        emails = own_emails(store)
        if args.limit:
            emails = emails[: args.limit]
        cache = None if args.no_cache else playback_cache()
        try:
            instructions, report = playback(emails, EmbeddingKeyphrases(store.embedder),
                                            cache=cache, progress=bar)
        finally:
            bar.close()
            if cache is not None:
                cache.close()
    if args.export:
        with open(args.export, "w", encoding="utf-8") as out:
            for instruction, email in zip(instructions, emails, strict=True):
                check = instruction.check
                out.write(json.dumps({
                    "email_id": email.ident, "instruction": instruction.text,
                    "method": instruction.method, "form": instruction.form,
                    "facts": instruction.facts, "usable": check.usable, "echo": check.echo,
                    "meta": check.meta, "invented": check.invented, "subject": email.subject,
                    "email": email.body}, ensure_ascii=False) + "\n")
    if args.json:
        _print_json(report.to_json())
        return EXIT_OK
    print(f"Playback of {report.emails} of your emails: {report.usable_share:.1%} usable "
          f"(echo {report.echo}, assistant talk {report.meta}, invented facts "
          f"{report.invented}); {report.cached} from the cache; methods {report.methods}; "
          f"forms {report.forms}")
    for example in report.examples:
        print(f"  {example['id']}: {example['instruction']!r}")
    if args.export:
        print(f"Wrote {report.emails} pairs to {args.export}")
    return EXIT_OK


def cmd_train(args) -> int:
    from store.jobs import Cancelled, CancelToken
    from store.terminal import TerminalProgress, cancel_on_ctrl_c
    from trainer.config import TrainSettings
    from trainer.run import TrainingError, train
    from trainer.sizing import WontFit

    settings = TrainSettings.load()
    for name in ("model", "epochs", "max_steps", "learning_rate", "threads", "rank",
                 "batch_size", "device", "bf16", "max_seq_tokens", "gradient_checkpointing",
                 "memory_limit_mb"):
        value = getattr(args, name, None)
        if value is not None:
            setattr(settings, name, value)
    deadline = deadline_from(args.max_minutes, args.until)
    token = CancelToken()
    bar = TerminalProgress(units={"playback": "emails"})

    def log(record: dict) -> None:
        if args.json:
            return
        if "loss" not in record:
            _err(f"step    0  held-out loss {record['eval_loss']:.4f} (before training)")
            return
        line = (f"step {record['step']:>4}  loss {record['loss']:.4f}  lr {record['lr']:.2e}  "
                f"{record['tokens_per_s']:6.1f} tok/s")
        if "eval_loss" in record:
            line += f"  held-out loss {record['eval_loss']:.4f}"
        _err(line)

    try:
        with cancel_on_ctrl_c(token, "Stopping at the end of this step with a checkpoint; "
                              "Ctrl-C again aborts."), _cancel_on_stop_signal(token):
            if args.run:
                result = _train_frozen_run(args.run, deadline, bar, log, token)
            else:
                with _store() as store:
                    result = train(store, settings, resume=args.resume, deadline=deadline,
                                   progress=bar, log=log, cancel=token)
    except (TrainingError, WontFit) as exc:
        _err(f"Cannot train: {exc}")
        return EXIT_FAILED
    except Cancelled:
        # Stopped while preparing the data: the playback done so far is cached, nothing is lost.
        _err("Stopped before training began; the next run continues from here.")
        if args.json:
            _print_json({"status": "paused", "step": 0, "total_steps": None})
        return EXIT_PAUSED
    finally:
        bar.close()
    if result["status"] == "discarded":
        # The user forgot mail this run was prepared from while it trained.
        _err(f"Run {result['run']} stopped: mail it was prepared from was forgotten, so "
             "nothing was kept; the next run starts afresh without it.")
        if args.json:
            _print_json(result)
        return EXIT_FAILED
    if args.json:
        _print_json(result)
    else:
        _print_train_result(result)
    return EXIT_PAUSED if result["status"] == "paused" else EXIT_OK


def _train_frozen_run(ident: str, deadline, bar, log, token) -> dict:
    """A run the owner froze: train it without opening the store. Started by the owner, the
    run is left ``trained`` for it to register; run by hand in a home this process owns, it
    is registered here."""
    from store.owner import held_claim
    from trainer.run import TrainingError, register_trained_run, train_frozen
    from trainer.run_files import runs_dir

    run_dir = runs_dir() / ident
    if not (run_dir / "state.json").is_file():
        raise TrainingError(f"no run {ident!r} in {runs_dir()}")
    result = train_frozen(run_dir, deadline=deadline, progress=bar, log=log, cancel=token)
    claim = held_claim()
    if result["status"] == "trained" and claim is not None and not claim.delegated:
        result.update(status="finished", activated=register_trained_run(run_dir))
    return result


def _print_train_result(result: dict) -> None:
    data = result["dataset"]
    print(f"Run {result['run']} on {result['model']}: {result['status']} at step "
          f"{result['step']}/{result['total_steps']}")
    print(f"  data        {data['train_examples']} training examples "
          f"({data['with_context']} with context, {data['feedback']} from accepted drafts), "
          f"{data['held_out_examples']} held out")
    print(f"  loss        train {result['train_loss']}, held-out {result['eval_loss']} "
          f"(best {result['best_eval_loss']})")
    print(f"  speed       {result['tokens_per_s']} tokens/s, peak memory "
          f"{result['peak_rss_mb']:.0f} MB, {result['train_seconds']:.0f} s of training")
    plan = result.get("plan")
    if plan:
        print(f"  plan        {plan['device']}, {plan['threads']} thread(s), micro-batch "
              f"{plan['micro_batch_size']}, up to {plan['seq_tokens']} tokens, "
              f"{_recomputation(plan)}"
              f"{', 4-bit' if plan['four_bit'] else ''}"
              f"{', bf16 autocast' if plan.get('cpu_bf16') else ''}; estimated {plan['memory_mb']} MB "
              f"of {plan['budget_mb']} MB allowed")
    if result["status"] == "paused":
        print("  paused with a checkpoint: 'amanuensis train --resume' continues it")
        return
    v = result.get("verification") or {}
    print(f"  adapter     {result['adapter']}")
    if v:
        print(f"  llama.cpp   top-token agreement {v.get('agreement', 0):.1%} "
              f"(base vs base {v.get('base_agreement', 0):.1%}), "
              f"change cosine {v.get('delta_cosine', 0):.2f}")
    if result["status"] == "trained":
        print("  active      not yet: the app that owns this data home registers it")
        return
    print("  active      " + ("yes" if result.get("activated") else
                             "no (verification too weak; see 'amanuensis adapters list')"))


def cmd_eval(args) -> int:
    from store.owner import held_claim
    from store.terminal import TerminalProgress
    from trainer.evaluate import InstructionsError, run_evaluation

    bar = TerminalProgress(units={"evaluating": "drafts"})
    claim = held_claim()
    try:
        with _store() as store:
            # Working for the home's owner, it writes only its report; the owner records.
            result = run_evaluation(store, model=args.model, adapter=args.adapter,
                                    limit=args.limit, progress=bar,
                                    threads=args.threads or 0, requests=args.instructions,
                                    revise=not args.as_written, pick_context=args.pick_context,
                                    record=claim is None or not claim.delegated)
    except KeyError as exc:
        _err(str(exc.args[0]))
        return EXIT_FAILED
    except InstructionsError as exc:
        _err(str(exc))
        return EXIT_FAILED
    finally:
        bar.close()
    if args.json:
        result.pop("samples", None)
        _print_json(result)
        return EXIT_OK
    print(f"Evaluation of {result['model']} with adapter {result['adapter'] or '(none)'} on "
          f"{result['scored']} held-out emails, from {result['instructions']} instructions "
          f"({result['skipped_echo']} left out: their instruction copies the email)")
    print(f"  {'setting':<10}{'BLEU':>7}{'ROUGE-L':>9}{'chrF':>7}{'style':>7}{'MAUVE':>7}"
          f"{'facts':>7}{'asks':>6}{'invent':>8}{'borrow':>8}{'unasked':>8}{'greet':>7}"
          f"{'defect':>8}"
          f"{'length':>8}")

    def cell(value, spec: str, width: int) -> str:
        return f"{'n/a':>{width}}" if value is None else f"{value:>{width}{spec}}"

    for name, s in result["settings"].items():
        print(f"  {name:<10}{cell(s['bleu'], '.2f', 7)}{cell(s['rouge_l'], '.2f', 9)}"
              f"{cell(s['chrf'], '.2f', 7)}{cell(s['style_distance'], '.3f', 7)}"
              f"{cell(s['mauve'], '.3f', 7)}{cell(s['fact_recall'], '.0%', 7)}"
              f"{cell(s.get('act_recall'), '.0%', 6)}"
              f"{cell(s['invented_facts'], '.2f', 8)}{cell(s.get('borrowed_facts'), '.2f', 8)}"
              f"{cell(s.get('unasked_talk'), '.2f', 8)}"
              f"{cell(s['right_recipient'], '.0%', 7)}"
              f"{cell(s['structure_defects'], '.0%', 8)}{cell(s['length_ratio'], '.2f', 8)}")
    print("  (style: distance, lower is closer to you; facts: of the request, kept; asks: "
          "questions and thanks\n   asked for, kept; invent: made-up facts per draft; borrow: "
          "figures and dates\n   of the retrieved examples, per draft; unasked: sentences no one "
          "asked for, per draft;\n   greet: the right person greeted; defect: drafts with a "
          "form defect;\n   length: median draft / real email)")
    shown = (result.get("context") or {}).get("lora_rag")
    if shown and "lora_rag" in result["settings"]:
        print(f"  lora_rag drafted with {_examples_shown(shown)}, as drafting gives the adapter")
    picked = result.get("context_pick")
    if picked:
        measured = ", ".join(f"{_examples_shown(p)}: {p['value']:.3f}"
                             for p in picked["measured"])
        print(f"Retrieval picked for this adapter: {_examples_shown(picked)} "
              f"(measured on {picked['emails']} emails: {measured})")
    print(f"Report: {result['report']['report']}")
    return EXIT_OK


def _recomputation(plan: dict) -> str:
    if not plan["checkpointing"]:
        return "layers kept"
    layers = plan.get("recomputed_layers")
    return f"{layers} layers recomputed" if layers else "layers recomputed"


def _examples_shown(context: dict) -> str:
    if not context["k"]:
        return "no examples"
    return f"up to {context['k']} examples (similarity ≥ {context['min_similarity']:.2f})"


def cmd_adapters(args) -> int:
    from trainer import registry

    if args.action == "list":
        rows = registry.list_adapters(args.model)
        if args.json:
            _print_json(rows)
            return EXIT_OK
        if not rows:
            print("No adapters yet: run 'amanuensis train'.")
        for row in rows:
            v = row.get("verification") or {}
            metrics = row.get("metrics") or {}
            mark = "*" if row["active"] else " "
            print(f"{mark} {row['id']}  {row['model']}  created {row.get('created', '?')}  "
                  f"held-out loss {metrics.get('best_eval_loss')}  "
                  f"agreement {v.get('agreement', float('nan')):.1%}")
        return EXIT_OK
    if args.action == "use":
        if not args.target:
            _err("adapters use needs an adapter id (see 'amanuensis adapters list')")
            return EXIT_FAILED
        try:
            registry.activate_adapter(args.target)
        except KeyError as exc:
            _err(str(exc.args[0]))
            return EXIT_FAILED
        print(f"Active: {args.target}")
        return EXIT_OK
    from trainer.engine.models import ModelCatalogue

    model = args.model or ModelCatalogue().default_name()
    previous = registry.rollback(model)
    print(f"Active for {model}: {previous or 'no adapter (the plain model)'}")
    return EXIT_OK


def add_commands(sub) -> None:
    p = sub.add_parser("playback", help="write the instruction behind each of your emails")
    p.add_argument("--limit", type=int)
    p.add_argument("--export", "-o", "--output", dest="export", metavar="FILE.jsonl",
                   help="write every pair (email id, instruction, method, quality flags)")
    p.add_argument("--no-cache", action="store_true", help="make every instruction again")
    p.add_argument("--json", action="store_true", help="print the quality report as JSON")
    p.set_defaults(func=cmd_playback)

    p = sub.add_parser("train", help="fine-tune an adapter on your own emails")
    p.add_argument("--resume", action="store_true", help="continue the last paused run")
    p.add_argument("--run", metavar="ID", help="train a run whose data the owner of the data "
                   "home has frozen (how the desktop starts training), without opening the "
                   "mail store")
    p.add_argument("--max-minutes", type=float, help="pause with a checkpoint after this long")
    p.add_argument("--until", metavar="HH:MM", help="pause with a checkpoint at this time")
    p.add_argument("--model")
    p.add_argument("--epochs", type=int)
    p.add_argument("--max-steps", type=int)
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--rank", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--threads", type=int, help="CPU threads (default: all cores but one)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"])
    p.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                   help="bf16 on CUDA and on CPUs with native bf16 (default: on)")
    p.add_argument("--max-seq-tokens", type=int,
                   help="the longest example trained on; longer emails are left out")
    p.add_argument("--gradient-checkpointing", choices=["auto", "on", "off"],
                   help="recompute layers in the backward pass: slower, less memory "
                        "(default auto: only where the run would not fit otherwise)")
    p.add_argument("--memory-limit", type=int, dest="memory_limit_mb", metavar="MB",
                   help="plan the run within this much memory (default: 85%% of what is free)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("eval", help="score drafts against your newest (held-out) emails")
    p.add_argument("--limit", type=int, help="only the newest N held-out emails")
    p.add_argument("--model")
    p.add_argument("--adapter", help="an adapter id (default: the active one)")
    p.add_argument("--threads", type=int, help="decoding threads (default: all cores but one)")
    p.add_argument("--instructions", type=Path, metavar="FILE.jsonl",
                   help='requests as people type them, one {"message_id", "instruction"} a '
                        "line, for held-out emails (default: their playback instructions)")
    p.add_argument("--pick-context", action="store_true",
                   help="also measure a few retrieval settings (how many of your emails, how "
                        "close) with the adapter, and record the best with it for drafting")
    p.add_argument("--as-written", action="store_true",
                   help="score drafts as the model wrote them, not revised as drafting does "
                        "(facts left out put back, made-up ones taken out)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("adapters", help="list, choose or roll back trained adapters")
    p.add_argument("action", choices=["list", "use", "rollback"])
    p.add_argument("target", nargs="?", help="an adapter id (use)")
    p.add_argument("--model")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_adapters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer",
                                     description="Playback, training and evaluation.")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    started = time.monotonic()
    if not (args.command == "adapters" and args.action == "list"):
        from store.owner import HomeOwned, claim_home

        try:  # started by the desktop, this process works for it (store.owner.OWNER_ENV)
            claim_home(role=args.command)
        except HomeOwned as exc:
            _err(f"python -m trainer {args.command}: {exc}.")
            return EXIT_HOME_IN_USE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _err(f"Interrupted after {time.monotonic() - started:.0f} s.")
        return EXIT_CANCELLED
