"""``amanuensis models …`` and ``amanuensis doctor``: the models you have, the catalogue of
models you can download, the download itself, and what this machine can run."""

from __future__ import annotations

from pathlib import Path

from app.console import err as _err
from app.console import print_json as _print_json

EXIT_OK, EXIT_FAILED, EXIT_CANCELLED = 0, 1, 130


def add_model_commands(sub) -> None:
    p = sub.add_parser("models", help="list, add, choose, inspect, download and remove models")
    p.add_argument("action", choices=["list", "add", "use", "info", "remove", "catalogue",
                                      "download"])
    p.add_argument("target", nargs="?",
                   help="a GGUF path (add), a model name, or a catalogue name (download)")
    p.add_argument("--name", help="name for an added model")
    p.add_argument("--hf-dir", help="Hugging Face weights folder for training (add)")
    p.add_argument("--use", action="store_true", help="make a downloaded model the default")
    p.add_argument("--catalogue", metavar="FILE.json",
                   help="another catalogue file (download, catalogue)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("doctor", help="what this machine has, and which models fit it")
    p.add_argument("--quick", action="store_true",
                   help="skip the one-second speed measurements (no speed estimates)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args) -> int:
    from app.doctor import doctor_report, format_report

    report = doctor_report(measure=not args.quick)
    if args.json:
        _print_json(report)
    else:
        print(format_report(report))
    return EXIT_OK


def cmd_models(args) -> int:
    from trainer.engine.models import ModelCatalogue, ModelError

    catalogue = ModelCatalogue()
    try:
        if args.action == "list":
            return _list(catalogue, args)
        if args.action == "catalogue":
            return _catalogue(args)
        if args.action == "download":
            return _download(catalogue, args)
        if args.action == "add":
            info = catalogue.add(Path(args.target), name=args.name,
                                 hf_dir=Path(args.hf_dir) if args.hf_dir else None)
        elif args.action == "use":
            info = catalogue.use(args.target)
        elif args.action == "remove":
            catalogue.remove(args.target)
            if args.json:
                _print_json({"removed": args.target})
            else:
                print(f"Removed {args.target}.")
            return EXIT_OK
        else:
            info = catalogue.info(args.target)
    except ModelError as exc:
        _err(f"amanuensis models: {exc}")
        return EXIT_FAILED
    data = info.to_json()
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            if key != "special_tokens":
                print(f"{key:<18} {value}")
    return EXIT_OK


def _list(catalogue, args) -> int:
    from trainer.engine.models import ModelError

    default = catalogue.default_name()
    rows = []
    for name in catalogue.names():
        try:
            rows.append({**catalogue.info(name).to_json(), "default": name == default})
        except ModelError as exc:
            rows.append({"name": name, "error": str(exc), "default": name == default})
    if args.json:
        _print_json(rows)
        return EXIT_OK
    for row in rows:
        mark = "*" if row["default"] else " "
        if "error" in row:
            print(f"{mark} {row['name']:<24} unusable: {row['error']}")
        else:
            print(f"{mark} {row['name']:<24} {row['architecture']:<8} "
                  f"{row['quantization']:<7} {row['size_bytes'] / 1e6:7.0f} MB  "
                  f"ctx {row['context_length']}  {row['path']}")
    return EXIT_OK


def _catalogue(args) -> int:
    from trainer.engine.curated import load_curated
    from trainer.engine.models import ModelCatalogue

    installed = set(ModelCatalogue().names())
    rows = [{**model.to_json(), "installed": model.name in installed}
            for model in load_curated(Path(args.catalogue) if args.catalogue else None)]
    if args.json:
        _print_json(rows)
        return EXIT_OK
    print(f"  {'name':<24} {'arch':<7} {'params':>6} {'file':>8}  {'licence':<14} fits")
    for row in rows:
        size = f"{row['size_bytes'] / 1e9:.2f} GB" if row["size_bytes"] else "?"
        mark = "*" if row["installed"] else " "
        print(f"{mark} {row['name']:<24} {row['architecture']:<7} {row['parameters_b']:>5.1f}B "
              f"{size:>8}  {row['license']:<14} {', '.join(row['fits'])}"
              f"{'' if row['hash_confirmed'] else '  (hash from the hub)'}")
    print("\n* downloaded.  amanuensis doctor says which fit this machine; "
          "amanuensis models download NAME fetches one.")
    return EXIT_OK


def _download(catalogue, args) -> int:
    from store.jobs import Cancelled, CancelToken, Progress
    from store.terminal import TerminalProgress, cancel_on_ctrl_c
    from trainer.download import download_model, partial_files

    bar = TerminalProgress(units={"downloading": "MB", "verifying": "MB"})

    def in_megabytes(event: Progress) -> None:
        mb = 2**20
        bar(Progress(event.phase, event.done // mb, event.total // mb if event.total else None,
                     event.rate / mb, event.eta_s))

    token = CancelToken()
    try:
        with cancel_on_ctrl_c(token, "Stopping; what has arrived is kept for next time."):
            info = download_model(args.target, progress=in_megabytes, cancel=token,
                                  catalogue=Path(args.catalogue) if args.catalogue else None)
    except Cancelled:
        kept = sum(path.stat().st_size for path in partial_files())
        _err(f"Download paused with {kept / 2**20:.0f} MB kept; the same command resumes it.")
        return EXIT_CANCELLED
    finally:
        bar.close()
    if args.use:
        catalogue.use(info.name)
    if args.json:
        _print_json(info.to_json())
    else:
        print(f"Downloaded {info.name} ({info.size_bytes / 1e9:.2f} GB, SHA-256 verified) to "
              f"{info.path}.")
        if not args.use:
            print(f"Draft with it: amanuensis draft --model {info.name} \"…\", or make it the "
                  f"default: amanuensis models use {info.name}")
    return EXIT_OK
