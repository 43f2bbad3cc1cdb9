"""``smc triage train|predict|eval`` on small samples of the shared data, versioned model
artefacts, and learned models taking part in triage decisions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli_triage import triage_app
from channels.models import ModelError, ModelStore, train
from channels.training_data import in_test, read_table, split_key
from domain.triage_engine import Posted, TriageEngine
from tests.shared_data import shared

runner = CliRunner()
CRISIS_MAP = ["--map", "Not labeled=Not related", "--map", "Not applicable=Not related"]


def sample(source: Path, target: Path, rows: int) -> Path:
    with source.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        kept = [row for _, row in zip(range(rows), reader, strict=False)]
        fields = reader.fieldnames or []
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fields)
        writer.writeheader()
        writer.writerows(kept)
    return target


def cli(*args: str) -> str:
    result = runner.invoke(triage_app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_nyc311_routing_train_eval_predict(tmp_path: Path) -> None:
    data = shared("complaints", "nyc311_2011_shared70.csv")
    common = ["--data", str(data), "--text", "Complaint Type,Descriptor"]
    split = ["--split-key", "Unique Key", "--model-dir", str(tmp_path / "m")]
    out = cli(
        "train", *common, "--label", "Agency", "--model", "routing", "--rows", "train", *split
    )
    assert "trained routing@v1" in out
    report = json.loads(
        cli(
            "eval",
            *common,
            "--label",
            "Agency",
            "--model",
            "routing",
            "--rows",
            "test",
            "--json",
            *split,
        )
    )
    assert report["accuracy"] >= 0.95 and report["rows"] > 200
    assert set(report["per_class"]["NYPD"]) == {"precision", "recall", "f1", "support"}
    assert len(report["confusion"]) == len(report["labels"])
    table = cli("eval", *common, "--label", "Agency", "--model", "routing", *split)
    assert "macro-F1" in table and "NYPD" in table
    output = tmp_path / "pred.jsonl"
    cli("predict", *common, "--model", "routing", "--output", str(output), split[-2], split[-1])
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(lines) == 1352 and set(lines[0]) == {"label", "confidence"}


def test_crisislex_sample_info_type_and_versions(tmp_path: Path) -> None:
    data = sample(shared("tweets", "crisislext26_shared70.csv"), tmp_path / "c.csv", 1500)
    models = ["--model-dir", str(tmp_path / "m")]
    args = ["--data", str(data), "--text", "tweet_text", "--label", "information_type"]
    cli("train", *args, *CRISIS_MAP, "--model", "info_type", "--rows", "train", *models)
    out = cli("train", *args, *CRISIS_MAP, "--model", "info_type", "--rows", "train", *models)
    assert "info_type@v2" in out
    report = json.loads(
        cli("eval", *args, *CRISIS_MAP, "--model", "info_type", "--rows", "test", "--json", *models)
    )
    assert "Not labeled" not in report["labels"] and report["macro_f1"] > 0.3
    store = ModelStore(tmp_path / "m")
    assert store.versions("info_type") == [1, 2] and store.names() == ["info_type"]


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(
        triage_app,
        ["train", "--data", str(tmp_path / "none.csv"), "--text", "t", "--label", "l",
         "--model", "x"],
    )  # fmt: skip
    assert result.exit_code == 2 and "no file" in result.output
    bad = tmp_path / "b.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(
        triage_app, ["train", "--data", str(bad), "--text", "t", "--label", "b", "--model", "x"]
    )
    assert result.exit_code == 2 and "no column(s) t" in result.output


def test_saved_models_predict_the_same_and_join_triage(
    tmp_path: Path, engine: TriageEngine
) -> None:
    texts = ["bridge collapsed road closed", "pray for the victims", "donate blood now"] * 5
    labels = ["Infrastructure and utilities", "Sympathy and support", "Donations and volunteering"]
    model = train("info_type", texts, labels * 5)
    store = ModelStore(tmp_path)
    saved = store.save(model, {"test": True})
    loaded = store.load("info_type")
    assert loaded.label == "info_type@v1"
    assert [p.label for p in loaded.predict_many(texts)] == [
        p.label for p in model.predict_many(texts)
    ]
    with pytest.raises(ModelError):
        store.load("routing")
    with pytest.raises(ModelError):
        ModelStore(tmp_path).save(train("Bad Name", texts, labels * 5), {})
    learned = TriageEngine(
        engine.taxonomy, engine.rules, engine.locator, engine.places, {"info_type": saved}
    )
    decision = learned.decide(Posted("please donate blood now"))["info_type"]
    assert decision.value == "Donations and volunteering" and decision.version == "info_type@v1"


def test_split_keeps_copies_of_one_text_together() -> None:
    a = split_key("RT @someone: Flood in Seoul http://t.co/x")
    assert a == split_key("flood in seoul http://t.co/y @other") == "flood in seoul"
    assert in_test(a, 20) == in_test(split_key("FLOOD in Seoul!"), 20)
    with pytest.raises(ValueError, match="no column"):
        read_table(Path(__file__), ["nope"])
