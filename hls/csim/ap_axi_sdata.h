// C-simulation stand-in for Vitis HLS's <ap_axi_sdata.h>, which hls4ml's ap_types do not ship.
// Only the g++ C simulation puts this directory on the include path; under vitis_hls the
// vendor header is used. It models the one form the contract uses: ap_axiu<D, 0, 0, 0>.
#ifndef SHARP_CSIM_AP_AXI_SDATA_H
#define SHARP_CSIM_AP_AXI_SDATA_H

#include <ap_int.h>

template <int D, int U, int TI, int TD>
struct ap_axiu {
    static_assert(U == 0 && TI == 0 && TD == 0,
                  "the C-simulation ap_axiu models no TUSER/TID/TDEST side channels");
    ap_uint<D> data;
    ap_uint<(D + 7) / 8> keep;
    ap_uint<(D + 7) / 8> strb;
    ap_uint<1> last;
};

#endif
