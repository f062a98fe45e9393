"""Fit the shipped lesson embedding offline and write it with its corpus statistics.

Corpus: every .py file of the installed packages (the virtualenv's site-packages) and the
repository's own .py and .md files. Usage:

    python bench/fit_lesson_embedding.py [--out evolve/models/lesson_embedding.npz]
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sysconfig
import time
from datetime import UTC, datetime
from pathlib import Path

from evolve.lessons_embedding import MODEL_PATH
from evolve.lessons_embedding_fit import FitSettings, corpus_chunks, fit_embedding

REPO = Path(__file__).resolve().parent.parent


def corpus_files() -> list[Path]:
    """Installed packages' Python sources and this repository's sources and docs, sorted."""
    site = Path(sysconfig.get_paths()["purelib"])
    ours = [p for p in REPO.rglob("*") if p.suffix in (".py", ".md") and ".venv" not in p.parts]
    return sorted(site.rglob("*.py")) + sorted(ours)


def main() -> None:
    """Fit, save, and print what was fitted on (JSON)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    files = corpus_files()
    started, cpu = time.time(), time.process_time()
    settings = FitSettings()
    model = fit_embedding(corpus_chunks(files, settings.chunk_lines), settings)
    model.save(args.out)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "files": len(files),
        "vocabulary": len(model.vocabulary),
        "dims": model.dims,
        "settings": vars(settings),
        "wall_seconds": round(time.time() - started, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "bytes": args.out.stat().st_size,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
