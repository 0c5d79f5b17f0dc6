// The horizontal step of TensorFlow's bilinear resize for one row of floats:
//   out[x] = a + (b - a) * lerp[x],  a = row[left[x]],  b = row[right[x]]
// in exactly these float operations (no fused multiply-add), so results are bit for bit
// those of the plain loop. Swift has no vector permute: this is the one C kernel that needs it.
#ifndef DOGCAT_INTERPOLATE_H
#define DOGCAT_INTERPOLATE_H
#include <stdint.h>

// left and right ascend (as a resize's source columns do) and lie in [0, width).
void dc_interpolate_row(const float *row, int width, const int32_t *left, const int32_t *right,
                        const float *lerp, int count, float *out);

#endif
