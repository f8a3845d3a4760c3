"""Who you are: the profile that signs the drafts and pre-fills the interview.

A small YAML file in the platform's config directory, next to the user's playbook
(`XDG_CONFIG_HOME` honoured on Linux). It is written whole or not at all, readable by its
owner only, and checked on every write and read, so a typo in a key is an error that lists
the keys rather than a setting that silently does nothing.
"""

from __future__ import annotations

from pathlib import Path

from escalate_cli import safe_yaml
from escalate_cli.errors import EscalateError
from escalate_cli.files import write_atomic

KEYS = {
    "name": "your name; signs the drafts",
    "title": "your job title, under your name when there is no signature",
    "signature": "the block under the customer message; several lines",
    "manager_name": "your manager; the manager brief is addressed to them",
    "team": "your team, in the sign-off when there is no signature",
    "company": "your company, in the sign-off when there is no signature",
    "time_zone": "your time zone as customers read it (ET, CET, UTC+1): put after a time "
    "the drafts propose that names none",
}
MAX_VALUE = 2_000

Profile = dict[str, str]


def path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("escalate") / "profile.yaml"


def _keys_hint() -> str:
    return "the keys are: " + ", ".join(KEYS)


def check_key(key: str) -> str:
    """`key` if it is a profile key; otherwise exit 2 naming every key."""
    if key not in KEYS:
        raise EscalateError(f"{key!r} is not a profile key", _keys_hint())
    return key


def check_value(key: str, value: str) -> str:
    """A value as it will be stored: trimmed, one line except the signature, bounded."""
    cleaned = value.strip("\n") if key == "signature" else value.strip()
    if not cleaned.strip():
        raise EscalateError(
            f"the value for {key!r} is empty", f"to remove it: escalate config unset {key}"
        )
    if key != "signature" and "\n" in cleaned:
        raise EscalateError(f"{key!r} takes one line", "only `signature` may have several lines")
    if len(cleaned) > MAX_VALUE:
        raise EscalateError(
            f"the value for {key!r} is longer than {MAX_VALUE} characters",
            "shorten it: a signature is a few lines",
        )
    return cleaned


def load(where: Path | None = None) -> Profile:
    """The saved profile, or an empty one when there is none yet."""
    file = where or path()
    if not file.is_file():
        return {}
    located = safe_yaml.load(file, "profile")
    data = located.data if located.data is not None else {}
    if not isinstance(data, dict):
        raise EscalateError(
            f"{file}: a profile is a mapping of key: value",
            f"fix or remove the file; {_keys_hint()}",
        )
    for key, value in data.items():
        if key not in KEYS or not isinstance(value, str):
            raise EscalateError(
                f"{located.where((key,))}: {key!r} is not a profile key with a text value",
                f"fix or remove that line; {_keys_hint()}",
            )
    return dict(data)


def save(profile: Profile, where: Path | None = None) -> Path:
    """Write the whole profile atomically, 0600, in a private folder."""
    import yaml

    file = where or path()
    file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    ordered = {key: profile[key] for key in KEYS if key in profile}
    text = "# escalate profile: `escalate config list` shows it, `escalate config set` changes it\n"
    text += yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=1000)
    write_atomic(file, text, force=True, mode=0o600)
    return file


def set_value(key: str, value: str, where: Path | None = None) -> Profile:
    profile = load(where)
    profile[check_key(key)] = check_value(key, value)
    save(profile, where)
    return profile


def unset(key: str, where: Path | None = None) -> bool:
    """Remove `key`; whether it was set."""
    profile = load(where)
    found = profile.pop(check_key(key), None) is not None
    if found:
        save(profile, where)
    return found
