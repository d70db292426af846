"""sharp.from_onnx: the LSTM or GRU stack of an ONNX model as a float sharp.LSTM or sharp.GRU.

It reads what torch.onnx.export writes for an nn.LSTM or nn.GRU, and the same written by hand:
RNN nodes chained by the reshapes between layers (Squeeze, Transpose, Reshape), either ONNX
layout, forward or bidirectional, with the initial states as zeros, constants or graph inputs.
Whatever it cannot run exactly it refuses, naming the node and the attribute or input.

Gate orders differ and are mapped explicitly: ONNX stores an LSTM's rows as i, o, f, c and a
GRU's as z, r, h; torch (and sharp) as i, f, g, o and r, z, n.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .model import GRU, LSTM, CellWeights, RecurrentModel

# torch's gate blocks, each as its index among ONNX's: LSTM i,f,g,o from i,o,f,c; GRU r,z,n from z,r,h
TORCH_FROM_ONNX = {"LSTM": (0, 2, 3, 1), "GRU": (1, 0, 2)}
DEFAULT_ACTIVATIONS = {"LSTM": ("sigmoid", "tanh", "tanh"), "GRU": ("sigmoid", "tanh")}
MODEL_OF = {"LSTM": LSTM, "GRU": GRU}
STATE_INPUTS = {"LSTM": {5: "initial_h", 6: "initial_c"}, "GRU": {5: "initial_h"}}
# Nodes that only compute the shape of a zero initial state (torch's export builds one from x)
SHAPE_OPS = {"Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast", "Slice", "Reshape",
             "Constant", "ConstantOfShape", "Expand", "Identity"}


class OnnxImportError(ValueError):
    """An ONNX model sharp cannot run exactly; the message names the node and what it has."""


@dataclass
class _Seq:
    """A tensor on the data path: its axes by meaning. "t", "b": time and batch; "f": features
    of `width`; "d", "h": an RNN output's directions and hidden units."""
    axes: tuple
    width: int
    dirs: int = 1


def _attrs(node) -> dict:
    from onnx import helper
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode()
        elif isinstance(v, list):
            v = [x.decode() if isinstance(x, bytes) else x for x in v]
        out[a.name] = v
    return out


def _where(node) -> str:
    return f"node {node.name or '(unnamed)'!r} ({node.op_type})"


class _Graph:
    def __init__(self, graph):
        from onnx import numpy_helper
        self.graph = graph
        self.consts = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        self.inputs = [i.name for i in graph.input if i.name not in self.consts]
        self.shapes = {}
        for i in graph.input:
            dims = i.type.tensor_type.shape.dim
            self.shapes[i.name] = tuple(d.dim_value if d.HasField("dim_value") else None
                                        for d in dims)
        # One wrapper per node, kept: nodes are told apart by id() (protobuf may hand out a new
        # wrapper object on every access to graph.node)
        self.nodes = list(graph.node)
        self.producer = {o: n for n in self.nodes for o in n.output}
        self.x_name = None  # the sequence input, set by _import
        for n in self.nodes:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = self._constant(n)
            elif n.op_type == "Identity" and n.input[0] in self.consts:  # torch shares tensors so
                self.consts[n.output[0]] = self.consts[n.input[0]]

    def _constant(self, node):
        from onnx import numpy_helper
        a = _attrs(node)
        if "value" in a:
            return numpy_helper.to_array(a["value"])
        for key in ("value_float", "value_int"):
            if key in a:
                return np.array(a[key])
        for key in ("value_floats", "value_ints"):
            if key in a:
                return np.array(a[key])
        raise OnnxImportError(f"{_where(node)}: a Constant without a numeric value "
                              f"({', '.join(a)}) is not supported")

    def const(self, name: str, node, what: str) -> np.ndarray:
        if name not in self.consts:
            raise OnnxImportError(f"{_where(node)}: {what} ({name!r}) must be an initializer or a "
                                  "Constant: sharp imports fixed weights only")
        return self.consts[name]

    def is_zero(self, name: str) -> bool:
        """Whether `name` is all zeros whatever the input: a zero constant, a ConstantOfShape of
        0, or an Expand of a zero constant (only its shape is computed from the input)."""
        if name in self.consts:
            return not np.any(self.consts[name])
        node = self.producer.get(name)
        if node is None:
            return False
        if node.op_type == "ConstantOfShape":
            value = _attrs(node).get("value")
            return value is None or not np.any(_tensor(value))
        if node.op_type in ("Expand", "Cast", "Identity", "Reshape", "Unsqueeze", "Squeeze"):
            return self.is_zero(node.input[0])
        return False

    def ancestors(self, name: str) -> set:
        """The nodes that compute `name` (by id), stopping at constants, graph inputs and Shape
        nodes (they read a tensor's shape, not its values)."""
        seen, todo = set(), [name]
        while todo:
            node = self.producer.get(todo.pop())
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            if node.op_type != "Shape":
                todo.extend(i for i in node.input if i)
        return seen


