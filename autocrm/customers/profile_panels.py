"""The customer 360 page's own panels (profile, contacts and consents, relationships, history)."""


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
