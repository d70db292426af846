"""Carried state on the host (ARCHITECTURE.md §8, "Carried state"): torch's calling convention,
variable-length batches and streaming, for the float models, the golden quantized models and
sharp.Accelerator alike.

    out, (h_n, c_n) = m(x, (h0, c0))      an LSTM (m(x) starts from zeros)
    out, h_n = m(x, h0)                   a GRU
    outs, state = m([x0, x1, ...])        sequences of different lengths
    out, state = m(x_padded, state, lengths=lengths)   or a torch PackedSequence
    stream = m.stream(); y = stream.step(frame)        frame by frame, the state carried

States follow torch: (num_layers * num_directions, batch, hidden), index layer * num_directions
+ direction, (num_layers * num_directions, hidden) for an unbatched (T, I) input; a reverse
direction's final state is the one at t = 0. Each class mixes in TorchConvention and supplies
four hooks: how its inputs and states are encoded (floats, or integers for the quantized ones),
how one layer and direction runs, and how results are decoded. The layers, directions and
lengths are handled once, here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cells import cell_module

TORCH_NAMES = {"h": "h0", "c": "c0"}  # torch's names of the initial state's tensors


def as_numpy(value):
    """A torch tensor as a numpy array (detached, on the CPU); anything else as it is."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()
    return value


def _packed_sequence_type(x):
    """torch's PackedSequence class when x is one (imported only then), else None."""
    if type(x).__name__ != "PackedSequence":
        return None
    from torch.nn.utils.rnn import PackedSequence
    return PackedSequence if isinstance(x, PackedSequence) else None


# -- input layout ---------------------------------------------------------------------------
def layout_name(batch_first: bool) -> str:
    return "(B, T, I), batch-first" if batch_first else "(T, B, I), time-major (torch's default)"


def _as_array(x) -> np.ndarray:
    try:
        return np.asarray(x)
    except ValueError:
        if not isinstance(x, (list, tuple)):
            raise
    shapes = []
    for item in x:
        try:
            shapes.append(np.shape(item))
        except ValueError:
            shapes.append("ragged")
    lengths = sorted({s[0] for s in shapes if isinstance(s, tuple) and s})
    raise ValueError(f"the input is a list of {len(x)} sequences of different shapes "
                     f"({', '.join(map(str, shapes[:8]))}{', ...' if len(shapes) > 8 else ''}): "
                     f"the sequences of a batch must all have one length, and lengths "
                     f"{', '.join(map(str, lengths))} were found. A call, model(xs) or acc(xs), takes "
                     "sequences of different lengths (docs/MODELS.md §2); forward() and run() "
                     "take one length")


def check_sequence(x, input_size: int, batch_first: bool = True) -> tuple[np.ndarray, bool]:
    """Validate a (T, I) input, or a batch in the model's layout ((B, T, I) batch-first,
    (T, B, I) time-major); returns it as (B, T, I) float64 and whether it was batched."""
    arr = _as_array(x)
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"input dtype {arr.dtype} is not numeric; expected a float array")
    batch_shape = "(B, T, I)" if batch_first else "(T, B, I) (time-major: batch_first=False)"
    if arr.ndim not in (2, 3):
        raise ValueError(f"input has shape {arr.shape}; expected (T, {input_size}) or "
                         f"{batch_shape.replace('I)', f'{input_size})')}")
    if arr.shape[-1] != input_size:
        raise ValueError(f"input feature size {arr.shape[-1]} does not match the model's "
                         f"input_size {input_size}")
    if arr.size == 0:
        raise ValueError(f"input has shape {arr.shape}; it needs at least one sequence and step")
    bad = ~np.isfinite(arr.astype(np.float64))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"input contains NaN or Inf ({np.count_nonzero(bad)} values, first at "
                         f"index {where})")
    batched = arr.ndim == 3
    seq = arr if batched else arr[None]
    if batched and not batch_first:
        seq = seq.transpose(1, 0, 2)
    return np.ascontiguousarray(seq, dtype=np.float64), batched


def output_layout(out: np.ndarray, batched: bool, batch_first: bool = True) -> np.ndarray:
    """(B, T, F) results back to the caller's layout, the inverse of check_sequence."""
    if not batched:
        return out[0]
    return out if batch_first else out.transpose(1, 0, 2)



# -- inputs and lengths ---------------------------------------------------------------------
@dataclass
class Inputs:
    """A call's sequences as (B, T, I) float64, zero past each length."""
    x: np.ndarray
    lengths: np.ndarray | None  # (B,) steps of each sequence; None: every one has T
    form: str                   # "sequence" (T, I), "batch" (the model's layout), "list", "packed"
    packed: object = None       # the PackedSequence given (form "packed")

    @property
    def batched(self) -> bool:
        return self.form != "sequence"


