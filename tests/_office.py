"""Debian's LibreOffice, headless, to render workbooks to PDF as they print; poppler's pdfinfo and
pdftotext to read the PDF back.

Where they are missing the print tests fail in CI (``CI=true``: a skipped check would hide a
missing install step) and are skipped elsewhere, saying how to install them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOOLS = {"soffice": "libreoffice-calc", "pdfinfo": "poppler-utils", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils"}
CONVERT_SECONDS = 180


def require_office() -> None:
    missing = sorted({package for tool, package in TOOLS.items() if shutil.which(tool) is None})
    if not missing:
        return
    message = f"not found: {', '.join(missing)} (apt-get install {' '.join(missing)}, as .ci/run does)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def to_pdf(workbooks: dict[str, Path], out: Path) -> dict[str, Path]:
    """Each workbook printed to ``out/<its key>.pdf`` by LibreOffice, in a throwaway profile (copied
    under its key first: file names in Vietnamese need a UTF-8 locale that CI may not have)."""
    require_office()
    out.mkdir(parents=True, exist_ok=True)
    copies = []
    for key, workbook in workbooks.items():
        copies.append(out / f"{key}{Path(workbook).suffix}")
        shutil.copyfile(workbook, copies[-1])
    profile = tempfile.mkdtemp(prefix="sim-office-")
    try:
        done = subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                               "--convert-to", "pdf", "--outdir", str(out), *map(str, copies)],
                              capture_output=True, text=True, timeout=CONVERT_SECONDS)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdfs = {key: out / f"{key}.pdf" for key in workbooks}
    missing = [p.name for p in pdfs.values() if not p.is_file()]
    assert not missing, f"LibreOffice wrote no {missing}: {done.stdout}{done.stderr}"
    return pdfs


def pdf_info(pdf: Path) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)}


def page_size_mm(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page, in millimetres."""
    width, height = map(float, re.match(r"([\d.]+) x ([\d.]+) pts", pdf_info(pdf)["Page size"]).groups())
    return width * 25.4 / 72, height * 25.4 / 72


def page_texts(pdf: Path) -> list[str]:
    """The text of every page, in reading order."""
    pages = int(pdf_info(pdf)["Pages"])
    return [subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout for n in range(1, pages + 1)]


def words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """The words of one page with their boxes: (text, x min, y min, x max, y max) in points, y down."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html)
    return [(unescape(text), float(a), float(b), float(c), float(d)) for a, b, c, d, text in found]


def unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#39;", "'")
