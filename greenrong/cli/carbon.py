"""Carbon accounting: ``carbon recalc`` and ``report carbon`` (docs/CARBON.md)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from greenrong.cli import kit


@click.group()
def carbon() -> None:
    """Carbon accounting: stored calculations."""


@carbon.command("recalc")
@click.option(
    "--factors", "factor_version", required=True, help="Factor set version, e.g. CN-2025.1."
)
@click.option(
    "--chunk",
    "chunk_size",
    default=200,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Calculations per carbon.recalculate job.",
)
@click.option(
    "--wait",
    "wait_seconds",
    default=600.0,
    show_default=True,
    type=click.FloatRange(1, 86_400),
    help="With a broker: how long to wait for the worker before giving up (exit 1).",
)
def carbon_recalc(factor_version: str, chunk_size: int, wait_seconds: float) -> None:
    """Re-run every stored calculation against a factor set and list the results that change.

    With GREENRONG_BROKER_URL the chunks go to `greenrong worker` as carbon.recalculate jobs and
    this command follows their progress; without it, it runs the same handler itself. The
    results are kept per run (carbon_recalc_result); stored calculations are append-only and
    never change (docs/CARBON.md, "Recalculation")."""
    from tqdm import tqdm

    from greenrong.core.errors import DomainError
    from greenrong.domain.carbon import recalc
    from greenrong.workers import carbon as carbon_worker

    settings = kit.settings()

    async def run() -> tuple[uuid.UUID, int, list[Any], bool]:
        async with kit.database() as sessionmaker:
            async with sessionmaker.begin() as session:
                run_row, ids = await recalc.start_run(session, factor_version=factor_version)
            chunks = recalc.chunks(ids, chunk_size)
            bar = tqdm(total=len(ids), unit="calc", file=sys.stderr, disable=None)
            finished = True
            if settings.broker_url:
                from greenrong.workers.broker import send_recalc_chunks

                await asyncio.to_thread(send_recalc_chunks, settings, run_row.id, chunks)
                finished = await carbon_worker.follow_run(
                    sessionmaker,
                    run_row.id,
                    len(ids),
                    give_up_after=wait_seconds,
                    progress=bar.update,
                )
            else:
                for chunk in chunks:
                    bar.update(await carbon_worker.recalculate(sessionmaker, run_row.id, chunk))
            bar.close()
            async with sessionmaker() as session:
                return run_row.id, len(ids), await recalc.changed(session, run_row.id), finished

    try:
        run_id, total, changed, finished = asyncio.run(run())
    except DomainError as error:
        raise click.BadParameter(error.message, param_hint="--factors") from error
    for r in changed:
        new = r.error if r.new_total is None else f"{r.new_total} tCO2e"
        click.echo(
            f"{r.calculation_id}\t{r.model}\t{r.year}\t"
            f"{r.old_version} {r.old_total} tCO2e -> {factor_version} {new}"
        )
    where = "by the worker" if settings.broker_url else "in this process"
    if not finished:
        raise click.ClickException(
            f"run {run_id}: the worker has not finished within {wait_seconds:g} s "
            f"(is `greenrong worker` running?); {len(changed)} changed so far"
        )
    click.echo(
        f"greenrong: {total} calculation(s) re-run with {factor_version}, "
        f"{len(changed)} changed (run {run_id}, {where})",
        err=True,
    )


@click.group("report")
def report_group() -> None:
    """Reports rendered from stored data."""


@report_group.command("carbon")
@click.option("--enterprise", "enterprise_id", required=True, type=click.UUID, help="Its id.")
@click.option("--year", required=True, type=click.IntRange(1990, 2100), help="Reporting year.")
@click.option(
    "--pdf",
    "pdf_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the PDF.",
)
def report_carbon(enterprise_id: uuid.UUID, year: int, pdf_path: Path) -> None:
    """Write an enterprise-year's carbon report (the page's content) as a PDF, its Chinese
    text in an embedded font subset (docs/CARBON.md, "Report")."""
    from greenrong.core.errors import NotFound
    from greenrong.domain.carbon.report import carbon_report
    from greenrong.domain.carbon.report_pdf import FontMissing, find_font, render_pdf

    configured = kit.settings().report_font
    try:
        font = find_font(Path(configured) if configured else None)
    except FontMissing as error:
        raise click.ClickException(error.message) from error

    async def run() -> Any:
        async with kit.session() as session:
            return await carbon_report(session, enterprise_id=enterprise_id, year=year)

    try:
        report = asyncio.run(run())
    except NotFound as error:
        raise click.BadParameter(error.message, param_hint="--enterprise") from error
    pdf_path.write_bytes(render_pdf(report, font=font))
    kit.report(
        f"wrote {pdf_path} ({report.enterprise_name} {year}: "
        f"{len(report.lines)} line(s), {len(report.entries)} ledger entr(ies))"
    )
