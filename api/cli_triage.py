"""``smc triage train|predict|eval``: learned triage models from any labelled CSV table."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from api.cli import fail, settings_from
from api.triage_wiring import model_dir
from channels.models import ModelError, ModelStore, check_name, digest, evaluate, train
from channels.training_data import Rows, Table, parse_map, read_table

triage_app = typer.Typer(
    help="Learned triage models: train, predict, evaluate.", no_args_is_help=True
)
out = Console()

DataOpt = Annotated[Path, typer.Option("--data", help="CSV file with a header row")]
TextOpt = Annotated[str, typer.Option("--text", help="text column(s), comma-separated")]
LabelOpt = Annotated[str, typer.Option("--label", help="label column")]
ModelOpt = Annotated[str, typer.Option("--model", help="model name, e.g. info_type")]
MapOpt = Annotated[list[str] | None, typer.Option("--map", help="relabel FROM=TO (repeatable)")]
RowsOpt = Annotated[
    str, typer.Option("--rows", help="all, or the train/test side of the deterministic split")
]
PctOpt = Annotated[int, typer.Option("--test-percent", min=1, max=99, help="test share")]
KeyOpt = Annotated[
    str | None,
    typer.Option("--split-key", help="column to split by (default: the normalised text)"),
]
DirOpt = Annotated[Path | None, typer.Option("--model-dir", help="default: <data dir>/models")]


def _store(model_directory: Path | None) -> ModelStore:
    return ModelStore(model_directory or model_dir(settings_from()))


def _table(
    data: Path, text: str, label: str | None, mapping: list[str] | None, rows: str, pct: int,
    key: str | None,
) -> Table:  # fmt: skip
    if rows not in ("all", "train", "test"):
        raise fail(f"--rows must be all, train or test, not {rows!r}")
    if not data.is_file():
        raise fail(f"no file {data}")
    side: Rows = rows  # type: ignore[assignment]
    try:
        columns = [c.strip() for c in text.split(",") if c.strip()]
        return read_table(
            data, columns, label, label_map=parse_map(mapping or []), rows=side,
            test_percent=pct, key_column=key,
        )  # fmt: skip
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None


@triage_app.command("train")
def train_cmd(
    data: DataOpt,
    text: TextOpt,
    label: LabelOpt,
    model: ModelOpt,
    mapping: MapOpt = None,
    rows: RowsOpt = "all",
    test_percent: PctOpt = 20,
    split_key: KeyOpt = None,
    c: Annotated[float, typer.Option("--c", help="inverse regularisation strength")] = 4.0,
    min_count: Annotated[int, typer.Option("--min-count", min=1)] = 1,
    model_directory: DirOpt = None,
) -> None:
    """Train a logistic-regression model and save it as the next version of NAME."""
    table = _table(data, text, label, mapping, rows, test_percent, split_key)
    started = time.perf_counter()
    try:
        fitted = train(check_name(model), table.texts, table.labels, c=c, min_count=min_count)
        about = {
            "data": str(data), "text": text, "label": label, "rows": rows,
            "test_percent": test_percent, "split_key": split_key, "map": mapping or [],
            "trained_on": len(table.texts), "digest": digest(table.texts, table.labels),
            "c": c, "min_count": min_count,
        }  # fmt: skip
        saved = _store(model_directory).save(fitted, about)
    except ModelError as exc:
        raise fail(str(exc)) from None
    seconds = time.perf_counter() - started
    out.print(
        f"trained {saved.label} on {len(table.texts)} rows ({len(saved.classes)} labels,"
        f" {len(saved.vocabulary)} features) in {seconds:.1f} s"
    )


@triage_app.command("predict")
def predict_cmd(
    model: ModelOpt,
    data: DataOpt,
    text: TextOpt,
    output: Annotated[Path, typer.Option("--output", help="JSON Lines, one object per row")],
    model_directory: DirOpt = None,
) -> None:
    """Label every row: {"label": ..., "confidence": ...} per line, in the input's order."""
    table = _table(data, text, None, None, "all", 20, None)
    try:
        loaded = _store(model_directory).load(model)
    except ModelError as exc:
        raise fail(str(exc)) from None
    started = time.perf_counter()
    predictions = loaded.predict_many(table.texts)
    with output.open("w", encoding="utf-8") as fh:
        for p in predictions:
            fh.write(json.dumps({"label": p.label, "confidence": p.confidence}) + "\n")
    rate = len(predictions) / max(time.perf_counter() - started, 1e-9)
    out.print(f"{len(predictions)} rows → {output} with {loaded.label} ({rate:,.0f} rows/s)")


@triage_app.command("eval")
def eval_cmd(
    model: ModelOpt,
    data: DataOpt,
    text: TextOpt,
    label: LabelOpt,
    mapping: MapOpt = None,
    rows: RowsOpt = "all",
    test_percent: PctOpt = 20,
    split_key: KeyOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    model_directory: DirOpt = None,
) -> None:
    """Accuracy, macro-F1, per-class precision/recall and the confusion matrix."""
    table = _table(data, text, label, mapping, rows, test_percent, split_key)
    try:
        loaded = _store(model_directory).load(model)
    except ModelError as exc:
        raise fail(str(exc)) from None
    report = evaluate(loaded, table.texts, table.labels)
    if as_json:
        out.print_json(json.dumps(report, ensure_ascii=False))
        return
    _print_report(report)


def _print_report(report: dict[str, Any]) -> None:
    out.print(
        f"{report['model']} on {report['rows']} rows: accuracy {report['accuracy']:.4f},"
        f" macro-F1 {report['macro_f1']:.4f}"
    )
    classes = RichTable("label", "precision", "recall", "F1", "support")
    for name, m in report["per_class"].items():
        classes.add_row(
            name, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
            str(m["support"]),
        )  # fmt: skip
    out.print(classes)
    labels = report["labels"]
    matrix = RichTable("true \\ predicted", *[str(i) for i in range(len(labels))])
    for i, row in enumerate(report["confusion"]):
        matrix.add_row(f"{i} {labels[i]}", *[str(v) for v in row])
    out.print(matrix)


@triage_app.command("export-history")
def export_history(
    output: Annotated[Path, typer.Option("--output", help="CSV to write")],
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Write every posting a person confirmed or corrected (drills excluded) with its final
    category, request class, information type, district and destination, ready for
    ``smc triage train --text text --label destination`` (the city's own history)."""
    import csv

    from api.cli import opened
    from projections.catchup import catch_up
    from projections.triage import TriageProjection

    with opened(settings_from(database_url, run_projections=False)) as container:
        view = container.views.get(TriageProjection)
        catch_up(container.store, view)
        rows = view.history()
    columns = ["text", "channel", "account", "category", "request_class", "info_type"]
    columns += ["district", "destination"]
    with output.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    out.print(f"{len(rows)} reviewed postings → {output}")
