"""Settings: TOML in the XDG config dir, overridden by PHOTOARCHIVE_ARCHIVE and --archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from photoarchive.archive import BadWeekPattern, check_week_pattern
from photoarchive.config import Settings, load_settings, save_settings


def test_defaults_follow_xdg(isolated_home: Path) -> None:
    s = load_settings(env={})
    assert s.archive == isolated_home / "Pictures" / "PhotoArchive"
    assert s.settings_file == isolated_home / ".config/photoarchive/settings.toml"
    assert s.catalog_path.parent == isolated_home / ".local/share/photoarchive/catalogs"
    assert s.cache_dir == isolated_home / ".cache/photoarchive"


def test_file_env_and_argument_precedence(tmp_path: Path) -> None:
    s = load_settings(env={})
    s = Settings(**{**s.__dict__, "archive": tmp_path / "from-file", "week_pattern": "%G-W%V"})
    save_settings(s)
    assert load_settings(env={}).archive == tmp_path / "from-file"
    assert load_settings(env={}).week_pattern == "%G-W%V"
    env = {"PHOTOARCHIVE_ARCHIVE": str(tmp_path / "from-env")}
    assert load_settings(env=env).archive == tmp_path / "from-env"
    assert load_settings(archive=tmp_path / "arg", env=env).archive == tmp_path / "arg"
    assert not [p for p in s.config_dir.iterdir() if p.name.endswith(".tmp")]


def test_catalog_is_per_archive(tmp_path: Path) -> None:
    a = load_settings(archive=tmp_path / "a", env={})
    b = load_settings(archive=tmp_path / "b", env={})
    assert a.catalog_path != b.catalog_path
    os.symlink(tmp_path / "a", tmp_path / "link")
    (tmp_path / "a").mkdir()
    assert load_settings(archive=tmp_path / "link", env={}).catalog_path == a.catalog_path


def test_unreadable_settings_file_falls_back_to_defaults(isolated_home: Path) -> None:
    s = load_settings(env={})
    s.settings_file.parent.mkdir(parents=True, exist_ok=True)
    s.settings_file.write_text("archive = [unclosed")
    assert load_settings(env={}).archive == isolated_home / "Pictures" / "PhotoArchive"


@pytest.mark.parametrize("pattern", ["%Y", "%Y/%m-%d", "%m-%d", ".%Y-%m-%d", ""])
def test_bad_week_patterns(pattern: str) -> None:
    with pytest.raises(BadWeekPattern):
        check_week_pattern(pattern)


@pytest.mark.parametrize("pattern", ["%Y-%m-%d", "%G-W%V", "%Y-%m-%d week"])
def test_good_week_patterns(pattern: str) -> None:
    check_week_pattern(pattern)


@pytest.mark.parametrize(
    ("xdg", "home"),
    [
        ("", "/home/oma"),  # the usual case: defaults under HOME
        ("/srv/xdg", "/home/oma"),
        ("relative/xdg", "/home/oma/"),  # a relative XDG variable is ignored
        ("", "/"),
        ("", "relative-home"),  # platformdirs' own rules (the password database)
        (None, None),
    ],
)
def test_user_dirs_are_platformdirs_own(
    xdg: str | None, home: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """config computes the folders without importing platformdirs (start-up), to the letter."""
    import platformdirs

    from photoarchive import logfile
    from photoarchive.config import APP_NAME, cache_dir, config_dir, data_dir

    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "HOME"):
        value = home if var == "HOME" else xdg and f"{xdg}/{var.lower()}"
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    assert config_dir() == Path(platformdirs.user_config_dir(APP_NAME))
    assert data_dir() == Path(platformdirs.user_data_dir(APP_NAME))
    assert cache_dir() == Path(platformdirs.user_cache_dir(APP_NAME))
    assert logfile.log_dir() == Path(platformdirs.user_state_dir(APP_NAME)) / "logs"
