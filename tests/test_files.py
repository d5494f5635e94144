"""Reading possibly hostile files: regular files only, within a limit, never hanging."""

import os

import pytest

from fazhi_cli.files import NotRegularFile, SymlinkRefused, TooLarge, read_regular


def test_reads_a_regular_file(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"abc\n")
    assert read_regular(p, 10) == b"abc\n"


def test_refuses_a_file_over_the_limit(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"x" * 11)
    with pytest.raises(TooLarge):
        read_regular(p, 10)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_hanging(tmp_path):
    p = tmp_path / "fifo"
    os.mkfifo(p)
    with pytest.raises(NotRegularFile):
        read_regular(p, 10)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused():
    with pytest.raises(NotRegularFile):
        read_regular("/dev/zero", 10)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(NotRegularFile):
        read_regular(tmp_path, 10)


def test_a_symlink_is_refused_when_asked(tmp_path):
    target = tmp_path / "real"
    target.write_bytes(b"x")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert read_regular(link, 10) == b"x"
    with pytest.raises(SymlinkRefused):
        read_regular(link, 10, nofollow=True)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "nope", 10)
