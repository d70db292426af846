"""The builds the RTL tests run on: small capacities, so they compile quickly."""
import sharp

BUILDS = {
    "2x4": sharp.HardwareConfig(tiles=2, lanes=4, max_input=64, max_hidden=64,
                                weight_depth=1024, bias_depth=64),
    "8x16": sharp.HardwareConfig(tiles=8, lanes=16, max_input=128, max_hidden=128,
                                 weight_depth=2048, bias_depth=128),
}

# Builds whose elementwise unit takes E = min(4, N/8) > 1 units a cycle (bias depth not a power
# of two, so the banked bias buffer has a short bank); 64x4 checks the cap E = 4
WIDE_BUILDS = {
    "16x4": sharp.HardwareConfig(tiles=16, lanes=4, max_input=64, max_hidden=64,
                                 weight_depth=1024, bias_depth=70),
    "32x4": sharp.HardwareConfig(tiles=32, lanes=4, max_input=64, max_hidden=64,
                                 weight_depth=1024, bias_depth=70),
    "64x4": sharp.HardwareConfig(tiles=64, lanes=4, max_input=64, max_hidden=64,
                                 weight_depth=1024, bias_depth=70),
}

# Batched RUNs (ARCHITECTURE.md §6): the builds above batch up to 8 sequences (the default); this
# one up to 5, not a power of two, with E = 4, so that a GRU's beats can queue (§6, "When the
# queue waits")
BATCH_BUILDS = {
    "32x4-batch5": sharp.HardwareConfig(tiles=32, lanes=4, max_input=64, max_hidden=64,
                                        weight_depth=1024, bias_depth=70, max_batch=5),
}
