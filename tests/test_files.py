"""mlbalance._files: atomic writes and the output-is-an-input guard."""

import os

import pytest

from mlbalance._files import OutputPathError, atomic_open, check_output, write_text


def test_atomic_open_keeps_the_previous_file_when_writing_fails(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old, complete\n")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as handle:
            handle.write("half of the new")
            raise RuntimeError("killed mid-write")
    assert path.read_text() == "old, complete\n"
    assert os.listdir(tmp_path) == ["out.csv"], "the temporary file must be removed"


def test_atomic_open_replaces_and_keeps_the_file_mode(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    os.chmod(path, 0o640)
    write_text(path, "new")
    assert path.read_text() == "new"
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


def test_atomic_open_binary_and_bad_mode(tmp_path):
    with atomic_open(tmp_path / "b.bin", "wb") as handle:
        handle.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(ValueError, match="mode"):
        with atomic_open(tmp_path / "c", "a"):
            pass


def test_atomic_open_in_a_missing_directory_names_the_path(tmp_path):
    with pytest.raises(OSError, match="no-such-dir"):
        write_text(tmp_path / "no-such-dir" / "r.md", "x")


def test_check_output_refuses_an_input_also_through_a_symlink_or_dots(tmp_path):
    labels = tmp_path / "y.csv"
    labels.write_text("a\n1\n")
    link = tmp_path / "latest.json"
    link.symlink_to(labels)
    for output in (labels, link, tmp_path / "sub" / ".." / "y.csv"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputPathError, match="y.csv"):
            check_output(output, {"--y-true": labels})
    with pytest.raises(OutputPathError, match="--thresholds"):
        check_output(tmp_path / "t.json", {"--y-true": labels, "--thresholds": tmp_path / "t.json"})


def test_check_output_refuses_directories_and_missing_or_read_only_folders(tmp_path):
    with pytest.raises(OutputPathError, match="is a directory"):
        check_output(tmp_path, [])
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output(tmp_path / "missing" / "out.csv", [])
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permission bits
            pytest.skip("running as a user that can write to read-only folders")
        with pytest.raises(OutputPathError, match="not writable"):
            check_output(locked / "out.csv", [])
    finally:
        os.chmod(locked, 0o700)


def test_check_output_accepts_a_new_file_next_to_the_inputs(tmp_path):
    assert check_output(tmp_path / "new.csv", [tmp_path / "y.csv", None]) == str(tmp_path / "new.csv")


def test_check_output_refuses_a_hard_link_to_an_input(tmp_path):
    labels = tmp_path / "y.csv"
    labels.write_text("a\n1\n")
    os.link(labels, tmp_path / "copy.csv")
    with pytest.raises(OutputPathError, match="copy.csv"):
        check_output(tmp_path / "copy.csv", {"LABELS": labels})
