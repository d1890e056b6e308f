"""Where the work of an obligation is done: the record's page, for the person asking.

Deadlines, reminders, notifications and home-page items name an obligation by
its key (see `obligations.py`: `kpi_return:2026-10`, `sla:3:2026`, ...). Each
app registers, for the key prefixes it owns, a resolver that gives the page of
the record each key names, in its AppConfig.ready():

    from lra_commissioning import links

    def kpi_return_links(user, keys):   # -> {key: "/performance/returns/2026-10/"}
        ...
    links.register("kpi_return", kpi_return_links)

A resolver answers for one person and many keys at once (a fixed number of
queries), and gives only pages that open for that person: the record when they
may see it, otherwise the nearest page they may open about it (the status
board of the year for a return still in draft), or nothing. The core imports
no app: an app that is not installed simply resolves nothing.

Absolute addresses (e-mails, calendar feeds) come from one setting, SITE_URL.
"""

from collections.abc import Callable, Iterable

from django.conf import settings

Resolver = Callable[[object, list[str]], dict[str, str]]

_resolvers: dict[str, Resolver] = {}


def register(prefix: str, resolver: Resolver) -> None:
    """resolver(user, keys) -> {key: site path} for keys starting `prefix:`."""
    _resolvers[prefix] = resolver


def prefix_of(key: str) -> str:
    return key.split(":", 1)[0]


def urls_for(user, keys: Iterable[str]) -> dict[str, str]:
    """The page of each key's record that this person can open (keys with none are left out)."""
    by_prefix: dict[str, list[str]] = {}
    for key in dict.fromkeys(keys):
        by_prefix.setdefault(prefix_of(key), []).append(key)
    found: dict[str, str] = {}
    for prefix, group in by_prefix.items():
        resolver = _resolvers.get(prefix)
        if resolver is None or user is None:
            continue
        found.update({k: url for k, url in resolver(user, group).items() if url})
    return found


def absolute_url(path: str) -> str:
    """The public address of a page of this site (SITE_URL, default what `make run` serves)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def split_key(key: str) -> list[str]:
    """The parts after the prefix: "sla:3:2026" -> ["3", "2026"]."""
    return key.split(":")[1:]


def int_part(key: str, index: int) -> int | None:
    """The index-th part after the prefix as a number, or None when it is not one."""
    parts = split_key(key)
    try:
        return int(parts[index])
    except (IndexError, ValueError):
        return None
