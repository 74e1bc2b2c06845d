from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for newcomers and benchmarks; nothing imports it."""

    name = "cabas.demo"
