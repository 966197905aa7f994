"""GitHub's heading anchors (github-slugger's rules), with its numbering of duplicates."""

from __future__ import annotations

import unicodedata

USER_CONTENT = "user-content-"


def _kept(char: str) -> bool:
    if char in " -":
        return True
    category = unicodedata.category(char)
    return category[0] in "LMN" or category == "Pc"


def github_slug(text: str) -> str:
    """Lowercase; drop what is not a letter, mark, number, `_`, `-` or space; spaces to `-`."""
    return "".join(c for c in text.lower() if _kept(c)).replace(" ", "-")


class Slugger:
    """Slugs for the headings of one document: the second `Intro` is `intro-1`, then `intro-2`."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """The anchor of the next heading with this text."""
        base = github_slug(text)
        slug = base
        while slug in self._seen:
            self._seen[base] += 1
            slug = f"{base}-{self._seen[base]}"
        self._seen[slug] = 0
        return slug


def matches(fragment: str, anchors: frozenset[str], *, ignore_case: bool) -> bool:
    """Tell whether a link's #fragment names one of a document's anchors, as GitHub does."""
    if fragment in ("", "top") or fragment.startswith(":~:"):
        return True
    if fragment.startswith(USER_CONTENT):
        fragment = fragment[len(USER_CONTENT) :]
    if fragment in anchors:
        return True
    return ignore_case and fragment.lower() in {a.lower() for a in anchors}
