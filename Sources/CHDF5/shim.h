// HDF5's property lists, type ids and flags are macros (several expand to a
// library-open call plus a global); Swift gets them through these accessors.
#ifndef DOGCAT_CHDF5_SHIM_H
#define DOGCAT_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t dc_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t dc_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t dc_h5s_all(void) { return H5S_ALL; }
static inline hid_t dc_h5e_default(void) { return H5E_DEFAULT; }
static inline unsigned dc_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned dc_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned dc_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline hid_t dc_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t dc_h5t_c_s1(void) { return H5T_C_S1; }
static inline size_t dc_h5t_variable(void) { return H5T_VARIABLE; }

#endif
