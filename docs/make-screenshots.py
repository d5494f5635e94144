"""Pictures of the reports for the README: the HTML report in headless Chromium, the Word one through LibreOffice.

    python docs/make-screenshots.py            # writes docs/report-html.png, report-docx.png, notice-docx.png

Needs fazhi installed in the running Python, and from Debian: chromium, libreoffice-writer-nogui
(or libreoffice-writer), poppler-utils and a CJK font (fonts-noto-cjk):

    apt-get install -y chromium libreoffice-writer-nogui poppler-utils fonts-noto-cjk

It builds a demonstration ledger in a temporary folder (every lead unit of
most parts, dates spread over 2016-2018, a few late or missing), runs
`fazhi report` as a user would, then photographs what it wrote. Each
picture is reduced to 256 colours so that it stays small in the repository.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = date(2019, 1, 15)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def demo_ledger(home: Path) -> None:
    from fazhi_cli import record
    from fazhi_cli.plan import load_plan

    plan = load_plan()
    rng = random.Random(60)
    for part in plan.parts.values():
        roll = rng.random()
        for unit in part.lead_units:
            if roll < 0.12:
                continue                                    # nobody started: red by now
            start = date(2016, 10, 1) + timedelta(days=rng.randint(0, 420))
            record.mark(plan, home, target=part.id, unit=unit, state="doing", on=start.isoformat(),
                        note=None, evidence=[], by="示例", clock_today=TODAY)
            if roll < 0.25 and rng.random() < 0.7:
                continue                                    # still doing: red by now
            end = min(start + timedelta(days=rng.randint(30, 600)), part.due + timedelta(days=10))
            record.mark(plan, home, target=part.id, unit=unit, state="done", on=end.isoformat(),
                        note="已按方案完成" if rng.random() < 0.5 else None,
                        evidence=[f"番编办〔{end.year}〕{rng.randint(1, 60)}号"] if rng.random() < 0.5 else [],
                        by="示例", clock_today=TODAY)
    for duty in plan.obligations.values():
        if duty.due > TODAY:
            continue
        for unit in duty.units:
            if rng.random() < 0.85:
                on = duty.due - timedelta(days=rng.randint(-10, 20))
                record.mark(plan, home, target=duty.id, unit=unit, state="done", on=min(on, TODAY).isoformat(),
                            note=None, evidence=[], by="示例", clock_today=TODAY)


def fazhi(*args: str, env: dict) -> None:
    subprocess.run([sys.executable, "-m", "fazhi_cli", *args], env=env, check=True)


def shrink(png: Path, out: Path, width: int | None = None) -> None:
    from PIL import Image

    image = Image.open(png).convert("RGB")
    if width and image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    print(f"{out} ({out.stat().st_size // 1024} KiB)")


def screenshot_html(html: Path, out: Path, work: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    raw = work / "html.png"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'chromium'}", "--window-size=1100,1500",
                    f"--screenshot={raw}", html.as_uri()], check=True, capture_output=True, timeout=120)
    shrink(raw, out, width=900)


def screenshot_docx(docx: Path, out: Path, work: Path, pages_wanted: tuple[int, int] = (1, 2)) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftoppm") is None:
        raise SystemExit("LibreOffice or pdftoppm not found: apt-get install -y libreoffice-writer-nogui poppler-utils")
    subprocess.run([office, "--headless", f"-env:UserInstallation={(work / 'lo').as_uri()}", "--convert-to", "pdf",
                    "--outdir", str(work), str(docx)], check=True, capture_output=True, timeout=300)
    pdf = work / (docx.stem + ".pdf")
    pages_of(pdf, out, work, pages_wanted)


def pages_of(pdf: Path, out: Path, work: Path, pages_wanted: tuple[int, int]) -> None:
    """Pages of a PDF side by side on a grey sheet, as a person sees them."""
    for old in work.glob("page-*.png"):
        old.unlink()
    first, last = pages_wanted
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", str(first), "-l", str(last), str(pdf), str(work / "page")],
                   check=True)
    from PIL import Image

    pages = [Image.open(p).convert("RGB") for p in sorted(work.glob("page-*.png"))]
    gap = 16
    sheet = Image.new("RGB", (sum(p.width for p in pages) + gap * (len(pages) + 1), max(p.height for p in pages)
                              + 2 * gap), "#d9d9d9")
    x = gap
    for page in pages:
        sheet.paste(page, (x, gap))
        x += page.width + gap
    raw = work / "docx.png"
    sheet.save(raw)
    shrink(raw, out)


def printed_html(html: Path, out: Path, work: Path) -> None:
    """The HTML report as the browser prints it (its print stylesheet: A4, page numbers)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    pdf = work / "printed.pdf"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'chromium'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], check=True, capture_output=True, timeout=120)
    pages_of(pdf, out, work, (1, 2))


def notice_docx(home: Path, out: Path) -> None:
    """A 催办通知 as the office sends it, drawn from the demonstration ledger (not numbered in it)."""
    from fazhi_cli import progress
    from fazhi_cli.ledger import read_ledger
    from fazhi_cli.plan import load_plan
    from fazhi_cli.progress.supervision import notices
    from fazhi_cli.render.notice_docx import notice_document
    from fazhi_cli.render.supervision import notice_parts

    plan = load_plan()
    day = date(2018, 3, 15)
    st = progress.status(plan, read_ledger(home, plan).events, day)
    chosen = max(notices(plan, st, within=30), key=lambda n: len(n.overdue) + len(n.duties))
    parts = notice_parts(plan, chosen, day, 12, day, plan.supervision.units[0] if plan.supervision.units else "")
    out.write_bytes(notice_document(parts, issued=day))


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="fazhi-shots-"))
    try:
        home = work / "data"
        demo_ledger(home)
        env = {**os.environ, "FAZHI_HOME": str(home), "FAZHI_CACHE_DIR": str(work / "cache")}
        env.pop("FAZHI_LANG", None)
        html, docx = work / "区2018年度落实情况.html", work / "区编办2018年度工作进展情况总结.docx"
        fazhi("report", "--year", "2018", "--as-of", "2019-01-15", "--output", str(html), env=env)
        fazhi("report", "--unit", "区编办", "--year", "2018", "--as-of", "2019-01-15", "--output", str(docx), env=env)
        screenshot_html(html, HERE / "report-html.png", work)
        printed_html(html, HERE / "report-html-printed.png", work)
        screenshot_docx(docx, HERE / "report-docx.png", work)
        notice = work / "催办通知.docx"
        notice_docx(home, notice)
        screenshot_docx(notice, HERE / "notice-docx.png", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
