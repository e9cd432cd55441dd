"""The Telegram side: thin python-telegram-bot callbacks, one module per concern.

state (shared state, typed context), replies (sending, keyboards), conversation
(questions), buttons (callback queries), inline (inline mode), admin (admin commands
behind an admin filter), errors (the error handler), app (build_application).
"""
