"""sharp.from_onnx: torch-exported LSTMs and GRUs (stacked, bidirectional, either layout) equal
torch; on the accelerator they are bit-exact with golden; everything else is refused by name."""
from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

import sharp
from sharp.onnx_import import OnnxImportError

TORCH = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
STACKS = [(1, False), (2, False), (2, True)]  # (num_layers, bidirectional)


def export(module, args, path, **kw):
    """torch's TorchScript exporter (dynamo=False): it writes ONNX LSTM and GRU nodes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its notes on batch sizes and the legacy exporter
        torch.onnx.export(module, args, path, dynamo=False, **kw)
    return path


def torch_model(cell, layers, bidirectional, batch_first, rng):
    torch.manual_seed(int(rng.integers(2**31)))
    size, hidden = (int(v) for v in rng.integers(2, 9, 2))
    return TORCH[cell](size, hidden, num_layers=layers, bidirectional=bidirectional,
                       batch_first=batch_first), size


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("layers,bidirectional", STACKS)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_torch_exports_import_and_equal_torch(cell, layers, bidirectional, batch_first, rng,
                                              tmp_path):
    module, size = torch_model(cell, layers, bidirectional, batch_first, rng)
    x = torch.tensor(rng.uniform(-1, 1, (3, 5, size)), dtype=torch.float32)
    model = sharp.from_onnx(export(module, (x,), tmp_path / "m.onnx"))
    assert type(model) is {"lstm": sharp.LSTM, "gru": sharp.GRU}[cell]
    assert (model.num_layers, model.bidirectional, model.batch_first) == \
        (layers, bidirectional, batch_first)
    assert model.initial_state is None and model.state_inputs == ()
    with torch.no_grad():
        want = module.double()(x.double())[0].numpy()
    np.testing.assert_allclose(model.forward(x.numpy().astype(np.float64)), want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_an_imported_stack_is_bit_exact_with_golden_on_verilator(cell, rng, tmp_path):
    module, size = torch_model(cell, 2, True, True, rng)
    x = rng.uniform(-1, 1, (2, 6, size))
    model = sharp.from_onnx(export(module, (torch.zeros(1, 6, size),), tmp_path / "m.onnx"))
    q = model.quantize(calibration=x)
    acc = sharp.Accelerator("verilator", progress=False)
    acc.load(q, steps_hint=6)
    np.testing.assert_array_equal(acc.run(x, raw=True), q.run_int(q.quantize_input(x)[0]))
    with torch.no_grad():
        want = module.double()(torch.tensor(x))[0].numpy()
    assert np.max(np.abs(acc.run(x) - want)) < 0.05  # the quantization error, far below |h| < 1


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_initial_states_as_graph_inputs_are_named(cell, rng, tmp_path):
    module, size = torch_model(cell, 2, True, False, rng)
    x, h0 = torch.zeros(5, 3, size), torch.zeros(4, 3, module.hidden_size)
    names = ["x", "h0", "c0"] if cell == "lstm" else ["x", "h0"]
    state = (h0, h0.clone()) if cell == "lstm" else h0
    model = sharp.from_onnx(export(module, (x, state), tmp_path / "m.onnx", input_names=names))
    assert model.state_inputs == tuple(names[1:]) and model.initial_state is None


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_initial_states_as_constants_are_returned_in_torchs_convention(cell, rng, tmp_path):
    module, size = torch_model(cell, 2, True, True, rng)
    tensors = [torch.tensor(rng.uniform(-1, 1, (4, 3, module.hidden_size)), dtype=torch.float32)
               for _ in range(2 if cell == "lstm" else 1)]

    class WithState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.state = module, torch.nn.ParameterList(tensors)

        def forward(self, x):
            return self.rnn(x, tuple(self.state) if cell == "lstm" else self.state[0])

    model = sharp.from_onnx(export(WithState(), (torch.zeros(3, 5, size),), tmp_path / "m.onnx"))
    got = model.initial_state if cell == "lstm" else (model.initial_state,)
    assert model.state_inputs == () and len(got) == len(tensors)
    for g, t in zip(got, tensors):
        np.testing.assert_array_equal(g, t.numpy())
    # passed on as the docstring says, the state gives torch's outputs: float, then accelerator
    x = rng.uniform(-1, 1, (3, 5, size))
    with torch.no_grad():
        want = WithState().double()(torch.from_numpy(x))[0].numpy()
    out, _ = model(x, model.initial_state)
    np.testing.assert_allclose(out, want, rtol=0, atol=1e-12)
    acc = sharp.Accelerator("golden", progress=False)
    acc.load(model.quantize(x), steps_hint=5)
    out, _ = acc(x, model.initial_state)
    assert np.max(np.abs(out - want)) <= 2e-2  # the quantized models' tolerance elsewhere


# -- graphs written with onnx.helper ---------------------------------------------------------
def rnn_graph(op="LSTM", layout=0, direction="forward", inputs=None, attrs=None, after=None,
              size=3, hidden=4, rng=None):
    """One RNN node with random weights; `inputs` replaces node inputs by index, `after` adds
    a node on its output."""
    rng = rng or np.random.default_rng(0)
    gates, dirs = {"LSTM": 4, "GRU": 3}[op], 2 if direction == "bidirectional" else 1
    init = [numpy_helper.from_array(rng.uniform(-1, 1, s).astype(np.float32), n) for n, s in (
        ("W", (dirs, gates * hidden, size)), ("R", (dirs, gates * hidden, hidden)),
        ("B", (dirs, 2 * gates * hidden)))]
    node_inputs = ["X", "W", "R", "B"]
    extra_graph_inputs = []
    for k, name in (inputs or {}).items():
        node_inputs += [""] * (k + 1 - len(node_inputs))
        node_inputs[k] = name
        if name.startswith("graph:"):
            node_inputs[k] = name[6:]
            extra_graph_inputs.append(helper.make_tensor_value_info(name[6:], TensorProto.FLOAT,
                                                                    None))
    attributes = {"hidden_size": hidden, "direction": direction, "layout": layout,
                  **({"linear_before_reset": 1} if op == "GRU" else {}), **(attrs or {})}
    nodes = [helper.make_node(op, node_inputs, ["Y"], name="rnn0", **attributes)]
    squeeze_axis = 1 if layout == 0 else 2
    init.append(numpy_helper.from_array(np.array([squeeze_axis]), "axis"))
    nodes.append(helper.make_node("Squeeze", ["Y", "axis"], ["out"], name="squeeze0"))
    if after:
        nodes.append(helper.make_node(after, ["out"], ["final"], name="after0"))
    x_shape = [5, 2, size] if layout == 0 else [2, 5, size]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                                         x_shape),
                                           *extra_graph_inputs],
                              [helper.make_tensor_value_info("final" if after else "out",
                                                             TensorProto.FLOAT, None)], init)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def save(proto, tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(proto, str(path))
    return path


@pytest.mark.parametrize("direction", ["forward", "bidirectional"])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_layout_1_equals_torch_batch_first(cell, direction, rng, tmp_path):
    """An ONNX node of layout 1 (batch first), with ONNX's gate order mapped to torch's."""
    op = cell.upper()
    dirs = 2 if direction == "bidirectional" else 1
    proto = rnn_graph(op, 1, direction, rng=rng)
    if dirs == 2:  # Y (B, T, 2, H) -> (B, T, 2H)
        g = proto.graph
        del g.node[1]
        g.initializer.append(numpy_helper.from_array(np.array([0, 0, -1]), "shape"))
        g.node.append(helper.make_node("Reshape", ["Y", "shape"], ["out"], name="merge"))
    model = sharp.from_onnx(save(proto, tmp_path))
    assert model.batch_first and model.num_directions == dirs
    weights = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    module = TORCH[cell](3, 4, batch_first=True, bidirectional=dirs == 2).double()
    onnx_blocks = {"lstm": (0, 2, 3, 1), "gru": (1, 0, 2)}[cell]  # i,f,g,o of iofc; r,z,n of zrh

    def torch_rows(m):
        blocks = np.split(m, len(onnx_blocks))
        return torch.tensor(np.concatenate([blocks[k] for k in onnx_blocks]), dtype=torch.float64)

    rows = weights["R"].shape[1]
    with torch.no_grad():
        for d in range(dirs):
            sfx = "_l0" + ("_reverse" if d else "")
            getattr(module, "weight_ih" + sfx).copy_(torch_rows(weights["W"][d]))
            getattr(module, "weight_hh" + sfx).copy_(torch_rows(weights["R"][d]))
            getattr(module, "bias_ih" + sfx).copy_(torch_rows(weights["B"][d, :rows]))
            getattr(module, "bias_hh" + sfx).copy_(torch_rows(weights["B"][d, rows:]))
        x = rng.uniform(-1, 1, (2, 5, 3))
        want = module(torch.tensor(x))[0].numpy()
    np.testing.assert_allclose(model.forward(x), want, rtol=0, atol=1e-12)


REFUSED = [
    ("GRU", {"attrs": {"linear_before_reset": 0}}, r"rnn0.*linear_before_reset=0"),
    ("LSTM", {"inputs": {7: "B"}}, r"rnn0.*input P \('B', peepholes\)"),
    ("LSTM", {"attrs": {"clip": 3.0}}, r"rnn0.*attribute clip=3\.0"),
    ("LSTM", {"attrs": {"input_forget": 1}}, r"rnn0.*attribute input_forget=1"),
    ("LSTM", {"attrs": {"activations": ["Sigmoid", "Relu", "Tanh"]}},
     r"rnn0.*attribute activations=\['Sigmoid', 'Relu', 'Tanh'\]"),
    ("GRU", {"attrs": {"activation_alpha": [1.0]}}, r"rnn0.*attribute activation_alpha"),
    ("LSTM", {"direction": "reverse"}, r"rnn0.*direction='reverse'"),
    ("LSTM", {"inputs": {4: "graph:lengths"}}, r"rnn0.*input sequence_lens \('lengths'\)"),
    ("GRU", {"after": "Relu"}, r"after0' \(Relu\) takes the sequence between RNN layers"),
    ("LSTM", {"inputs": {1: "graph:W_in"}}, r"rnn0.*input W \('W_in'\) must be an initializer"),
]


@pytest.mark.parametrize("op,kw,message", REFUSED, ids=[m.split("*")[-1][:24] for *_, m in REFUSED])
def test_what_cannot_run_exactly_is_refused_by_name(op, kw, message, tmp_path):
    with pytest.raises(OnnxImportError, match=message):
        sharp.from_onnx(save(rnn_graph(op, **kw), tmp_path))


def test_the_graph_helper_builds_importable_graphs(tmp_path):
    """The refusals above come from the one thing each changes."""
    for op in ("LSTM", "GRU"):
        assert sharp.from_onnx(save(rnn_graph(op), tmp_path)).hidden_size == 4


def test_a_graph_without_rnn_nodes_or_a_file_that_is_not_onnx(tmp_path):
    graph = helper.make_graph([helper.make_node("Relu", ["X"], ["Y"], name="r")], "g",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 2, 3])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    with pytest.raises(OnnxImportError, match=r"no LSTM or GRU node \(its ops: Relu\)"):
        sharp.from_onnx(save(helper.make_model(graph), tmp_path))
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a protobuf at all \xff\xff")
    with pytest.raises(OnnxImportError, match=r"bad\.onnx is not a readable ONNX model"):
        sharp.from_onnx(bad)
    with pytest.raises(FileNotFoundError, match="nothere.onnx does not exist"):
        sharp.from_onnx(tmp_path / "nothere.onnx")


def test_sharp_run_takes_an_onnx_model(rng, tmp_path):
    module, size = torch_model("gru", 1, False, True, rng)
    path = export(module, (torch.zeros(1, 4, size),), tmp_path / "m.onnx")
    x = rng.uniform(-1, 1, (2, 4, size))
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([sys.executable, "-m", "sharp.cli", "run", "--model", str(path),
                        "--input", str(tmp_path / "x.npy"), "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    with torch.no_grad():
        want = module.double()(torch.tensor(x))[0].numpy()
    assert out["cell"] == "gru" and 0 < np.max(np.abs(np.array(out["h"]) - want)) < 0.05


def test_a_state_input_listed_before_the_sequence(tmp_path):
    """The sequence is the graph input that is not a state, wherever the graph lists it."""
    proto = rnn_graph("GRU", inputs={5: "graph:h0"})
    inputs = list(proto.graph.input)
    del proto.graph.input[:]
    proto.graph.input.extend(inputs[::-1])  # h0, X
    model = sharp.from_onnx(save(proto, tmp_path))
    assert model.state_inputs == ("h0",) and model.input_size == 3
