"""Shared fixtures: the aec compiler ($AEC) and a compiled model."""
import os
import shutil

import numpy as np
import pytest

DATA = os.path.join(os.path.dirname(__file__), "data")


def pytest_collection_modifyitems(config, items):
    if not (os.environ.get("AEC") or shutil.which("aec")):
        skip = pytest.mark.skip(reason="no aec compiler: set $AEC")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def aec_mod():
    import aec
    return aec


@pytest.fixture(scope="session")
def model(aec_mod, tmp_path_factory):
    return aec_mod.compile(os.path.join(DATA, "mlp.ae"), workdir=str(tmp_path_factory.mktemp("mlp")))


@pytest.fixture
def x():
    rng = np.random.default_rng(1)
    data = rng.random((96, 12), dtype=np.float32)
    data[:, ::2] = (data[:, ::2] > 0.5).astype(np.float32)
    return data
