"""`make report`: write an index page linking every stage's report, and print its path.

It opens nothing: the path it prints can be opened in any browser, offline.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from stages import io
from stages.run import repo_root, stage_paths

STEPS = ("clean", "parse", "entities", "quotes", "summarize")


def index_html(reports: Sequence[tuple[str, str, bool]]) -> str:
    """An offline page listing (step, relative link, exists) rows; missing reports are marked."""
    rows = "\n".join(
        f'<li><a href="{html.escape(link)}">{html.escape(step)}</a></li>'
        if exists
        else f"<li>{html.escape(step)}: not run yet (run <code>make repro</code>)</li>"
        for step, link, exists in reports
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n<title>Pipeline reports</title>\n</head>\n<body>\n"
        f"<h1>Pipeline reports</h1>\n<ol>\n{rows}\n</ol>\n</body>\n</html>\n"
    )


def main() -> None:
    root = repo_root()
    reports = []
    for step in STEPS:
        page = (root / stage_paths(step, root)[0]["notebook"]).with_suffix(".html")
        reports.append((step, page, page.is_file()))
    index = reports[0][1].parent / "index.html"
    links = [(step, str(page.relative_to(index.parent)), exists) for step, page, exists in reports]
    io.write_text(index, index_html(links))
    print(Path(index).resolve())


if __name__ == "__main__":
    main()
