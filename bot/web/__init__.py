"""The admin console in the browser (`aigc-bot web`): what users asked, what went
unanswered or disliked, what the knowledge base holds, a hit test, and the admin
actions (reload, upload, add a web page). A face like the console chat and Telegram:
every page reads and every action goes through the knowledge service.

    pip install "python-telegram-bot[webhooks]"   (tornado, already a dependency)
"""