def _tensor(value):
    from onnx import numpy_helper
    return numpy_helper.to_array(value)


@dataclass
class _StateSource:
    """Where one RNN node's initial state comes from."""
    kind: str                  # "zero", "const" or "input"
    value: np.ndarray | None   # "const": (D, B, H); torch's per-layer slice of the state
    name: str | None = None    # "input": the graph input
    rows: tuple | None = None  # "input": the rows of it (axis 0) this layer takes


def from_onnx(path) -> RecurrentModel:
    """The float model (sharp.LSTM or sharp.GRU) of the RNN stack in an ONNX file.

    The returned model also carries, in torch's convention ((num_layers * num_directions, batch,
    hidden) tensors, h then c for an LSTM):
    - `initial_state`: the initial state the graph holds as constants, None when it is zero or
      when the graph takes it as an input; pass it on: `acc(x, model.initial_state)`;
    - `state_inputs`: the names of the graph inputs that give the initial state (h0, then c0
      for an LSTM), empty when there are none; what you feed them goes in as `acc(x, state)`.
    """
    try:
        import onnx
    except ModuleNotFoundError:
        raise RuntimeError("sharp.from_onnx needs the onnx package: pip install onnx "
                           "(or pip install 'sharp-fpga[onnx]')") from None
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"ONNX model {path} does not exist")
    try:
        proto = onnx.load(str(path))
    except Exception as exc:  # protobuf's DecodeError and friends
        raise OnnxImportError(f"{path} is not a readable ONNX model: {exc}") from None
    try:
        return _import(_Graph(proto.graph))
    except OnnxImportError as exc:
        raise OnnxImportError(f"{path}: {exc}") from None


