"""Turns an evaluation result (see ``trainer.metrics.score``) into files a person can read:
``report.md`` with the table and a few samples, ``scores.png`` and ``summary.json``."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

SETTINGS = {"base": "Base model", "rag": "RAG", "lora": "LoRA", "lora_rag": "LoRA + RAG"}
SETTING_NOTES = {
    "base": "the model alone, given only the instruction",
    "rag": "the model with your most similar past emails in the prompt as examples",
    "lora": "the model with the LoRA adapter trained on your sent mail",
    "lora_rag": "adapter and retrieved examples together",
}
# (key, column title, higher is better)
METRICS = [("bleu", "BLEU", True), ("rouge_l", "ROUGE-L", True), ("chrf", "chrF", True),
           ("style_distance", "Style distance", False), ("mauve", "MAUVE", True)]
# The draft checks (trainer.checks): (key, title, higher is better, as a percentage)
CHECKS = [("fact_recall", "Facts kept", True, True),
          ("act_recall", "Questions and thanks kept", True, True),
          ("invented_facts", "Invented per draft", False, False),
          ("borrowed_facts", "Borrowed from examples per draft", False, False),
          ("unasked_talk", "Unasked sentences per draft", False, False),
          ("right_recipient", "Right person greeted", True, True),
          ("structure_defects", "Drafts with a form defect", False, True),
          ("length_ratio", "Length vs. real (median)", None, False)]
COLOURS = {"base": "#9e9e9e", "rag": "#4c72b0", "lora": "#dd8452", "lora_rag": "#55a868"}
SAMPLES_SHOWN = 3
SAMPLE_CHARS = 700


def _order(settings: dict) -> list[str]:
    known = [s for s in SETTINGS if s in settings]
    return known + [s for s in settings if s not in SETTINGS]


def _label(setting: str) -> str:
    return SETTINGS.get(setting, setting)


def _fmt(value, key: str) -> str:
    if value is None:
        return "n/a"
    # 0-1 metrics need three decimals to show anything; 0-100 ones read better with one.
    return f"{value:.3f}" if key in ("style_distance", "mauve") else f"{value:.1f}"


def _best(settings: dict, order: list[str], key: str, higher: bool) -> str | None:
    values = {s: settings[s].get(key) for s in order if settings[s].get(key) is not None}
    if len(values) < 2 or len(set(values.values())) == 1:
        return None
    return (max if higher else min)(values, key=values.get)


def _table(settings: dict, order: list[str]) -> str:
    head = ["Setting"] + [f"{title} {'↑' if up else '↓'}" for _, title, up in METRICS] + ["n"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    best = {key: _best(settings, order, key, up) for key, _, up in METRICS}
    for setting in order:
        scores = settings[setting]
        cells = [_label(setting)]
        for key, _, _ in METRICS:
            text = _fmt(scores.get(key), key)
            cells.append(f"**{text}**" if best[key] == setting else text)
        cells.append(str(scores.get("n", "")))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _checks_table(settings: dict, order: list[str]) -> str:
    head = ["Setting"] + [f"{title} {'' if up is None else '↑' if up else '↓'}".strip()
                          for _, title, up, _ in CHECKS]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    for setting in order:
        cells = [_label(setting)]
        for key, _, _, percent in CHECKS:
            value = settings[setting].get(key)
            cells.append("n/a" if value is None else f"{value:.0%}" if percent
                         else f"{value:.2f}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _plot(result: dict, order: list[str], path: Path) -> None:
    # The object-oriented API with an explicit Agg canvas: no display, no pyplot global
    # state, and it leaves the backend of a running Qt app untouched.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    settings = result["settings"]
    fig = Figure(figsize=(2.3 * len(METRICS), 3.0), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(METRICS))
    short = [_label(s).replace(" + ", "+") for s in order]
    for ax, (key, title, higher) in zip(axes, METRICS, strict=True):
        values = [settings[s].get(key) for s in order]
        heights = [v or 0.0 for v in values]
        bars = ax.bar(range(len(order)), heights,
                      color=[COLOURS.get(s, "#8172b3") for s in order])
        top = max(heights, default=0.0) or 1.0
        ax.set_ylim(0, top * 1.25)
        for bar, value in zip(bars, values, strict=True):
            ax.annotate(_fmt(value, key), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7, xytext=(0, 2),
                        textcoords="offset points")
        ax.set_title(f"{title} ({'higher' if higher else 'lower'} is better)", fontsize=8)
        ax.set_xticks(range(len(order)), short, fontsize=7, rotation=20)
        ax.tick_params(axis="y", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"{result.get('model', '?')}: {result.get('scored', '?')} held-out emails",
                 fontsize=9)
    fig.savefig(path, dpi=110)


def _shorten(text: str, limit: int = SAMPLE_CHARS) -> str:
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0]  # end on a whole word
    return f"{cut} […]"


def _when(created) -> str:
    try:
        return datetime.fromisoformat(str(created)).strftime("%d %b %Y, %H:%M")
    except ValueError:
        return str(created)


def _fenced(text: str) -> str:
    # A fence longer than any backtick run inside keeps model output from breaking out.
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text or '(empty)'}\n{fence}"


def _samples(samples: list[dict], order: list[str]) -> list[str]:
    lines = []
    for i, sample in enumerate(samples[:SAMPLES_SHOWN], 1):
        lines += [f"### Sample {i}" + (f" ({sample['id']})" if sample.get("id") else ""), "",
                  f"**Instruction:** {_shorten(sample.get('instruction', ''), 300)}", "",
                  "**Your real email**", "", _fenced(_shorten(sample.get("reference", ""))), ""]
        outputs = sample.get("outputs", {})
        for setting in order + [s for s in outputs if s not in order]:
            if setting in outputs:
                lines += [f"**{_label(setting)}**", "", _fenced(_shorten(outputs[setting])), ""]
    return lines


def _markdown(result: dict, order: list[str], image: str) -> str:
    model, adapter = result.get("model", "?"), result.get("adapter")
    held, scored = result.get("held_out"), result.get("scored")
    skipped = result.get("skipped_echo", 0)
    settings_text = "; ".join(f"**{_label(s)}**: {SETTING_NOTES[s]}"
                              for s in order if s in SETTING_NOTES)
    lines = [
        f"# How close does {model} come to your own emails?", "",
        f"Model `{model}`, adapter " + (f"`{adapter}`" if adapter else "none (not trained yet)")
        + (f", evaluated {_when(result['created'])}." if result.get("created") else "."), "",
        "Each held-out email you wrote was drafted again from its instruction, and the draft "
        f"was compared with what you actually sent. Settings: {settings_text}. "
        "BLEU, ROUGE-L and chrF (0-100, higher is better) count words, word sequences and "
        "characters shared with your real email, so they reward saying the same thing. "
        "Style distance (0-1, lower is better) ignores content and compares how it is "
        "written: common little words, punctuation, sentence and word length, bullets, "
        "greeting and sign-off. MAUVE (0-1, higher is better) asks whether the drafts as a "
        "group read like your emails as a group; with a few dozen emails it is noisy, so "
        "differences below about 0.1 mean little. The best value in each column is in bold.",
        "", _table(result.get("settings", {}), order), "", f"![Scores per setting]({image})", "",
    ]
    if any("fact_recall" in v for v in result.get("settings", {}).values()):
        lines += [
            "## Does the draft say what was asked?", "",
            "Each draft as you would get it (with your greeting and sign-off), checked: the "
            "names, numbers, amounts, dates and times of the request that your real email "
            "also has, found in the draft; facts in the draft that none of the request, the "
            "email replied to, the examples or your profile gave; the question or thanks the "
            "request asked for, found in the body; whether it greets the "
            "person your real email greets; form defects (a subject or header line in the "
            "body, a sign-off out of place, placeholders, assistant talk, a half sentence, "
            "an empty draft, the request passed on instead of written); and its length "
            f"against your real email. Instructions: {result.get('instructions', 'playback')}."
            + (" As in drafting, each draft was revised, judged without your real email: "
               "facts it left out put back where the model could say them, sentences that "
               "only made things up taken out." if result.get("revised") else ""),
            "", _checks_table(result["settings"], order), ""]
    if held is not None and scored is not None:
        note = f"{held} emails were held out (your newest) and {scored} were scored."
        if skipped:
            note += (f" {skipped} were skipped because their instruction repeats a run of the "
                     "email word for word, which would let a draft score by copying.")
        lines += [note, ""]
    used = result.get("context") or {}
    if used.get("lora_rag") and used.get("lora_rag") != used.get("rag"):
        shown = used["lora_rag"]
        what = (f"up to {shown['k']} of your emails were shown (similarity at least "
                f"{shown['min_similarity']:.2f})" if shown["k"] else "none of your emails "
                "were shown, since examples did not help it")
        lines += [f"With the adapter, as in drafting, {what}: the setting picked for it "
                  "after training. Without it, your [context] setting.", ""]
    if result.get("context_pick"):
        lines += _context_pick(result["context_pick"])
    samples = result.get("samples") or []
    if samples:
        lines += ["## Samples", ""] + _samples(samples, order)
    return "\n".join(lines).rstrip() + "\n"


def _context_pick(picked: dict) -> list[str]:
    rows = ["| Your emails shown | Least similarity | Score |", "|---:|---:|---:|"]
    for point in picked["measured"]:
        chosen = (point["k"], point["min_similarity"]) == (picked["k"],
                                                           picked["min_similarity"])
        cells = [str(point["k"]), f"{point['min_similarity']:.2f}", f"{point['value']:.3f}"]
        rows.append("| " + " | ".join(f"**{c}**" if chosen else c for c in cells) + " |")
    return ["## Retrieval for this adapter", "",
            f"How many of your own emails drafting shows the adapter, and how similar they "
            f"must be, measured with LoRA + RAG on the same {picked['emails']} emails (score: "
            "ROUGE-L as a fraction plus facts kept, less invented facts and form defects). "
            "Drafting uses the row in bold unless you set [context] in your settings.", "",
            *rows, ""]


def write_report(result: dict, out_dir: Path) -> dict[str, Path]:
    """Write ``report.md``, ``scores.png`` and ``summary.json`` into ``out_dir`` (created if
    needed) and return their paths under the keys ``report``, ``plot`` and ``summary``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    order = _order(result.get("settings", {}))
    paths = {"report": out_dir / "report.md", "plot": out_dir / "scores.png",
             "summary": out_dir / "summary.json"}
    _plot(result, order, paths["plot"])
    paths["report"].write_text(_markdown(result, order, paths["plot"].name), encoding="utf-8")
    # Every sample, so a report can be written again without one (scrub_reports).
    summary = dict(result, samples=list(result.get("samples") or []))
    paths["summary"].write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str)
                                + "\n", encoding="utf-8")
    return paths


def scrub_reports(eval_dir: Path, kept: set[str]) -> int:
    """Take the samples of emails no longer kept (forgotten) out of every report under
    ``eval_dir``, writing the report again without them: a sample quotes the real email.
    The scores stay as measured. Returns how many samples were removed."""
    removed = 0
    for summary_file in sorted(Path(eval_dir).glob("*/summary.json")) if eval_dir.is_dir() else []:
        try:
            result = json.loads(summary_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        samples = result.get("samples") or []
        staying = [sample for sample in samples if sample.get("id") in kept]
        if len(staying) == len(samples):
            continue
        removed += len(samples) - len(staying)
        write_report(dict(result, samples=staying), summary_file.parent)
    return removed