def check_lengths(lengths, batch: int, steps: int) -> np.ndarray:
    """lengths= of a padded batch: B integers in 1..T."""
    arr = np.asarray(as_numpy(lengths))
    if arr.dtype.kind not in "iu":
        raise ValueError(f"lengths must be integers, got dtype {arr.dtype}: {arr.tolist()!r}")
    if arr.shape != (batch,):
        raise ValueError(f"lengths has shape {arr.shape}; expected ({batch},), one length for "
                         f"each of the batch's {batch} sequences")
    for b, n in enumerate(arr.tolist()):
        if n < 1:
            raise ValueError(f"lengths[{b}]={n}: every sequence needs at least one step")
        if n > steps:
            raise ValueError(f"lengths[{b}]={n} is longer than the padded batch's {steps} steps")
    return arr.astype(np.int64)


def _is_sequence_list(x) -> bool:
    return (isinstance(x, (list, tuple)) and len(x) > 0
            and all(np.ndim(as_numpy(item)) == 2 for item in x))


def parse_inputs(x, input_size: int, batch_first: bool, lengths=None) -> Inputs:
    """A call's x: one (T, I) sequence, a batch in the model's layout (with lengths=, a padded
    one), a list of (T_i, I) sequences or a torch PackedSequence."""
    packed_type = _packed_sequence_type(x)
    if packed_type is not None:
        if lengths is not None:
            raise ValueError("lengths= is for a padded batch; a PackedSequence carries its own")
        from torch.nn.utils.rnn import pad_packed_sequence
        padded, found = pad_packed_sequence(x, batch_first=True)
        seq, _ = check_sequence(as_numpy(padded), input_size, batch_first=True)
        return Inputs(seq, as_numpy(found).astype(np.int64), "packed", x)
    if _is_sequence_list(x):
        if lengths is not None:
            raise ValueError("lengths= is for a padded batch; a list of sequences has its own")
        seqs = []
        for b, item in enumerate(x):
            try:
                seqs.append(check_sequence(as_numpy(item), input_size)[0][0])
            except ValueError as exc:
                raise ValueError(f"sequence {b} of the list: {exc}") from None
        found = np.array([len(s) for s in seqs], dtype=np.int64)
        seq = np.zeros((len(seqs), int(found.max()), input_size))
        for b, s in enumerate(seqs):
            seq[b, :len(s)] = s
        return Inputs(seq, found, "list")
    seq, batched = check_sequence(as_numpy(x), input_size, batch_first)
    if lengths is None:
        return Inputs(seq, None, "batch" if batched else "sequence")
    if not batched:
        raise ValueError(f"lengths= needs a padded batch, {layout_name(batch_first)}; got one "
                         f"sequence of shape {np.shape(as_numpy(x))}, which has its own length")
    found = check_lengths(lengths, *seq.shape[:2])
    seq = seq.copy()
    seq[np.arange(seq.shape[1])[None, :] >= found[:, None]] = 0  # what lies past is ignored
    return Inputs(seq, found, "batch")


def outputs(inputs: Inputs, out: np.ndarray, batch_first: bool):
    """(B, T, F) results in the form the input came in; zero past each length, as torch's
    pad_packed_sequence pads."""
    if inputs.lengths is not None:
        out = out.copy()
        out[np.arange(out.shape[1])[None, :] >= inputs.lengths[:, None]] = 0
    if inputs.form == "list":
        return [out[b, :n] for b, n in enumerate(inputs.lengths.tolist())]
    if inputs.form == "packed":
        import torch
        from torch.nn.utils.rnn import PackedSequence
        p = inputs.packed
        order = (np.arange(out.shape[0]) if p.sorted_indices is None
                 else as_numpy(p.sorted_indices))
        rows = np.concatenate([out[order[:n], t] for t, n in enumerate(as_numpy(p.batch_sizes))])
        data = torch.from_numpy(rows)
        if data.is_floating_point():
            data = data.to(p.data.dtype)
        return PackedSequence(data, p.batch_sizes, p.sorted_indices, p.unsorted_indices)
    return output_layout(out, inputs.batched, batch_first)


# -- states -----------------------------------------------------------------------------------
def state_shape(layers: int, directions: int, batch: int, hidden: int, batched: bool) -> tuple:
    return (layers * directions, batch, hidden) if batched else (layers * directions, hidden)


def _state_form(cell: str, shape: tuple) -> str:
    names = [TORCH_NAMES[n] for n in cell_module(cell).STATE]
    if len(names) == 1:
        return f"one array {names[0]} of shape {shape}"
    return f"the pair ({', '.join(names)}), each of shape {shape}"