def _import(g: _Graph) -> RecurrentModel:
    rnn = [n for n in g.nodes if n.op_type in ("LSTM", "GRU")]
    if not rnn:
        ops = sorted({n.op_type for n in g.nodes})
        raise OnnxImportError(f"the graph has no LSTM or GRU node (its ops: {', '.join(ops)})")
    ops = {n.op_type for n in rnn}
    if len(ops) > 1:
        raise OnnxImportError("the graph mixes LSTM and GRU nodes; a sharp model is a stack of "
                              "one cell type")
    op = ops.pop()
    # What computes the initial states (shape arithmetic on x for torch's zero state, Slices of
    # a state input) and sequence_lens; _state_source and _check_lengths judge them.
    side_nodes, side_inputs = set(), set()
    for node in rnn:
        for k in (4, *STATE_INPUTS[op]):
            if len(node.input) > k and node.input[k]:
                side_nodes |= g.ancestors(node.input[k])
                side_inputs.add(node.input[k])
    side_inputs |= {i for n in g.nodes if id(n) in side_nodes and n.op_type != "Shape"
                    for i in n.input}
    candidates = [i for i in g.inputs if i not in side_inputs]
    if not candidates:
        raise OnnxImportError(f"the graph has no sequence input (its inputs: "
                              f"{', '.join(g.inputs) or 'none'} all give initial states)")
    x_name = candidates[0]
    shape = g.shapes.get(x_name, ())
    if len(shape) != 3:
        raise OnnxImportError(f"graph input {x_name!r} has rank {len(shape)}; an RNN stack takes "
                              "a rank-3 sequence")
    g.x_name = x_name
    seq = {x_name: _Seq(("a0", "a1", "f"), shape[2] or -1)}  # which of a0, a1 is time: see below
    layers, states, state_outputs = [], [], {}
    time_axis = None
    for node in g.nodes:
        if node.op_type in ("LSTM", "GRU"):
            data = seq.get(node.input[0])
            if data is None:
                raise OnnxImportError(f"{_where(node)}: its input X ({node.input[0]!r}) is not the "
                                      "graph's sequence input or a previous RNN node's output: the "
                                      "graph is not a plain RNN stack")
            layer, state, out, time_axis = _rnn_node(g, node, data, len(layers), time_axis)
            layers.append(layer)
            states.append(state)
            seq[node.output[0]] = out
            for k in (1, 2):
                if len(node.output) > k and node.output[k]:
                    state_outputs[node.output[k]] = len(layers) - 1
            continue
        data_in = [i for i in node.input if i in seq]
        if node.op_type == "Shape" and data_in and id(node) in side_nodes:
            continue  # a zero state's shape taken from the sequence's
        if data_in:
            seq[node.output[0]] = _glue(g, node, seq[node.input[0]], data_in)
            continue
        if node.op_type == "Concat" and node.input and all(i in state_outputs for i in node.input):
            state_outputs[node.output[0]] = None  # the states of several layers, as torch's h_n
            continue
        if node.op_type == "Constant" or (id(node) in side_nodes and node.op_type in SHAPE_OPS):
            continue
        raise OnnxImportError(f"{_where(node)} is not part of a plain RNN stack (RNN nodes and "
                              "the Squeeze, Transpose or Reshape between them): sharp runs the "
                              "recurrent layers only; cut the graph before and after them")
    model = _model(g, op, layers, seq, x_name, time_axis, state_outputs)
    model.initial_state, model.state_inputs = _initial_state(op, states, len(layers[0]))
    return model


