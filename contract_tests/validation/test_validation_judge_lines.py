"""`judge_lines`, the map step of a distributed run: the CLI's verdicts, one per line."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from parallel_corpus import build_corpus
from validation_support import REPO

from deribit_contract.validation import iter_validate, judge_lines


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    build_corpus(root)
    return root / "a" / "traffic.jsonl"


def test_verdicts_are_those_of_validate_line_for_line(traffic: Path) -> None:
    with traffic.open("rb") as handle:
        mine = list(judge_lines(handle, source=str(traffic)))
    reference = list(iter_validate([traffic]))
    assert mine == reference
    statuses = Counter(v.status for v in mine)
    assert min(statuses["valid"], statuses["invalid"], statuses["not_json"]) > 0


def test_str_lines_with_crlf_and_an_offset_label_each_record(traffic: Path) -> None:
    lines = traffic.read_text(encoding="utf-8").splitlines()
    partition = [line + "\r\n" for line in lines[100:200]]
    mine = list(judge_lines(partition, source="part-7", first_line=101))
    reference = [v for v in iter_validate([traffic]) if 101 <= _number(v.record) <= 200]
    assert [v.record for v in mine] == [r.record.replace(str(traffic), "part-7") for r in reference]
    assert [v.status for v in mine] == [r.status for r in reference]


def test_a_broken_line_never_touches_its_neighbours() -> None:
    lines = [b'{"jsonrpc": "2.0", "id": 1, "error": {"code": 1, "message": "x"}}', b'{"jso', b"{}"]
    verdicts = list(judge_lines(lines))
    assert [v.record for v in verdicts] == ["<lines>:1", "<lines>:2", "<lines>:3"]
    assert verdicts[1].status == "not_json"
    assert verdicts[2].status == "invalid"


def _number(label: str) -> int:
    return int(label.rsplit(":", 1)[1].split()[0])


def test_the_readme_example_runs_on_a_process_pool(traffic: Path, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    example = next(b for b in blocks if "judge_lines" in b and "ProcessPoolExecutor" in b)
    assert "size=50_000" in example
    # small partitions so that the pool gets many of them
    (tmp_path / "example.py").write_text(example.replace("size=50_000", "size=37"))
    (tmp_path / "traffic.jsonl").write_bytes(traffic.read_bytes())
    done = subprocess.run(
        [sys.executable, "example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    reference = list(iter_validate([tmp_path / "traffic.jsonl"]))
    expected_bad = [
        f"{r.record.replace(str(tmp_path / 'traffic.jsonl'), 'traffic.jsonl')} {r.status}"
        for r in reference
        if not r.valid
    ]
    assert printed[:-1] == expected_bad
    assert printed[-1] == str(dict(sorted(Counter(r.status for r in reference).items())))
