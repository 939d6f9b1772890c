"""The imports app's menu entries."""


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
