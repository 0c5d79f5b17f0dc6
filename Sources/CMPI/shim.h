// Open MPI's predefined handles are macros over global symbols; Swift cannot
// import them, so each gets a static inline accessor.
#ifndef DOGCAT_CMPI_SHIM_H
#define DOGCAT_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm dc_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype dc_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype dc_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype dc_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype dc_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype dc_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op dc_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op dc_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op dc_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op dc_mpi_no_op(void) { return MPI_NO_OP; }
static inline MPI_Info dc_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Win dc_mpi_win_null(void) { return MPI_WIN_NULL; }
static inline MPI_Errhandler dc_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int dc_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int dc_mpi_success(void) { return MPI_SUCCESS; }
static inline int dc_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int dc_mpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int dc_mpi_lock_shared(void) { return MPI_LOCK_SHARED; }
static inline int dc_mpi_lock_exclusive(void) { return MPI_LOCK_EXCLUSIVE; }
static inline int dc_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

#endif
