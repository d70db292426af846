"""A new Verilator build says on stderr that a one-time build is running and where it is cached;
a cached build says nothing."""
from __future__ import annotations

import subprocess
from types import SimpleNamespace

import sharp
from sharp.sim import build


def test_a_new_build_announces_itself_once(tmp_path, monkeypatch, capfd):
    compiled = []

    def fake_verilator(command, **kw):  # stands in for the 5-30 s compile
        obj = tmp_path / command[command.index("-Mdir") + 1]
        obj.mkdir(parents=True)
        (obj / build.LIBRARY).write_bytes(b"")
        compiled.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(build, "BUILD", tmp_path / "build")
    monkeypatch.setattr(build, "subprocess", SimpleNamespace(run=fake_verilator))
    config = sharp.HardwareConfig(2, 4, 64, 64, 1024, 64)
    library = build.build_library(config)
    err = capfd.readouterr().err
    assert len(compiled) == 1
    assert "one-time build" in err and config.name in err
    assert str(library.parent) in err and library.parent.parent == tmp_path / "build" / "sim"

    assert build.build_library(config) == library
    assert len(compiled) == 1 and capfd.readouterr().err == ""