def check_state(state, cell: str, shape: tuple) -> tuple[np.ndarray, ...]:
    """A torch-form initial state -> the cell's state tensors (sharp.cells STATE order), float64
    of `shape` each: (num_layers*num_directions, B, H), or (num_layers*num_directions, H) for an
    unbatched input. Refuses another cell's state, a wrong shape, dtype or batch size and NaN,
    naming the value and what was expected."""
    names = cell_module(cell).STATE
    article = "an" if cell == "lstm" else "a"
    expected = (f"{article} {cell.upper()}'s state is {_state_form(cell, shape)} "
                f"(num_layers*num_directions{', batch' if len(shape) == 3 else ''}, hidden)")
    if len(names) == 1:
        if isinstance(state, tuple) or (isinstance(state, list) and len(state) == 2
                                        and all(np.ndim(as_numpy(s)) == len(shape) for s in state)):
            hint = "an LSTM's (h0, c0)?" if len(state) == 2 else "pass the array itself"
            raise ValueError(f"{expected}; got a {type(state).__name__} of {len(state)} ({hint})")
        tensors = (state,)
    else:
        if not isinstance(state, (tuple, list)) or len(state) != len(names):
            what = (f"a {type(state).__name__} of {len(state)}" if isinstance(state, (tuple, list))
                    else f"one array of shape {np.shape(as_numpy(state))} (a GRU's h0?)")
            raise ValueError(f"{expected}; got {what}")
        tensors = tuple(state)
    out = []
    for name, value in zip(names, tensors):
        label = TORCH_NAMES[name]
        arr = np.asarray(as_numpy(value))
        if arr.dtype.kind != "f":
            raise ValueError(f"{label} has dtype {arr.dtype}; the state must be floating point, "
                             f"as torch's (a state returned with raw=True is integer: divide h "
                             f"by 2**15 and c by 2**20)")
        if arr.shape != shape:
            batch = (f" for a batch of {shape[1]} sequence{'s' * (shape[1] != 1)}"
                     if len(shape) == 3 else " for one unbatched sequence")
            raise ValueError(f"{label} has shape {arr.shape}; expected {shape}{batch}: {expected}")
        bad = ~np.isfinite(arr)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{label} contains NaN or Inf ({np.count_nonzero(bad)} values, first "
                             f"at index {where})")
        out.append(np.array(arr, dtype=np.float64).reshape(shape[0], -1, shape[-1]))
    return tuple(out)


def torch_state(final: tuple, cell: str, batched: bool):
    """The cell's final state tensors, (L*D, B, H) each -> torch's h_n or (h_n, c_n)."""
    tensors = tuple(s if batched else s[:, 0] for s in final)
    return tensors[0] if len(cell_module(cell).STATE) == 1 else tensors


# -- layers and directions --------------------------------------------------------------------
def reverse_within(seq: np.ndarray, lengths) -> np.ndarray:
    """Each sequence of (B, T, F) reversed within its own length; what lies past stays."""
    if lengths is None:
        return seq[:, ::-1]
    t = np.arange(seq.shape[1])[None, :]
    index = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return np.take_along_axis(seq, index[:, :, None], axis=1)


def run_layers(layers: list, x: np.ndarray, lengths, initial, run_cell) -> tuple:
    """Every layer and direction over (B, T, I): -> ((B, T, F) outputs, the final state tensors
    of (L*D, B, H) each, or None if run_cell returned none). run_cell(k, cell, x, initial,
    lengths) runs cell k = layer * num_directions + direction from its initial state (a tuple of
    (B, H), or None: zeros) and returns ((B, T, H), its final state tuple or None). A reverse
    direction gets each sequence reversed within its own length."""
    finals, seq = [], x
    for li, dirs in enumerate(layers):
        outs = []
        for d, cell in enumerate(dirs):
            k = li * len(dirs) + d
            init = None if initial is None else tuple(s[k] for s in initial)
            out, final = run_cell(k, cell, reverse_within(seq, lengths) if d else seq, init,
                                  lengths)
            outs.append(reverse_within(out, lengths) if d else out)
            finals.append(final)
        seq = np.concatenate(outs, axis=-1)
    if any(f is None for f in finals):
        return seq, None
    return seq, tuple(np.stack([f[i] for f in finals]) for i in range(len(finals[0])))


