"""AIGC question-answering bot: a BM25 knowledge base served over Telegram and a console."""

__version__ = "0.1.0"
