"""The vehicles app's menu entries and its panel on the customer 360 page."""


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
