"""The library logs and never prints; progress bars appear only in a terminal and follow the log level."""
import ast
import io
import logging
from pathlib import Path

import pytest

from hetnet.bo import run_campaign
from hetnet.progress import configure_logging, progress_bar, simulation_report

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = sorted(path for path in (ROOT / "hetnet").rglob("*.py"))


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def restore_logging():
    yield
    configure_logging(None)


def _module_level_logger(tree):
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["logger"]:
            call = node.value
            return (isinstance(call, ast.Call) and getattr(call.func, "attr", None) == "getLogger"
                    and isinstance(call.args[0], ast.Name) and call.args[0].id == "__name__")
    return False


def test_every_library_module_has_its_logger_and_none_prints():
    missing, printing = [], []
    for path in LIBRARY:
        tree = ast.parse(path.read_text())
        relative = str(path.relative_to(ROOT))
        if path.name != "__init__.py" and not _module_level_logger(tree):
            missing.append(relative)
        if "hetnet/cli/" in relative:
            continue                       # the command line is where output belongs
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Name) and node.func.id == "print"]
        defaults = [node for node in ast.walk(tree) if isinstance(node, ast.arguments)
                    and any(isinstance(d, ast.Name) and d.id == "print" for d in node.defaults + node.kw_defaults)]
        if calls or defaults:
            printing.append(relative)
    assert missing == [] and printing == []


def test_campaign_is_silent_unless_logging_is_configured(tmp_path, capsys, restore_logging):
    run_campaign(tmp_path / "quiet", objective="gamma-moments", budget=3, batch=1, n_initial_points=2,
                 engine="serial")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    configure_logging(1)                                      # --verbose: the per-evaluation lines appear
    seen = []
    run_campaign(tmp_path / "verbose", objective="gamma-moments", budget=3, batch=1, n_initial_points=2,
                 engine="serial", on_evaluation=lambda record, done, budget, best: seen.append((done, budget)))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "[3/3] evaluation 2" in captured.err and "hetnet.bo.campaign" in captured.err
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_configure_logging_levels_and_no_duplicate_handlers(capsys, restore_logging):
    logger = logging.getLogger("hetnet.some.module")
    configure_logging(0)
    configure_logging(0)
    logger.info("compiling")
    logger.debug("details")
    err = capsys.readouterr().err
    assert err.count("compiling") == 1 and "details" not in err
    configure_logging(-1)
    logger.info("hidden")
    logger.warning("shown")
    err = capsys.readouterr().err
    assert "hidden" not in err and "shown" in err


def test_bars_only_in_a_terminal_and_not_when_quiet(restore_logging):
    configure_logging(0)
    assert progress_bar(total=2, file=io.StringIO()).disable            # a pipe or a log file
    terminal = FakeTerminal()
    bar = progress_bar(total=2, desc="evaluations", file=terminal)
    assert not bar.disable
    bar.update(2)
    bar.close()
    assert "evaluations" in terminal.getvalue() and "2/2" in terminal.getvalue()
    configure_logging(-1)                                               # --quiet
    assert progress_bar(total=2, file=FakeTerminal()).disable


def test_simulation_report_drives_a_bar_to_completion():
    terminal = FakeTerminal()
    report = simulation_report("run", file=terminal, enabled=True)
    for fraction in (0.0, 0.25, 0.7, 1.0):
        report(None, fraction, 0.0, 1.0)
    assert report.bar.n == 100 and "100/100" in terminal.getvalue()