def _rnn_node(g: _Graph, node, data: _Seq, index: int, time_axis):
    a = _attrs(node)
    op = node.op_type
    where = _where(node)
    hidden = a.get("hidden_size")
    direction = a.get("direction", "forward")
    if direction not in ("forward", "bidirectional"):
        if direction == "reverse":
            raise OnnxImportError(f"{where}: direction='reverse' (a layer that runs backwards "
                                  "alone) has no sharp model: sharp runs forward and "
                                  "bidirectional layers")
        raise OnnxImportError(f"{where}: direction={direction!r} is not an ONNX direction")
    dirs = 2 if direction == "bidirectional" else 1
    for name in ("clip", "activation_alpha", "activation_beta"):
        if name in a:
            raise OnnxImportError(f"{where}: attribute {name}={a[name]} is not supported: sharp "
                                  "runs the unclipped cell with sigmoid and tanh as they are")
    if a.get("input_forget", 0):
        raise OnnxImportError(f"{where}: attribute input_forget={a['input_forget']} (coupled "
                              "input and forget gates) is not supported")
    acts = tuple(s.lower() for s in a.get("activations", DEFAULT_ACTIVATIONS[op] * dirs))
    if acts != DEFAULT_ACTIVATIONS[op] * dirs:
        raise OnnxImportError(f"{where}: attribute activations={list(a['activations'])} is not "
                              f"supported: sharp runs {', '.join(DEFAULT_ACTIVATIONS[op])} per "
                              "direction (the default)")
    if op == "GRU" and a.get("linear_before_reset", 0) != 1:
        raise OnnxImportError(f"{where}: attribute linear_before_reset="
                              f"{a.get('linear_before_reset', 0)} is not supported: sharp's GRU "
                              "(as torch's) applies r to (W_hn h + b_hn), linear_before_reset=1")
    layout = a.get("layout", 0)
    if layout not in (0, 1):
        raise OnnxImportError(f"{where}: attribute layout={layout} is not 0 or 1")
    if op == "LSTM" and len(node.input) > 7 and node.input[7]:
        raise OnnxImportError(f"{where}: input P ({node.input[7]!r}, peepholes) is not "
                              "supported: sharp runs the LSTM without peephole connections")
    if len(node.input) > 4 and node.input[4]:
        _check_lengths(g, node, data, layout)
    # X: (T, B, F) in layout 0, (B, T, F) in layout 1
    t_ax, b_ax = ("a0", "a1") if layout == 0 else ("a1", "a0")
    axes = data.axes
    if len(axes) != 3 or axes[2] != "f":
        raise OnnxImportError(f"{where}: input X has axes {axes}, not a sequence (time, batch, "
                              "features)")
    want_t = axes[0] if layout == 0 else axes[1]
    if time_axis is None:
        time_axis = want_t
    elif want_t != time_axis:
        raise OnnxImportError(f"{where}: its input X has time and batch swapped against the "
                              "previous layer's output (layout and the Transposes between the "
                              "nodes disagree)")
    w = g.const(node.input[1], node, "input W")
    r = g.const(node.input[2], node, "input R")
    gates = len(TORCH_FROM_ONNX[op])
    if hidden is None:
        hidden = r.shape[-1]
    if w.ndim != 3 or w.shape[:2] != (dirs, gates * hidden):
        raise OnnxImportError(f"{where}: input W has shape {w.shape}; expected ({dirs}, "
                              f"{gates * hidden}, input) for hidden_size={hidden}")
    if r.shape != (dirs, gates * hidden, hidden):
        raise OnnxImportError(f"{where}: input R has shape {r.shape}; expected "
                              f"({dirs}, {gates * hidden}, {hidden})")
    if data.width not in (-1, w.shape[2]):
        raise OnnxImportError(f"{where}: input X has {data.width} features and W takes "
                              f"{w.shape[2]}")
    if len(node.input) > 3 and node.input[3]:
        b = g.const(node.input[3], node, "input B")
        if b.shape != (dirs, 2 * gates * hidden):
            raise OnnxImportError(f"{where}: input B has shape {b.shape}; expected "
                                  f"({dirs}, {2 * gates * hidden})")
    else:
        b = np.zeros((dirs, 2 * gates * hidden))
    order = TORCH_FROM_ONNX[op]

    def torch_rows(m):  # ONNX gate blocks -> torch's order
        blocks = np.split(np.asarray(m, dtype=np.float64), gates, axis=0)
        return np.concatenate([blocks[k] for k in order], axis=0)

    cells = [CellWeights(torch_rows(w[d]), torch_rows(r[d]), torch_rows(b[d, :gates * hidden]),
                         torch_rows(b[d, gates * hidden:])) for d in range(dirs)]
    state = {}
    for k, what in STATE_INPUTS[op].items():
        if len(node.input) > k and node.input[k]:
            state[what] = _state_source(g, node, node.input[k], what, index, dirs, hidden, layout)
    # Y: (T, D, B, H) in layout 0, (B, T, D, H) in layout 1
    out_axes = (time_axis, "d", _other(time_axis), "h") if layout == 0 else \
        (_other(time_axis), time_axis, "d", "h")
    return cells, state, _Seq(out_axes, hidden, dirs), time_axis


def _other(axis: str) -> str:
    return "a1" if axis == "a0" else "a0"


def _check_lengths(g: _Graph, node, data: _Seq, layout: int) -> None:
    """sequence_lens can be honoured only when it says every sequence has the full length."""
    name = node.input[4]
    time_label = data.axes[0] if layout == 0 else data.axes[1]
    steps = g.shapes[g.x_name][int(time_label[1])] if time_label in ("a0", "a1") else None
    value = g.consts.get(name)
    if value is None or steps is None or not np.all(value == steps):
        raise OnnxImportError(f"{_where(node)}: input sequence_lens ({name!r}) is not supported: "
                              "sharp imports only sequences that all run for the full length "
                              "(a constant sequence_lens equal to the graph's fixed number of "
                              "steps); drop it from the export")


