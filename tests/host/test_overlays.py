"""The package's overlays: `make bitstream` installs them where sharp.Accelerator("pynq") finds
the board's without a path; the board is detected as PYNQ does (BOARD, then the device tree)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import sharp
import sharp.overlays as overlays
from sharp.toolchain import REPO

import fake_pynq

FAKE_VIVADO = """#!/bin/sh
# Stands in for Vivado: writes what build.tcl writes, overlay/<board>/sharp.bit and sharp.hwh.
board=$(echo "$@" | sed 's/.*-tclargs \\([^ ]*\\).*/\\1/')
mkdir -p overlay/$board && echo bit > overlay/$board/sharp.bit && echo hwh > overlay/$board/sharp.hwh
"""


@pytest.fixture
def package_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(overlays, "OVERLAYS", tmp_path / "overlays")
    (tmp_path / "overlays").mkdir()
    monkeypatch.delenv("BOARD", raising=False)
    monkeypatch.setattr(overlays, "DEVICE_TREE_BOARD", tmp_path / "no-device-tree")
    return tmp_path / "overlays"


def install(where, board):
    (where / board).mkdir()
    for name in ("sharp.bit", "sharp.hwh"):
        (where / board / name).write_text(name)
    return where / board / "sharp.bit"


def test_make_bitstream_installs_into_the_package(tmp_path):
    work = tmp_path / "repo"
    (work / "overlay").mkdir(parents=True)
    shutil.copy(REPO / "Makefile", work)
    shutil.copy(REPO / "overlay" / "boards.csv", work / "overlay")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "vivado").write_text(FAKE_VIVADO)
    (bin_dir / "vivado").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    r = subprocess.run(["make", "bitstream", "BOARD=kv260", "IMPL=rtl"], cwd=work, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("sharp.bit", "sharp.hwh"):
        assert (work / "host" / "sharp" / "overlays" / "kv260" / name).read_text() == \
            (work / "overlay" / "kv260" / name).read_text()
    assert "vivado -mode batch -log build/vivado-kv260-rtl.log -journal build/vivado-kv260-rtl.jou " \
        "-source build.tcl -tclargs kv260 rtl" in r.stdout
    assert "installed host/sharp/overlays/kv260/sharp.bit" in r.stdout


@pytest.mark.parametrize("name", ["Pynq-Z2", "pynqz2", "PYNQ_Z2"])
def test_the_board_from_the_board_variable_finds_its_overlay(package_dir, monkeypatch, name):
    bit = install(package_dir, "pynq-z2")
    install(package_dir, "kv260")
    monkeypatch.setenv("BOARD", name)
    assert overlays.find_overlay() == bit


def test_the_board_from_the_device_tree(package_dir):
    bit = install(package_dir, "zcu104")
    overlays.DEVICE_TREE_BOARD.write_bytes(b"ZCU104\x00")
    assert overlays.detect_board() == "ZCU104" and overlays.find_overlay() == bit


def test_no_board_or_no_overlay_says_what_to_do(package_dir, monkeypatch):
    with pytest.raises(FileNotFoundError, match=r"no board detected: the BOARD environment "
                                                r"variable is unset.*pass bitstream="):
        overlays.find_overlay()
    install(package_dir, "kv260")
    monkeypatch.setenv("BOARD", "ZCU104")
    with pytest.raises(FileNotFoundError, match=r"no SHARP overlay for board 'ZCU104'.*overlays "
                                                r"for kv260.*make bitstream BOARD=zcu104"):
        overlays.find_overlay()
    (package_dir / "kv260" / "sharp.hwh").unlink()  # half an overlay is none
    monkeypatch.setenv("BOARD", "kv260")
    with pytest.raises(FileNotFoundError, match="the package holds no overlay"):
        overlays.find_overlay()


def test_the_pynq_backend_opens_the_packaged_overlay(package_dir, monkeypatch):
    bit = install(package_dir, "pynq-z2")
    monkeypatch.setenv("BOARD", "Pynq-Z2")
    module = fake_pynq.make_module(fake_pynq.Replay([]))
    monkeypatch.setitem(sys.modules, "pynq", module)
    monkeypatch.setitem(sys.modules, "pynq.lib", module.lib)
    monkeypatch.delitem(sys.modules, "sharp.ports.pynq", raising=False)
    from sharp.ports import open_port
    assert open_port("pynq").overlay.bitfile_name == str(bit)
    monkeypatch.setenv("BOARD", "kv260")
    with pytest.raises(FileNotFoundError, match="no SHARP overlay for board 'kv260'"):
        sharp.Accelerator("pynq")
