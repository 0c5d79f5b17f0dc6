// TurboJPEG's API imports as is; it is the whole-image reference decoder.
#ifndef DOGCAT_CTURBOJPEG_SHIM_H
#define DOGCAT_CTURBOJPEG_SHIM_H
#include <turbojpeg.h>
#endif
