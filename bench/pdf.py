"""Invoice PDF rendering throughput on one process: a 10-line perception invoice ("avis des
sommes à payer" with its Datamatrix coupon), rendered by WeasyPrint from the Django
templates, like the billing worker does at issue. No database is needed.

Prints {"bench": "pdf", "invoice_pdf_per_s": ..., "render_p50_s": ..., ...}."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_PDF_RUNS", "40"))
WARMUP = 3


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    # Only the template engine is needed: no database, no commune, no network.
    settings.configure(
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(ROOT / "templates")],
        }],
        USE_TZ=True,
    )
    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from tenant_apps.billing.formats.invoice_pdf import render_invoice_pdf
    from tests.billing.formats.samples import invoice

    doc = invoice(line_count=10, mode="perception", draft=False)
    for _ in range(WARMUP):
        render_invoice_pdf(doc)
    durations = []
    cpu = []
    size = 0
    started = time.perf_counter()
    for _ in range(RUNS):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        size = len(render_invoice_pdf(doc))
        durations.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)
    elapsed = time.perf_counter() - started
    print(json.dumps({
        "bench": "pdf",
        "invoice_pdf_per_s": round(RUNS / elapsed, 2),
        "render_p50_s": round(statistics.median(durations), 4),
        "render_p95_s": round(sorted(durations)[int(0.95 * (RUNS - 1))], 4),
        # CPU time of this process alone: the figure to trust on a busy machine.
        "render_cpu_p50_s": round(statistics.median(cpu), 4),
        "invoice_pdf_per_cpu_s": round(RUNS / sum(cpu), 2),
        "runs": RUNS,
        "lines": 10,
        "pdf_bytes": size,
    }))


if __name__ == "__main__":
    main()
