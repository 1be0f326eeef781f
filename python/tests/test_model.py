"""aec.compile -> Model: training, inference, NumPy checks, weights."""
import os

import numpy as np
import pytest

from conftest import DATA


def test_compile_reads_sizes_and_defaults(model):
    assert (model.name, model.input_size, model.code_size, model.output_size) == ("mlp", 12, 3, 12)
    assert list(model.layers) == ["enc1", "enc2", "code", "dec1", "dec2", "dec3"]
    assert model.defaults["batch"] == 16 and model.defaults["epochs"] == 2


def test_fit_lowers_the_loss_and_reports_progress(model, x):
    seen = []
    history = model.fit(x, epochs=6, batch=16, val=x[:32],
                        callback=lambda epoch, logs: seen.append((epoch, logs)))
    assert [e for e, _ in seen] == [1, 2, 3, 4, 5, 6]
    assert history[-1]["loss"] < history[0]["loss"]
    assert "val_mse" in history[0] and np.isfinite(history[-1]["val_mse"])


def test_callback_returning_false_stops(model, x):
    history = model.fit(x, epochs=5, callback=lambda epoch, logs: epoch < 2)
    assert len(history) == 2


def test_encode_decode_reconstruct_round_trip(model, x):
    codes = model.encode(x)
    assert codes.shape == (96, 3) and codes.dtype == np.float32
    rec = model.reconstruct(x)
    assert rec.shape == (96, 12)
    np.testing.assert_allclose(model.decode(codes), rec, atol=1e-6)
    assert np.all((rec > 0) & (rec < 1))
    scores = model.score(x)
    np.testing.assert_allclose(scores, np.mean((rec - x) ** 2, axis=1), rtol=1e-5)


def test_layer_output_by_name_and_index(model, x):
    h = model.layer_output("enc1", x)
    assert h.shape == (96, 8) and np.all(h >= 0)
    np.testing.assert_array_equal(model.layer_output(0, x), h)
    np.testing.assert_allclose(model.layer_output("code", x), model.encode(x), atol=1e-6)
    with pytest.raises(KeyError, match="no layer `nope`"):
        model.layer_output("nope", x)


def test_float64_is_converted_explicitly(model, x):
    np.testing.assert_array_equal(model.encode(x.astype(np.float64)), model.encode(x))


def test_bad_arrays_are_refused(model, x):
    with pytest.raises(TypeError, match="float32"):
        model.encode(x.astype(np.int32))
    with pytest.raises(TypeError, match="NumPy array"):
        model.encode(x.tolist())
    with pytest.raises(ValueError, match="12 elements per sample"):
        model.encode(x[:, :10])
    with pytest.raises(ValueError, match=r"shape \[n, \.\.\.\]"):
        model.encode(x[0])
    bad = x.copy()
    bad[3, 5] = np.nan
    with pytest.raises(ValueError, match="NaN or inf at sample 3, element 5"):
        model.reconstruct(bad)
    with pytest.raises(ValueError, match="codes"):
        model.decode(x)


def test_samples_of_any_sample_shape_with_the_right_size(model, x):
    np.testing.assert_array_equal(model.encode(x.reshape(96, 3, 4)), model.encode(x))
    np.testing.assert_array_equal(model.encode(np.asfortranarray(x)), model.encode(x))


def test_save_load_round_trip(aec_mod, model, x, tmp_path):
    path = tmp_path / "w.aew"
    model.save(path)
    other = aec_mod.Model(model.library, os.path.join(os.path.dirname(model.library), "mlp.h"))
    other.load(path)
    np.testing.assert_array_equal(other.reconstruct(x), model.reconstruct(x))
    with pytest.raises(aec_mod.AecError):
        other.load(tmp_path / "missing.aew")


def test_export_import_npz(aec_mod, model, x, tmp_path):
    path = tmp_path / "w.npz"
    model.export(path)
    weights = np.load(path)
    assert weights["0.weight"].shape == (8, 12)  # PyTorch's [out, in]
    fresh = aec_mod.Model(model.library, os.path.join(os.path.dirname(model.library), "mlp.h"))
    fresh.import_npz(path)
    np.testing.assert_array_equal(fresh.reconstruct(x), model.reconstruct(x))


def test_sample_needs_a_variational_model(aec_mod, model):
    with pytest.raises(aec_mod.AecError, match="variational"):
        model.sample(4)


def test_inference_only_build_cannot_fit(aec_mod, x, tmp_path):
    m = aec_mod.compile(os.path.join(DATA, "mlp.ae"), workdir=str(tmp_path), inference_only=True)
    assert m.encode(x).shape == (96, 3)
    with pytest.raises(aec_mod.AecError, match="inference_only"):
        m.fit(x, epochs=1)


def test_compile_errors_carry_the_diagnostics(aec_mod, tmp_path):
    src = tmp_path / "bad.ae"
    src.write_text("model bad { input 4 encoder { dense 8 relu } code 9 decoder mirror }\n")
    with pytest.raises(aec_mod.AecError, match="aec build failed"):
        aec_mod.compile(str(src), workdir=str(tmp_path))


def test_int8_weights_and_switching_back_to_f32(aec_mod, x, tmp_path):
    m = aec_mod.compile(os.path.join(DATA, "mlp.ae"), workdir=str(tmp_path), weight_format="int8")
    assert m.weight_format == "int8"
    m.fit(x, epochs=2)
    q = m.reconstruct(x)
    m.set_weight_format("f32")
    f = m.reconstruct(x)
    assert not np.array_equal(q, f) and np.abs(q - f).max() < 0.05
    m.set_weight_format("int8")
    assert np.array_equal(m.reconstruct(x), q)
    with pytest.raises(aec_mod.AecError, match="bf16"):
        m.set_weight_format("bf16")


def test_object_cache_on_and_off(aec_mod, x, tmp_path, monkeypatch):
    monkeypatch.setenv("AEC_CACHE_DIR", str(tmp_path / "cache"))
    m = aec_mod.compile(os.path.join(DATA, "mlp.ae"), workdir=str(tmp_path / "off"), cache=False)
    assert not (tmp_path / "cache").exists()
    aec_mod.compile(os.path.join(DATA, "mlp.ae"), workdir=str(tmp_path / "on"))
    assert any(f.startswith("llvmcache-aec-") for f in os.listdir(tmp_path / "cache"))
    # a second build from the cache opens and computes the same
    c = aec_mod.compile(os.path.join(DATA, "mlp.ae"), workdir=str(tmp_path / "again"))
    assert np.array_equal(c.reconstruct(x), m.reconstruct(x))