def _state_source(g: _Graph, node, name: str, what: str, layer: int, dirs: int, hidden: int,
                  layout: int) -> _StateSource:
    where = f"{_where(node)}: input {what} ({name!r})"
    if g.is_zero(name):
        return _StateSource("zero", None, name)
    if name in g.consts:
        value = np.asarray(g.consts[name], dtype=np.float64)
        if layout == 1:
            value = value.transpose(1, 0, 2) if value.ndim == 3 else value
        if value.ndim != 3 or value.shape[0] != dirs or value.shape[2] != hidden:
            raise OnnxImportError(f"{where} has shape {value.shape}; expected "
                                  f"({dirs}, batch, {hidden}) (layout {layout})")
        return _StateSource("const", value, name)
    rows = (layer * dirs, (layer + 1) * dirs)
    source, taken = name, None
    node_in = g.producer.get(name)
    if node_in is not None and node_in.op_type == "Slice" and node_in.input[0] in g.inputs:
        starts, ends = (g.consts.get(i) for i in node_in.input[1:3])
        axes = g.consts.get(node_in.input[3]) if len(node_in.input) > 3 and node_in.input[3] else \
            np.array([0])
        steps_ok = len(node_in.input) < 5 or not node_in.input[4] or \
            np.all(g.consts.get(node_in.input[4], np.array([0])) == 1)
        if starts is not None and ends is not None and axes is not None and steps_ok and \
                list(np.ravel(axes)) == [0]:
            source, taken = node_in.input[0], (int(np.ravel(starts)[0]), int(np.ravel(ends)[0]))
    elif node_in is None and name in g.inputs and layer == 0:
        taken = rows  # the whole state input of a one-layer graph (checked again below)
    if source in g.inputs and layout == 0 and taken == rows:
        return _StateSource("input", None, source, rows)
    raise OnnxImportError(f"{where} is neither zero, a constant, nor rows {rows[0]}:{rows[1]} of "
                          "a graph input in torch's (num_layers*num_directions, batch, hidden) "
                          f"convention (as torch.onnx.export writes it, layout 0; this node has "
                          f"layout {layout}): sharp cannot map it onto its initial state")


def _glue(g: _Graph, node, data: _Seq, data_in: list) -> _Seq:
    """The data path through a Squeeze, Transpose, Reshape or Identity between RNN layers."""
    where = _where(node)
    op = node.op_type
    axes = data.axes
    if len(data_in) > 1 or node.input[0] not in data_in:
        raise OnnxImportError(f"{where} combines sequences ({', '.join(data_in)}): the graph is "
                              "not a plain RNN stack")
    if op == "Identity":
        return data
    if op == "Transpose":
        perm = _attrs(node).get("perm", list(range(len(axes)))[::-1])
        return _Seq(tuple(axes[p] for p in perm), data.width, data.dirs)
    if op == "Squeeze":
        squeeze = _attrs(node).get("axes")
        if squeeze is None and len(node.input) > 1 and node.input[1]:
            squeeze = list(np.ravel(g.const(node.input[1], node, "input axes")))
        squeeze = [int(s) % len(axes) for s in (squeeze or [])]
        if squeeze and all(axes[s] == "d" for s in squeeze) and data.dirs == 1:
            out = tuple(a for i, a in enumerate(axes) if i not in squeeze)
            return _Seq(tuple("f" if a == "h" else a for a in out), data.width, 1)
        raise OnnxImportError(f"{where}: squeezing axes {squeeze} of a tensor with axes {axes} "
                              "is not the squeeze of a one-direction RNN output")
    if op == "Reshape":
        target = [int(v) for v in np.ravel(g.const(node.input[1], node, "input shape"))]
        if _attrs(node).get("allowzero", 0) == 0 and len(axes) == 4 and axes[2:] == ("d", "h") \
                and len(target) == 3 and target[:2] == [0, 0] \
                and target[2] in (-1, data.dirs * data.width):
            return _Seq((axes[0], axes[1], "f"), data.dirs * data.width, 1)
        if len(axes) == 3 and axes[2] == "f" and target[:2] == [0, 0] and \
                target[2] in (-1, data.width):
            return data
        raise OnnxImportError(f"{where}: reshaping a tensor with axes {axes} to {target} is not "
                              "the merge of directions and hidden units between RNN layers "
                              "(shape [0, 0, -1] after the directions are next to the hidden "
                              "units)")
    raise OnnxImportError(f"{where} takes the sequence between RNN layers; only Squeeze, "
                          "Transpose, Reshape and Identity can: the graph is not a plain RNN stack")


