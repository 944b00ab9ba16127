import pytest


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(app, monkeypatch, tmp_path):
    """The scene's workshop photo goes to a temporary instance folder, not the real one."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
