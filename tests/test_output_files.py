"""Files the user names (export --output, db backup DEST, config init PATH) are written
safely: never through a link, never over a device, FIFO or folder, never over an existing
file without --force; a temp file created 0600 with O_EXCL, renamed when complete, and
removed on any failure (issue 16, "Files and paths").
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import open_db, sqlite_only
from followup_cli.support import output_files
from followup_cli.support.errors import Refused
from followup_cli.support.output_files import check_target, open_output, staged_file

VICTIM_TEXT = "the victim's own words\n"


def assert_error(r, code: int, *fragments: str) -> None:
    assert r.exit_code == code, r.output
    assert "Traceback" not in r.output
    assert r.stderr.startswith(("Error: ", "错误：")), r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, r.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry of `folder` (not following links) with its type and size."""
    out = {}
    for entry in sorted(folder.iterdir()):
        st = entry.lstat()
        out[entry.name] = (stat.S_IFMT(st.st_mode), st.st_size)
    return out


def counts(db: Path) -> dict[str, int]:
    conn = open_db(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.txt"
    path.write_text(VICTIM_TEXT, encoding="utf-8")
    path.chmod(0o644)
    return path


def refused_untouched(r, db: Path, before_rows, folder: Path, before_files, *fragments) -> None:
    """A refusal with exit 1 and the named fragments; the database and folder unchanged."""
    assert_error(r, 1, *fragments)
    assert r.stdout == ""
    assert counts(db) == before_rows
    assert listing(folder) == before_files


# -- the planted .part link --------------------------------------------------------------


def test_export_ignores_a_planted_part_symlink_and_the_victim_is_untouched(
    office, db_path, out_dir, victim
):
    planted = out_dir / ".e3.csv.part"
    planted.symlink_to(victim)
    target = out_dir / "e3.csv"
    r = office("export", "customers", "--output", str(target))
    assert r.exit_code == 0, r.output
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert mode(victim) == 0o644
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert not target.is_symlink() and target.is_file()
    assert mode(target) == 0o600
    assert "C001" in target.read_text(encoding="utf-8-sig")
    # only the export and the planted link: no temp file is left behind
    assert sorted(p.name for p in out_dir.iterdir()) == [".e3.csv.part", "e3.csv"]


# -- links as the target ----------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True])
def test_export_refuses_a_symlink_target(office, db_path, out_dir, victim, force):
    link = out_dir / "e3.csv"
    link.symlink_to(victim)
    before = counts(db_path), listing(out_dir)
    r = office("export", "customers", "--output", str(link), *(["--force"] if force else []))
    refused_untouched(
        r, db_path, before[0], out_dir, before[1],
        f"Error: {link} is a symbolic link; followup does not write through links",
        "not of a link",
    )  # fmt: skip
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert os.readlink(link) == str(victim)


def test_export_refuses_a_dangling_symlink(office, db_path, out_dir, tmp_path):
    pointee = tmp_path / "created-through-the-link.csv"
    link = out_dir / "e3.csv"
    link.symlink_to(pointee)
    before = counts(db_path), listing(out_dir)
    r = office("export", "customers", "--output", str(link))
    refused_untouched(r, db_path, before[0], out_dir, before[1], "is a symbolic link")
    assert not pointee.exists()


def test_db_backup_refuses_a_dangling_symlink(office, db_path, out_dir, tmp_path):
    pointee = tmp_path / "created-through-the-link.db"
    link = out_dir / "backup.db"
    link.symlink_to(pointee)
    before = counts(db_path), listing(out_dir)
    r = office("db", "backup", str(link))
    refused_untouched(
        r, db_path, before[0], out_dir, before[1],
        f"Error: {link} is a symbolic link; followup does not write through links",
    )  # fmt: skip
    assert not pointee.exists()
    r = office("db", "backup", str(link), "--force")
    refused_untouched(r, db_path, before[0], out_dir, before[1], "is a symbolic link")
    assert not pointee.exists()


def test_config_init_refuses_a_dangling_symlink(run, out_dir, tmp_path):
    pointee = tmp_path / "created-through-the-link.toml"
    link = out_dir / "config.toml"
    link.symlink_to(pointee)
    before = listing(out_dir)
    for extra in ([], ["--force"]):
        r = run("config", "init", str(link), *extra)
        assert_error(r, 1, f"Error: {link} is a symbolic link", "not of a link")
        assert r.stdout == ""
        assert listing(out_dir) == before
        assert not pointee.exists()


# -- FIFOs, devices, folders ------------------------------------------------------------


def _commands(db_target: Path) -> list[tuple[str, ...]]:
    return [
        ("export", "customers", "--output", str(db_target)),
        ("export", "customers", "--force", "--output", str(db_target)),
        ("db", "backup", str(db_target)),
        ("db", "backup", "--force", str(db_target)),
        ("config", "init", str(db_target)),
        ("config", "init", "--force", str(db_target)),
    ]


def test_a_fifo_target_is_refused_and_left_a_fifo(office, db_path, out_dir):
    fifo = out_dir / "pipe"
    os.mkfifo(fifo, 0o644)
    before = counts(db_path), listing(out_dir)
    for args in _commands(fifo):
        r = office(*args)
        refused_untouched(
            r, db_path, before[0], out_dir, before[1],
            f"Error: {fifo} is a named pipe; followup writes only regular files",
        )  # fmt: skip
        assert stat.S_ISFIFO(fifo.lstat().st_mode), args


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can create a device node")
def test_a_device_target_is_refused_and_left_a_device(office, db_path, out_dir):
    # A private twin of /dev/null (char 1,3): proves the refusal before /dev/null is tried.
    twin = out_dir / "mynull"
    os.mknod(twin, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    before = counts(db_path), listing(out_dir)
    for args in _commands(twin):
        r = office(*args)
        refused_untouched(
            r, db_path, before[0], out_dir, before[1],
            f"Error: {twin} is a device; followup writes only regular files",
        )  # fmt: skip
        assert stat.S_ISCHR(twin.lstat().st_mode), args
        assert twin.lstat().st_rdev == os.makedev(1, 3)


def test_dev_null_is_refused_and_left_alone(office, db_path, out_dir):
    dev_null = Path("/dev/null")
    st = dev_null.lstat()
    assert stat.S_ISCHR(st.st_mode)
    before = counts(db_path)
    for args, guard in zip(_commands(dev_null), _commands(out_dir / "guard"), strict=True):
        # Each command must first refuse a FIFO of ours: code that would replace what it
        # finds never reaches /dev/null.
        if not (out_dir / "guard").exists():
            os.mkfifo(out_dir / "guard")
        assert office(*guard).exit_code == 1, guard
        assert stat.S_ISFIFO((out_dir / "guard").lstat().st_mode), guard
        r = office(*args)
        assert_error(r, 1, "Error: /dev/null is a device; followup writes only regular files")
        after = dev_null.lstat()
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == st.st_rdev, args
    assert counts(db_path) == before


def test_a_folder_target_is_refused(office, db_path, out_dir):
    folder = out_dir / "reports"
    folder.mkdir()
    before = counts(db_path), listing(out_dir)
    # (`db backup DIR` writes a dated backup into a folder, issue 22: tests/test_backups.py)
    for args in [a for a in _commands(folder) if a[:2] != ("db", "backup")]:
        r = office(*args)
        refused_untouched(
            r, db_path, before[0], out_dir, before[1],
            f"Error: {folder} is a folder, not a file", "a file inside it",
        )  # fmt: skip
        assert list(folder.iterdir()) == []


# -- existing files: refused without --force, replaced 0600 with it ---------------------


def test_export_refuses_an_existing_file_without_force(office, db_path, out_dir):
    target = out_dir / "客户.csv"
    target.write_text("last week's sheet\n", encoding="utf-8")
    before = counts(db_path), listing(out_dir)
    r = office("export", "customers", "--output", str(target))
    refused_untouched(
        r, db_path, before[0], out_dir, before[1],
        f"Error: {target} already exists", "add --force to replace it",
    )  # fmt: skip
    assert target.read_text(encoding="utf-8") == "last week's sheet\n"


def test_export_with_force_replaces_an_existing_file_0600(office, out_dir):
    target = out_dir / "客户.csv"
    target.write_text("last week's sheet\n", encoding="utf-8")
    target.chmod(0o644)
    r = office("export", "customers", "--force", "--output", str(target))
    assert r.exit_code == 0, r.output
    assert "C001" in target.read_text(encoding="utf-8-sig")
    assert mode(target) == 0o600
    assert sorted(p.name for p in out_dir.iterdir()) == ["客户.csv"]


@sqlite_only("reads the backup back as a SQLite file (the server's: tests/test_postgres.py)")
def test_db_backup_with_force_replaces_an_existing_file_0600(office, out_dir):
    target = out_dir / "backup.db"
    target.write_bytes(b"an old backup")
    target.chmod(0o644)
    r = office("db", "backup", "--force", str(target))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"Backed up to {target}\n"
    assert mode(target) == 0o600
    assert counts(target)["customers"] == 2
    assert sorted(p.name for p in out_dir.iterdir()) == ["backup.db"]


def test_db_backup_refuses_an_existing_file_and_says_force(office, db_path, out_dir):
    target = out_dir / "backup.db"
    target.write_bytes(b"an old backup")
    before = counts(db_path), listing(out_dir)
    r = office("db", "backup", str(target))
    refused_untouched(
        r, db_path, before[0], out_dir, before[1],
        f"Error: {target} already exists", "add --force to replace it",
    )  # fmt: skip
    assert target.read_bytes() == b"an old backup"


def test_config_init_with_force_replaces_0600(run, out_dir):
    target = out_dir / "config.toml"
    target.write_text("[planning]\n", encoding="utf-8")
    target.chmod(0o644)
    r = run("config", "init", "--force", str(target))
    assert r.exit_code == 0, r.output
    assert mode(target) == 0o600
    assert "# [planning]" in target.read_text(encoding="utf-8").splitlines()
    assert sorted(p.name for p in out_dir.iterdir()) == ["config.toml"]


def test_new_files_are_0600_whatever_the_umask(office, run, out_dir):
    old = os.umask(0)
    try:
        assert office("export", "customers", "--output", str(out_dir / "a.csv")).exit_code == 0
        assert office("db", "backup", str(out_dir / "b.db")).exit_code == 0
        assert run("config", "init", str(out_dir / "c.toml")).exit_code == 0
    finally:
        os.umask(old)
    assert {p.name: mode(p) for p in out_dir.iterdir()} == {
        "a.csv": 0o600,
        "b.db": 0o600,
        "c.toml": 0o600,
    }


# -- "-" is standard output --------------------------------------------------------------


def test_dash_means_stdout_for_export_and_config_init(office, out_dir, monkeypatch):
    monkeypatch.chdir(out_dir)
    r = office("export", "customers", "--output", "-")
    assert r.exit_code == 0, r.output
    assert r.stdout.lstrip("\ufeff").startswith("code,")
    assert "C001" in r.stdout
    r = office("config", "init", "-")
    assert r.exit_code == 0, r.output
    assert "# [planning]" in r.stdout.splitlines()
    assert list(out_dir.iterdir()) == []


def test_db_backup_to_dash_is_a_usage_error(office, db_path, out_dir, monkeypatch):
    monkeypatch.chdir(out_dir)
    before = counts(db_path)
    r = office("db", "backup", "-")
    assert_error(r, 2, "cannot go to standard output", "Give a file name")
    assert list(out_dir.iterdir()) == []
    assert counts(db_path) == before


# -- failures leave no temp file ---------------------------------------------------------


def test_a_failed_export_leaves_the_old_file_and_no_part(office, out_dir, monkeypatch):
    import followup_cli.cli.export_cmd as export_cmd

    def disk_full(header, records, out):
        out.write("half a row")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_cmd, "write_csv", disk_full)
    target = out_dir / "客户.csv"
    target.write_text("last week's sheet\n", encoding="utf-8")
    r = office("export", "customers", "--force", "--output", str(target))
    assert_error(r, 1, f"Error: the disk is full: cannot write {target}", "Nothing was saved")
    assert target.read_text(encoding="utf-8") == "last week's sheet\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["客户.csv"]


def test_ctrl_c_during_a_backup_leaves_no_file(office, out_dir, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(output_files, "_publish", interrupted)
    target = out_dir / "backup.db"
    r = office("db", "backup", str(target))
    assert r.exit_code == 130, r.output
    assert "Interrupted: nothing saved." in r.stderr
    assert list(out_dir.iterdir()) == []


# -- the writer itself --------------------------------------------------------------------


def test_a_file_that_appears_while_writing_is_not_overwritten(tmp_path):
    target = tmp_path / "report.csv"
    with pytest.raises(Refused, match="already exists"), open_output(target) as fh:
        fh.write("ours\n")
        target.write_text("theirs\n", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_a_link_planted_while_writing_is_refused_not_followed(tmp_path, victim):
    target = tmp_path / "report.csv"
    with pytest.raises(Refused, match="symbolic link"), open_output(target, force=True) as fh:
        fh.write("ours\n")
        target.symlink_to(victim)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


def test_the_temp_file_is_0600_from_the_start_and_beside_the_target(tmp_path):
    target = tmp_path / "x.db"
    old = os.umask(0)
    try:
        with staged_file(target) as tmp:
            assert tmp.parent == tmp_path
            assert tmp.name.startswith(".x.db.") and tmp.name.endswith(".part")
            assert mode(tmp) == 0o600
    finally:
        os.umask(old)
    assert target.exists() and not tmp.exists()


def test_check_target_accepts_a_missing_file_and_an_existing_one_with_force(tmp_path):
    check_target(tmp_path / "new.csv", force=False)
    existing = tmp_path / "old.csv"
    existing.write_text("x", encoding="utf-8")
    check_target(existing, force=True)
    with pytest.raises(Refused, match="already exists"):
        check_target(existing, force=False)


def test_refusals_are_in_chinese_under_a_chinese_locale(office, db_path, out_dir, victim):
    zh = {"FOLLOWUP_LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "zh_CN.UTF-8"}
    link = out_dir / "e3.csv"
    link.symlink_to(victim)
    fifo = out_dir / "pipe"
    os.mkfifo(fifo)
    before = counts(db_path), listing(out_dir)
    r = office("export", "customers", "--output", str(link), env=zh)
    assert f"{link} 是符号链接；followup 不会通过链接写入" in r.stderr
    refused_untouched(r, db_path, before[0], out_dir, before[1], "请给出一个新文件的路径")
    r = office("db", "backup", str(fifo), env=zh)
    refused_untouched(
        r,
        db_path,
        before[0],
        out_dir,
        before[1],
        f"{fifo} 是命名管道；followup 只写普通文件",
    )
    existing = out_dir / "old.toml"
    existing.write_text("[planning]\n", encoding="utf-8")
    before = counts(db_path), listing(out_dir)
    r = office("config", "init", str(existing), env=zh)
    refused_untouched(r, db_path, before[0], out_dir, before[1], "或加 --force 替换原文件")
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
