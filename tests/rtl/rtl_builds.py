"""The builds the RTL tests run on: small capacities, so they compile quickly."""
import sharp

BUILDS = {
    "2x4": sharp.HardwareConfig(tiles=2, lanes=4, max_input=64, max_hidden=64,
                                weight_depth=1024, bias_depth=64),
    "8x16": sharp.HardwareConfig(tiles=8, lanes=16, max_input=128, max_hidden=128,
                                 weight_depth=2048, bias_depth=128),
}
