from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`manage.py benchmark`: the pages timed on a big book, and a refresh from the sandbox.

    An app of its own because it is the one place that drives the product (invoices) and the
    emulators (sandbox) together; installed with the sandbox, which it needs.
    """

    name = "bench"
    verbose_name = "Benchmark"
