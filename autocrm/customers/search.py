"""Search providers for the global search box: customers and vehicles, by phone, VIN, plate,
customer number, ID number, credit code, name or pinyin initials."""


def register() -> None:
    """Called from the app's ``AppConfig.ready``."""
