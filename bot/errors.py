"""Domain exceptions. Each carries a message fit to show to an admin or a user."""


class BotError(Exception):
    """Base class for every error this project raises on purpose."""


class ConfigError(BotError):
    """A setting is missing or has a bad value."""


class ArticleError(BotError):
    """An article file cannot be indexed; the message is the reason shown in reports."""


class VocabularyError(BotError):
    """A vocabulary file (dictionary, stopwords, glossary, promo markers) is malformed."""


class StorageError(BotError):
    """The database cannot be opened, migrated or written."""


class StartupError(BotError):
    """The bot cannot start (token rejected, Bot API unreachable): one line, an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code
