"""MkDocs hook: the notebooks as pages of the site, with the outputs of a run (``scripts/run_notebooks.py``).

Each ``notebooks/NAME.ipynb`` becomes the page ``notebooks/NAME.md`` (Markdown by nbconvert), its
figures files beside it; the nav lists the pages. The notebooks in the repository stay without outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files
from nbconvert import MarkdownExporter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import executed, paths  # noqa: E402

NOTE = (
    '!!! note "A notebook, shown with its outputs"\n'
    "    This page is `notebooks/{name}` as it ran when the site was built, with the package of the same\n"
    "    commit. Open the notebook itself to change and rerun it.\n\n"
)


def on_files(files: Files, config: Any) -> Files:
    """Add one page per notebook and the files of its figures."""
    exporter = MarkdownExporter()
    for path in paths():
        body, resources = exporter.from_notebook_node(
            executed(path), resources={"output_files_dir": f"{path.stem}_files"}
        )
        for name, data in resources.get("outputs", {}).items():
            files.append(File.generated(config, f"notebooks/{name}", content=data))
        files.append(File.generated(config, f"notebooks/{path.stem}.md", content=NOTE.format(name=path.name) + body))
    return files
