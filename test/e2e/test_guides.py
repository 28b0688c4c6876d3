"""The commands of docs/user-guide.md and docs/pass-writers-guide.md work as written.

* Blocks after a `<!-- doc-test: run -->` line are run with bash (all of a guide's, in order, `set -e`): the user
  guide in a scratch directory that has `examples/` (its outputs go to `out/` there), the pass-writer's guide
  in the repository (it only reads).
* Every other shell line is checked: `kcc ...` parses with kcc's own argument parser, every `--flag` of a
  `kcc-opt` line is in `kcc-opt --help` and every `-p` pass exists, and the repository files it names exist.
* Blocks after `<!-- doc-test: quote FILE -->` are quoted from FILE: each line (but `...` lines) is in it.
* Python blocks parse.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from kcc.tools.kcc import build_parser

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ("docs/user-guide.md", "docs/pass-writers-guide.md")
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!-- doc-test: (run|quote (\S+)) -->$")
REPO_DIRS = ("examples/", "kcc/", "test/", "tools/", "docs/", "bench/")
# Commands a guide may use besides kcc and kcc-opt.
OTHER_COMMANDS = {".", "bash", "mkdir", "python", "lit", "ruff", "pyright", "grep", "cp"}


@dataclass
class Block:
    guide: str
    line: int
    language: str
    text: str
    run: bool = False
    quote: str | None = None


def blocks(guide: str) -> list[Block]:
    lines = (ROOT / guide).read_text().splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        block = Block(guide, i + 1, m.group(1), "\n".join(lines[i + 1 : end]) + "\n")
        marker = MARKER.match(lines[i - 1]) if i > 0 else None
        if marker is not None:
            block.run = marker.group(1) == "run"
            block.quote = marker.group(2)
        found.append(block)
        i = end + 1
    return found


ALL_BLOCKS = [b for g in GUIDES for b in blocks(g)]


def commands(text: str) -> list[list[str]]:
    """The simple commands of a shell snippet: lines split at `|`, `&&`, `;`, redirections dropped."""
    result: list[list[str]] = []
    for line in text.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.commenters = "#"
        lexer.whitespace_split = True
        current: list[str] = []
        redirect = False
        for token in lexer:
            if token in ("|", "&&", ";", "||"):
                result.append(current) if current else None
                current = []
            elif token in (">", ">>", "2>", "<"):
                redirect = True
            elif redirect:
                redirect = False
            else:
                current.append(token)
        if current:
            result.append(current)
    return result


@functools.cache
def _kcc_opt_help() -> str:
    return subprocess.run([str(BIN / "kcc-opt"), "--help"], capture_output=True, text=True, check=True).stdout


def check_command(argv: list[str], where: str, opt_help: str) -> None:
    tool = argv[0]
    for token in argv[1:]:
        path = token.split("=", 1)[-1]
        if path.startswith(REPO_DIRS) and not any(c in path for c in "*?"):
            assert (ROOT / path).exists(), f"{where}: {path} does not exist"
    if tool == "kcc":
        try:
            build_parser().parse_args(argv[1:])
        except SystemExit as e:
            assert e.code == 0, f"{where}: kcc rejects {shlex.join(argv)}"
    elif tool == "kcc-opt":
        from kcc.universe import KCC_PASSES

        for i, token in enumerate(argv):
            if token.startswith("--"):
                flag = token.split("=", 1)[0]
                assert re.search(rf"(^|\s){re.escape(flag)}\b", opt_help, re.M), f"{where}: kcc-opt has no {flag}"
            if token == "-p":
                for spec in argv[i + 1].split(","):
                    name = spec.split("{", 1)[0]
                    assert name in KCC_PASSES or name in ("canonicalize", "cse"), f"{where}: no pass {name}"
    else:
        assert tool in OTHER_COMMANDS, f"{where}: unexpected command {tool}"
        if tool == "bash" and len(argv) > 1:
            assert (ROOT / argv[1]).exists(), f"{where}: {argv[1]} does not exist"


@pytest.mark.parametrize("guide", GUIDES)
def test_every_command_is_valid(guide: str) -> None:
    opt_help = _kcc_opt_help()
    shell = [b for b in ALL_BLOCKS if b.guide == guide and b.language == "bash"]
    assert shell, f"{guide} has no shell blocks"
    checked = 0
    for b in shell:
        for argv in commands(b.text):
            check_command(argv, f"{guide}:{b.line}", opt_help)
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.quote], ids=lambda b: f"{b.guide}:{b.line}")
def test_quoted_code_is_in_the_repository(block: Block) -> None:
    assert block.quote is not None
    source = (ROOT / block.quote).read_text()
    for line in block.text.splitlines():
        if line.strip() and "..." not in line:
            assert line.strip() in source, f"{block.guide}:{block.line}: not in {block.quote}: {line.strip()}"


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.language == "python"], ids=lambda b: f"{b.guide}:{b.line}")
def test_python_blocks_parse(block: Block) -> None:
    ast.parse(block.text)


def _run_blocks(guide: str, cwd: Path) -> str:
    script = "\n".join(b.text for b in ALL_BLOCKS if b.guide == guide and b.run)
    assert script.strip(), f"{guide} has no runnable blocks"
    env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")])}
    p = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, f"{guide}: the runnable blocks failed:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}"
    return p.stdout


def test_user_guide_runs(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    out = _run_blocks("docs/user-guide.md", tmp_path)
    assert "placement: " in out and "MaixPy:" in out
    assert (tmp_path / "out" / "result" / "x_0.npy").is_file()
    assert (tmp_path / "out" / "mobilenet.mlir").read_text().startswith("builtin.module")
    assert "kpu.fake_conv2d" in (tmp_path / "out" / "placement.mlir").read_text()


def test_pass_writers_guide_runs() -> None:
    out = _run_blocks("docs/pass-writers-guide.md", ROOT)
    assert "--nchw-inputs" in out and 'kcc.layout = "NCHW"' in out
    assert "Passed" in out and "passed" in out  # lit, then pytest
