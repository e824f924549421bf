"""ARCHITECTURE.md layering: the recording layer imports no other app; no app imports the control layer."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OTHER_APPS = {"cases", "planning", "insatser"}
RECORDING_LAYER = (
    "audit/recording/log.py", "audit/models.py", "audit/control/models.py", "audit/recording/context.py",
    "audit/recording/signals.py", "audit/control/importing/models.py",
    "audit/recording/webhooks.py", "audit/recording/webhook_models.py",
)
RECORDING_MODULES = {"audit.recording.log", "audit.models", "audit.recording.context", "audit",
                     "audit.recording.webhooks", "audit.recording.webhook_models"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_recording_layer_imports_no_other_app():
    for name in RECORDING_LAYER:
        imported = _imports(ROOT / name)
        assert not {m.split(".")[0] for m in imported} & OTHER_APPS, name


def test_no_other_app_imports_the_control_layer():
    # config is the composition root (URLs, Celery, the pages that combine every app, such as the
    # coordinator's caseload with its flags), so it is not one of the layered apps.
    for app in OTHER_APPS:
        for path in (ROOT / app).rglob("*.py"):
            audit_imports = {m for m in _imports(path) if m.split(".")[0] == "audit"}
            assert audit_imports <= RECORDING_MODULES, f"{path}: {audit_imports}"
