"""The small builds the HLS C-simulation tests compile (each once, cached under build/hls/)."""
from sharp import HardwareConfig

# 2x4: groups of 4 and 8 lanes, so most sizes are not multiples of the group width
SMALL = HardwareConfig(tiles=2, lanes=4, max_input=32, max_hidden=32, weight_depth=2048, bias_depth=64)
# the default 8x16 array with reduced capacities
REDUCED = HardwareConfig(tiles=8, lanes=16, max_input=64, max_hidden=64, weight_depth=1024,
                         bias_depth=128)
# 16 and 32 tiles: the elementwise unit finishes E = 2 and E = 4 hidden units a cycle
WIDE_EW2 = HardwareConfig(tiles=16, lanes=4, max_input=64, max_hidden=64, weight_depth=1024,
                          bias_depth=128)
WIDE_EW4 = HardwareConfig(tiles=32, lanes=4, max_input=64, max_hidden=64, weight_depth=1024,
                          bias_depth=128)
BUILDS = {"2x4": SMALL, "8x16": REDUCED, "16x4": WIDE_EW2, "32x4": WIDE_EW4}
# a MAX_BATCH other than the default 8, on an array with E = 2
BATCH5 = HardwareConfig(tiles=16, lanes=4, max_input=32, max_hidden=32, weight_depth=512,
                        bias_depth=64, max_batch=5)
