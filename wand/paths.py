"""Every place the wand keeps things, worked out once.

User files follow the XDG base directories on every OS (``~/.config``, ``~/.local/share``),
so a pip install never writes into its own package; the repository's ``gestures/`` folder
holds the project's definitions and data sets, read only.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
GESTURES_DIR = REPO_ROOT / "gestures"
VOCABULARY_FILE = GESTURES_DIR / "vocabulary.toml"
ASSETS_DIR = PACKAGE_DIR / "assets"
BUILTIN_TEMPLATES_FILE = ASSETS_DIR / "builtin_templates.json"  # the model's gestures as DTW rivals (wand.enrol)
EXAMPLES_DIR = PACKAGE_DIR / "examples"
FIRMWARE_DIR = REPO_ROOT / "firmware" / "magic_wand"


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def config_dir() -> Path:
    """The user's settings: config.toml, enrolled.json, paired wands."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "wand"


def config_file() -> Path:
    return config_dir() / "config.toml"


def enrolled_file() -> Path:
    return config_dir() / "enrolled.json"


def data_dir() -> Path:
    """What the user made: recordings, trained models."""
    return _xdg("XDG_DATA_HOME", ".local/share") / "wand"


def recordings_dir() -> Path:
    """Default home of ``wand record`` tries (``WAND_RECORDINGS`` overrides it)."""
    env = os.environ.get("WAND_RECORDINGS")
    return Path(env) if env else data_dir() / "recordings"


def gesture_pictures_dir() -> Path:
    """Where ``wand gestures`` draws each gesture (derived PNGs, replaced on each run)."""
    return data_dir() / "gestures"


def previous_model_dir() -> Path:
    """The model `wand train --install` replaced, kept for `wand train --undo`."""
    return data_dir() / "previous-model"


def runs_dir() -> Path:
    """Training and benchmark outputs: ./runs when run from a checkout, else the data dir."""
    return REPO_ROOT / "runs" if (REPO_ROOT / ".git").exists() else data_dir() / "runs"


def status_file() -> Path:
    """The running daemon's status (``wand status`` reads it)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    return (Path(base) if base else _xdg("XDG_CACHE_HOME", ".cache")) / "wand" / "status.json"


def dataset_roots() -> list[Path]:
    """Where named data sets are looked up: the project's copy, then ../shared/datasets."""
    return [GESTURES_DIR / "datasets", REPO_ROOT.parent / "shared" / "datasets"]


def androidtv_cert_files() -> tuple[Path, Path]:
    """The client certificate and key ``wand tv pair`` makes for Android TV's remote protocol."""
    return config_dir() / "androidtv-cert.pem", config_dir() / "androidtv-key.pem"


def paired_file() -> Path:
    """Wands the user paired with ``wand pair`` (the daemon acts only for these)."""
    return config_dir() / "paired.json"


def bumble_keys_file() -> Path:
    """Bonding keys of wands paired over bumble's own stack (``--wand bumble:...``)."""
    return config_dir() / "bumble-keys.json"