# -- the calling convention -------------------------------------------------------------------
class TorchConvention:
    """torch's call and streaming on a model or an accelerator. Hooks:

    _spec() -> the model (cell, input_size, hidden_size, num_layers, num_directions, batch_first)
    _encode(x, initial) -> (x, initial, saturation): (B, T, I) float64 and the float state
        tensors (or None) in the form _carried runs on, and what encoding them saturated
    _carried(x, lengths, initial, want_final, saturation) -> (outputs, final state tensors)
    _decode_out(out, raw), _decode_state(final, raw) -> floats (raw=True: the integer values)
    """

    def _spec(self):
        return self

    def __call__(self, x, state=None, *, lengths=None, raw: bool = False):
        """torch's call: (outputs, h_n) for a GRU, (outputs, (h_n, c_n)) for an LSTM.

        x: (T, I), a batch in the model's layout (with lengths=, a padded batch), a list of
        (T_i, I) sequences (outputs: a list) or a torch PackedSequence (outputs: one too).
        state: torch's h0 (GRU) or (h0, c0) (LSTM), (num_layers*num_directions, B, H), numpy or
        torch; None starts from zeros. The final state is numpy, each sequence's at its own
        last step. raw=True (quantized models): int16 outputs (Q.15) and states (h int16
        Q.15, c int32 Q.20); a float state returned without raw round-trips exactly."""
        m = self._spec()
        inputs = parse_inputs(x, m.input_size, m.batch_first, lengths)
        initial = None
        if state is not None:
            shape = state_shape(m.num_layers, m.num_directions, inputs.x.shape[0], m.hidden_size,
                                inputs.batched)
            initial = check_state(state, m.cell, shape)
        xs, init, saturation = self._encode(inputs.x, initial)
        out, final = self._carried(xs, inputs.lengths, init, True, saturation)
        return (outputs(inputs, self._decode_out(out, raw), m.batch_first),
                torch_state(self._decode_state(final, raw), m.cell, inputs.batched))

    def stream(self, state=None) -> "Stream":
        """A stream that runs frames or chunks one call at a time and carries the state between
        them (a unidirectional model only). state: the initial state, as in a call (None: zeros)."""
        return Stream(self, state)

    def _stream_token(self):
        """What a stream was made for; a stream refuses to step once it changes."""
        return self


class Stream:
    """Frames or chunks of one (or B) sequences, one step() at a time, the state carried on the
    host: the outputs equal, bit for bit, those of one call over the whole sequence.

    step(frame): (I,) -> (F,) one frame; (T, I) -> (T, F) a chunk; a batch in the model's layout
    ((B, T, I) or (T, B, I)) -> the same layout. `state` is the state the next step starts from,
    torch's form (None before the first step when no initial state was given); reset() starts
    over. A step that raises leaves the state as it was."""

    def __init__(self, owner: TorchConvention, state=None):
        m = owner._spec()
        if m.num_directions != 1:
            raise ValueError("a bidirectional model cannot stream: its reverse direction starts "
                             "at the sequence's end; run whole sequences with a call instead")
        self._owner, self._token = owner, owner._stream_token()
        self._spec = m
        self.reset(state)

    def reset(self, state=None) -> None:
        """Back to the start: zeros, or this initial state (torch's form; its batch size is the
        stream's from then on)."""
        self._check_current()
        self._state, self._batched, self._saturation = None, None, {}
        if state is not None:
            s = np.asarray(as_numpy(state[0] if isinstance(state, (tuple, list)) else state))
            batched = s.ndim == 3
            shape = state_shape(self._spec.num_layers, 1, s.shape[1] if batched else 1,
                                self._spec.hidden_size, batched)
            floats = check_state(state, self._spec.cell, shape)
            _, self._state, self._saturation = self._owner._encode(None, floats)
            self._batched = batched

    @property
    def state(self):
        if self._state is None:
            return None
        return torch_state(self._owner._decode_state(self._state, False), self._spec.cell,
                           self._batched)

    def _check_current(self) -> None:
        if self._owner._stream_token() is not self._token:
            raise RuntimeError("another model was loaded since this stream was created; its "
                               "state belongs to the old model. Create a new stream with "
                               "stream()")

    def step(self, frame, raw: bool = False):
        self._check_current()
        m = self._spec
        arr = np.asarray(as_numpy(frame))
        one = arr.ndim == 1
        if one:
            if arr.shape != (m.input_size,):
                raise ValueError(f"frame has shape {arr.shape}; expected ({m.input_size},), "
                                 f"a chunk (T, {m.input_size}) or a batch in the model's layout")
            arr = arr[None]
        inputs = parse_inputs(arr, m.input_size, m.batch_first)
        batch = inputs.x.shape[0]
        if self._state is not None and self._state[0].shape[1] != batch:
            raise ValueError(f"this stream carries the state of {self._state[0].shape[1]} "
                             f"sequence(s); step() got {batch}. Call reset() to start another "
                             "batch")
        x, _, saturation = self._owner._encode(inputs.x, None)
        out, final = self._owner._carried(x, None, self._state, True,
                                          {**self._saturation, **saturation})
        self._state, self._batched, self._saturation = final, inputs.batched, {}
        y = outputs(inputs, self._owner._decode_out(out, raw), m.batch_first)
        return y[0] if one else y