def _model(g: _Graph, op: str, layers: list, seq: dict, x_name: str, time_axis: str,
           state_outputs: dict) -> RecurrentModel:
    outputs = [o.name for o in g.graph.output]
    data_out = [o for o in outputs if o in seq]
    others = [o for o in outputs if o not in seq and o not in state_outputs]
    if others:
        raise OnnxImportError(f"graph outputs {', '.join(others)} are neither the sequence nor "
                              "RNN states")
    if len(data_out) != 1:
        raise OnnxImportError(f"the graph has {len(data_out)} sequence outputs "
                              f"({', '.join(data_out) or 'none'}); an RNN stack has one")
    out = seq[data_out[0]]
    last = layers[-1]
    if out.axes[2:] != ("f",) or out.width != len(last) * last[0].w_hh.shape[1]:
        raise OnnxImportError(f"graph output {data_out[0]!r} has axes {out.axes}: it is not the "
                              "last layer's output as (time, batch, features) or (batch, time, "
                              "features); a one-direction output needs its Squeeze, a "
                              "bidirectional one its Transpose and Reshape")
    batch_first = time_axis == "a1"
    if out.axes[:2] != ("a0", "a1"):
        raise OnnxImportError(f"graph output {data_out[0]!r} lays out time and batch unlike the "
                              f"input {x_name!r}: sharp returns its output in its input's layout")
    hidden = last[0].w_hh.shape[1]
    n_in = layers[0][0].w_ih.shape[1]
    for li, dirs in enumerate(layers[1:], 1):
        if len(dirs) != len(layers[0]) or dirs[0].w_hh.shape[1] != hidden:
            raise OnnxImportError(f"RNN layer {li} has {len(dirs)} direction(s) and hidden size "
                                  f"{dirs[0].w_hh.shape[1]}, layer 0 {len(layers[0])} and {hidden}: "
                                  "a sharp model's layers share both")
    try:
        return MODEL_OF[op](n_in, hidden, layers, batch_first)
    except ValueError as exc:
        raise OnnxImportError(str(exc)) from None


def _initial_state(op: str, states: list, dirs: int):
    """(initial_state, state_inputs) in torch's convention, from each layer's _StateSource."""
    kinds = STATE_INPUTS[op].values()
    initial, inputs = [], []
    for what in kinds:
        sources = [s.get(what, _StateSource("zero", None)) for s in states]
        found = {s.kind for s in sources}
        if found == {"zero"}:
            initial.append(None)
        elif found <= {"zero", "const"}:
            batch = {s.value.shape[1] for s in sources if s.kind == "const"}
            if len(batch) != 1:
                raise OnnxImportError(f"the constant {what} of the layers have batch sizes "
                                      f"{sorted(batch)}; one state has one batch size")
            b = batch.pop()
            hidden = next(s.value.shape[2] for s in sources if s.kind == "const")
            initial.append(np.concatenate([s.value if s.kind == "const" else
                                           np.zeros((dirs, b, hidden)) for s in sources], axis=0))
        elif found == {"input"} and len({s.name for s in sources}) == 1:
            inputs.append(sources[0].name)
            initial.append(None)
        else:
            raise OnnxImportError(f"the layers take {what} from different kinds of sources "
                                  f"({', '.join(sorted(found))}): sharp's initial state is one "
                                  "tensor for all layers")
    if inputs and len(inputs) != len(initial):
        raise OnnxImportError(f"the graph takes {', '.join(inputs)} as inputs and the rest of "
                              "the state as constants or zeros; give all of it one way")
    if all(v is None for v in initial) or inputs:
        return None, tuple(inputs)
    shape = next(v.shape for v in initial if v is not None)
    full = tuple(v if v is not None else np.zeros(shape) for v in initial)
    return (full if op == "LSTM" else full[0]), ()

